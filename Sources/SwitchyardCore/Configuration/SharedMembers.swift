/// A value type's members in shared, copy-on-write storage: copies of the value share one
/// reference, and a change copies the members first when another value still shares them.
///
/// For values with many texts and lists that the request path copies often (deployments, ledger
/// entries): a copy is then one reference-count operation instead of one per member.
@usableFromInline
struct SharedMembers<Members: Hashable & Sendable>: Hashable, Sendable {
    /// Holds the members; changed only through ``update(_:)``, which first makes it unshared, so
    /// no two threads ever see one box change.
    @usableFromInline
    final class Box: @unchecked Sendable {
        @usableFromInline var members: Members
        init(_ members: Members) { self.members = members }
    }

    /// Read the members through `box.members`: it borrows them instead of copying them out.
    @usableFromInline var box: Box

    init(_ members: Members) {
        box = Box(members)
    }

    /// Changes the members, copying them first if another value shares them.
    @usableFromInline
    mutating func update(_ change: (inout Members) -> Void) {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.members) }
        change(&box.members)
    }

    @usableFromInline
    static func == (lhs: SharedMembers, rhs: SharedMembers) -> Bool {
        lhs.box === rhs.box || lhs.box.members == rhs.box.members
    }

    @usableFromInline
    func hash(into hasher: inout Hasher) {
        hasher.combine(box.members)
    }
}
