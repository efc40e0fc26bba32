import Foundation
import GRDB
import Synchronization
import Testing
import SwitchyardCore
@testable import SwitchyardStorage

/// A fresh database file in a temporary directory, removed afterwards.
func withTemporaryDatabase<T>(_ body: (String) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory.appendingPathComponent("ledger.sqlite").path)
}

func sampleEntry(_ index: Int, time: Date = Date(timeIntervalSince1970: 1_790_000_000)) -> LedgerEntry {
    LedgerEntry(
        decisionID: "dec-\(index)", time: time.addingTimeInterval(Double(index)), status: 200, tenant: index.isMultiple(of: 2) ? "acme" : "globex",
        keyID: "key-\(index % 3)", userTier: "pro", region: "eu", session: "s-1", requestedModel: "auto", task: "summarize",
        taskSource: "rule", complexity: 0.25, complexitySource: "heuristic", sensitivity: "public",
        reasons: ["policy.user_tiers.pro: ceiling=premium"], chainPosition: 1,
        attempts: [
            AttemptRecord(deployment: "cheap", provider: "sim", status: 503, errorClass: "server_error", latency: .milliseconds(12)),
            AttemptRecord(deployment: "middle", provider: "sim", status: 200, errorClass: nil, latency: .milliseconds(30)),
        ],
        gates: .array([.object(["gate": "json", "passed": true])]), escalations: 0, fallbacks: 1, fallbackReason: "server_error",
        provider: "sim", model: "middle", tier: "mid", inputTokens: 100 + index, outputTokens: 20, cachedTokens: 10,
        costUSD: 0.000072, baselineCostUSD: 0.00045, latency: .microseconds(45_500), upstreamLatency: .milliseconds(42),
        timeToFirstToken: nil, stream: false, decisionJSON: #"{"id":"dec-\#(index)"}"#)
}

/// Eight entries, six of them shadow calls: four verdicts (dec-1 agrees, dec-3 disagrees, dec-4
/// agrees, dec-6 disagrees), a failed call (dec-2) and one without a task (dec-5).
func shadowSampleEntries() -> [LedgerEntry] {
    var entries = (0..<8).map { sampleEntry($0) }
    for index in 1...6 {
        entries[index].endpoint = "shadow"
        entries[index].requestedModel = "cheap"
        entries[index].reasons = ["policy.shadow: light answer asked again of best", [1, 4].contains(index) ? "agrees" : "disagrees"]
    }
    entries[2].status = 502
    entries[5].task = nil
    return entries
}

/// What every store's ``LedgerStore/shadowVerdicts(after:limit:)`` must return for
/// ``shadowSampleEntries()``.
func expectShadowVerdicts(of store: any LedgerStore) async throws {
    let all = try await store.shadowVerdicts(after: 0, limit: 10)
    #expect(all.map(\.decisionID) == ["dec-1", "dec-3", "dec-4", "dec-6"])
    #expect(all.map(\.verdict) == ["agrees", "disagrees", "agrees", "disagrees"])
    #expect(all.allSatisfy { $0.task == "summarize" && $0.model == "cheap" })
    #expect(all.map(\.row) == all.map(\.row).sorted())
    // The newest, oldest first; and only the rows after one.
    #expect(try await store.shadowVerdicts(after: 0, limit: 2).map(\.decisionID) == ["dec-4", "dec-6"])
    #expect(try await store.shadowVerdicts(after: all[1].row, limit: 10).map(\.decisionID) == ["dec-4", "dec-6"])
    #expect(try await store.shadowVerdicts(after: all[3].row, limit: 10).isEmpty)
}

/// Stores six sample entries over two tenants and sessions and checks what every store's
/// ``LedgerStore/sessionTokens(since:)`` returns for it.
func expectSessionTokens(of store: any LedgerStore) async throws {
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    var entries = (0..<6).map { sampleEntry($0, time: start) }
    entries[3].session = "s-2"
    entries[5].session = nil
    try await store.append(entries)
    // Entries 1-4 (entry 0 is before `since`, entry 5 has no session); input 100 + i, output 20.
    let totals = try await store.sessionTokens(since: start.addingTimeInterval(1))
    #expect(totals == [
        SessionKey(tenant: "acme", session: "s-1"): 122 + 124,
        SessionKey(tenant: "globex", session: "s-1"): 121,
        SessionKey(tenant: "globex", session: "s-2"): 123,
    ])
    #expect(try await store.sessionTokens(since: start.addingTimeInterval(60)).isEmpty)
}

@Suite struct SQLiteStoreTests {
    @Test func sessionTokensPerTenantAndSession() async throws {
        try await withTemporaryDatabase { path in
            try await expectSessionTokens(of: try SQLiteStore(path: path))
        }
    }

    @Test func shadowVerdictsAfterARowOldestFirstThroughTheShadowIndex() async throws {
        try await withTemporaryDatabase { path in
            let store = try SQLiteStore(path: path)
            try await store.append(shadowSampleEntries())
            try await expectShadowVerdicts(of: store)
            let plan = try await store.database.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteStore.shadowVerdictsSQL, arguments: [3, 2])
                    .map { $0["detail"] as String? ?? "" }
            }
            #expect(plan.contains { $0.contains("ledger_shadow") }, "\(plan)")
        }
    }

    @Test func entriesRoundTripThroughAFileDatabase() async throws {
        try await withTemporaryDatabase { path in
            let store = try SQLiteStore(path: path)
            #expect(try store.journalMode() == "wal")
            let entries = (0..<5).map { sampleEntry($0) }
            try await store.append(entries)
            #expect(try await store.ledgerCount() == 5)

            let full = try #require(try await store.ledgerEntry(decisionID: "dec-3"))
            #expect(full == entries[3])

            let light = try await store.ledgerEntries(since: nil, until: nil, full: false)
            #expect(light.map(\.decisionID) == entries.map(\.decisionID))
            #expect(light[0].decisionJSON == nil && light[0].gates == nil)
            #expect(light[0].attempts == entries[0].attempts)
            #expect(light[0].gatewayOverhead == .microseconds(3_500))
        }
    }

    /// Rows bind their text from one reused buffer; a row's text larger than it, empty strings
    /// and rows after a large one must all come back exactly.
    @Test func rowsWithLargeEmptyAndUnicodeTextRoundTrip() async throws {
        try await withTemporaryDatabase { path in
            let store = try SQLiteStore(path: path)
            var entries = (0..<6).map { sampleEntry($0) }
            entries[1].prompt = String(repeating: "Summarise this, pläase. ", count: 4_000)  // ~100 KB, more than the buffer
            entries[1].answer = String(repeating: "ok ✓ ", count: 3_000)
            entries[2].prompt = ""
            entries[2].answer = "é"
            entries[3].region = nil
            entries[4].decisionJSON = #"{"id":"dec-4","note":"\#(String(repeating: "x", count: 70_000))"}"#
            try await store.append(entries)
            for entry in entries {
                #expect(try await store.ledgerEntry(decisionID: entry.decisionID) == entry)
            }
        }
    }

    /// The gateway stores the decision record and gate reports with member names as tokens;
    /// the `ledger_json` view shows them as JSON to anyone reading the file with SQL.
    @Test func theLedgerJSONViewShowsTokenisedColumnsAsJSON() async throws {
        try await withTemporaryDatabase { path in
            let store = try SQLiteStore(path: path)
            var entry = sampleEntry(1)
            var record = JSONObjectWriter(namesAsTokens: true)
            record.string("id", "dec-1")
            record.object("signals") { $0.object("task") { $0.string("value", "summarize") } }
            record.string("chosen", "cheap")
            record.string("note", "\"model\": stays text")
            entry.decisionJSON = record.finishString()
            entry.gatesJSON = JSONObjectWriter.arrayText([0.5], namesAsTokens: true) { object, score in
                object.string("gate", "json")
                object.double("score", score)
            }
            #expect(entry.decisionJSON?.contains("chosen") == false)
            try await store.append([entry, sampleEntry(2)])

            let (decision, gates, chosen, plainDecision) = try await store.database.read { db in
                let row = try #require(try Row.fetchOne(db, sql: "SELECT decision, gates FROM ledger_json WHERE decision_id = 'dec-1'"))
                let chosen = try String.fetchOne(db, sql: "SELECT json_extract(decision, '$.chosen') FROM ledger_json WHERE decision_id = 'dec-1'")
                let plain = try String.fetchOne(db, sql: "SELECT decision FROM ledger_json WHERE decision_id = 'dec-2'")
                return (row["decision"] as String?, row["gates"] as String?, chosen, plain)
            }
            #expect(decision == #"{"id":"dec-1","signals":{"task":{"value":"summarize"}},"chosen":"cheap","note":"\"model\": stays text"}"#)
            #expect(gates == #"[{"gate":"json","score":0.5}]"#)
            #expect(chosen == "cheap")
            #expect(plainDecision == #"{"id":"dec-2"}"#, "JSON stored without tokens reads as it is")
            #expect(try await store.ledgerEntry(decisionID: "dec-1")?.gates == [["gate": "json", "score": 0.5]])

            // The view follows the token table: one made from an older table is rebuilt on open.
            try await store.database.write { db in
                try db.execute(sql: "DROP VIEW ledger_json")
                try db.execute(sql: "CREATE VIEW ledger_json AS SELECT decision_id, decision FROM ledger")
            }
            let reopened = try SQLiteStore(path: path)
            let viewSQL = try await reopened.database.read { db in
                try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'ledger_json'")
            }
            #expect(viewSQL == SQLiteSchema.ledgerJSONViewSQL)
            #expect(try await reopened.database.read { db in try String.fetchOne(db, sql: "SELECT json_extract(decision, '$.chosen') FROM ledger_json WHERE decision_id = 'dec-1'") } == "cheap")
        }
    }

    @Test func appendsOnTheCallingThreadAreStoredWhole() async throws {
        try await withTemporaryDatabase { path in
            let store = try SQLiteStore(path: path)
            let entries = (0..<20).map { sampleEntry($0) }
            // Offered the core after rows 8 and 16 of 20.
            let offers = Mutex(0)
            try await store.appendOnCallingThread(entries, sharingTheCore: CoreSharing(every: 8) { offers.withLock { $0 += 1 }; return true })
            #expect(offers.withLock { $0 } == 2)
            #expect(try await store.ledgerCount() == 20)
            #expect(try await store.ledgerEntry(decisionID: "dec-7") == entries[7])
        }
    }

    @Test func anAppendTheSharingStopsIsRolledBack() async throws {
        try await withTemporaryDatabase { path in
            let store = try SQLiteStore(path: path)
            let entries = (0..<20).map { sampleEntry($0) }
            // Goes on after row 8, stops after row 16.
            let offers = Mutex(0)
            let sharing = CoreSharing(every: 8) { offers.withLock { $0 += 1; return $0 < 2 } }
            await #expect(throws: StoreError(.interrupted, "the write of 20 ledger entries to '\(path)' stopped to give up the core")) {
                try await store.appendOnCallingThread(entries, sharingTheCore: sharing)
            }
            #expect(try await store.ledgerCount() == 0)
            // The store is fine: the same entries go in whole afterwards.
            try await store.appendOnCallingThread(entries, sharingTheCore: nil)
            #expect(try await store.ledgerCount() == 20)
        }
    }

    @Test func anAppendIsNotStoppedAfterItsLastRow() async throws {
        try await withTemporaryDatabase { path in
            let store = try SQLiteStore(path: path)
            // 16 rows: the one offer is after row 8; none follows the last row.
            let offers = Mutex(0)
            let sharing = CoreSharing(every: 8) { offers.withLock { $0 += 1; return $0 < 2 } }
            try await store.appendOnCallingThread((0..<16).map { sampleEntry($0) }, sharingTheCore: sharing)
            #expect(offers.withLock { $0 } == 1)
            #expect(try await store.ledgerCount() == 16)
        }
    }

    @Test func aNewDatabaseFileUsesSixteenKilobytePages() async throws {
        try await withTemporaryDatabase { path in
            let store = try SQLiteStore(path: path)
            try await store.append([sampleEntry(1)])
            #expect(try await store.database.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 16384)
            // WAL commits are not synced (NORMAL = 1); checkpoints are.
            #expect(try await store.database.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 1)
            // A reader of the same file opens it as it is.
            let reader = try SQLiteStore(path: path, readOnly: true)
            #expect(try await reader.ledgerCount() == 1)
        }
    }

    @Test func anExistingDatabaseKeepsItsPageSize() async throws {
        try await withTemporaryDatabase { path in
            let older = try DatabaseQueue(path: path)
            try await older.write { try $0.execute(sql: "PRAGMA page_size = 4096; CREATE TABLE earlier (id INTEGER)") }
            try older.close()
            let store = try SQLiteStore(path: path)
            try await store.append([sampleEntry(1)])
            #expect(try await store.database.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 4096)
            #expect(try await store.ledgerCount() == 1)
        }
    }

    @Test func emptyAndNonASCIITextAndExtremeNumbersRoundTrip() async throws {
        var entry = sampleEntry(1)
        entry.errorCode = ""
        entry.reviewID = "é 日本 🚀"
        entry.escalationReason = "quote \" and \\ backslash"
        entry.inputTokens = Int.max
        entry.costUSD = 1e-300
        entry.timeToFirstToken = .zero
        entry.cacheHit = true
        let store = try SQLiteStore(path: ":memory:")
        try await store.appendOnCallingThread([entry], sharingTheCore: nil)
        let stored = try #require(try await store.ledgerEntry(decisionID: entry.decisionID))
        #expect(stored == entry)
        #expect(stored.errorCode == "")
    }

    @Test func aRowSQLiteRefusesFailsTheWholeAppendAndTheNextOneSucceeds() async throws {
        let store = try SQLiteStore(path: ":memory:")
        try await store.database.write {
            try $0.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON ledger WHEN NEW.decision_id = 'dec-2' BEGIN SELECT RAISE(ABORT, 'refused'); END")
        }
        let error = await #expect(throws: StoreError.self) {
            try await store.appendOnCallingThread([sampleEntry(1), sampleEntry(2), sampleEntry(3)], sharingTheCore: nil)
        }
        #expect(error?.message.contains("refused") == true, "\(String(describing: error))")
        #expect(try await store.ledgerCount() == 0)
        try await store.database.write { try $0.execute(sql: "DROP TRIGGER refuse") }
        try await store.appendOnCallingThread([sampleEntry(1), sampleEntry(2)], sharingTheCore: nil)
        #expect(try await store.ledgerCount() == 2)
    }

    @Test func aFailedAppendOnTheCallingThreadThrowsAndStoresNothing() async throws {
        let store = try SQLiteStore(path: ":memory:")
        try await store.database.write { try $0.execute(sql: "ALTER TABLE ledger RENAME TO elsewhere") }
        let error = await #expect(throws: StoreError.self) { try await store.appendOnCallingThread([sampleEntry(1), sampleEntry(2)], sharingTheCore: nil) }
        #expect(error?.message.contains("cannot write 2 ledger entries") == true, "\(String(describing: error))")
        try await store.database.write { try $0.execute(sql: "ALTER TABLE elsewhere RENAME TO ledger") }
        #expect(try await store.ledgerCount() == 0)
    }

    @Test func timeBoundsSelectAHalfOpenRange() async throws {
        try await withTemporaryDatabase { path in
            let store = try SQLiteStore(path: path)
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            try await store.append((0..<10).map { sampleEntry($0, time: start) })
            let window = try await store.ledgerEntries(since: start.addingTimeInterval(3), until: start.addingTimeInterval(6), full: false)
            #expect(window.map(\.decisionID) == ["dec-3", "dec-4", "dec-5"])
        }
    }

    @Test func aSecondOpenSeesTheDataAndReadOnlyCannotWrite() async throws {
        try await withTemporaryDatabase { path in
            do {
                let store = try SQLiteStore(path: path)
                try await store.append([sampleEntry(1)])
            }
            let reader = try SQLiteStore(path: path, readOnly: true)
            #expect(try await reader.ledgerCount() == 1)
            await #expect(throws: StoreError.self) { try await reader.append([sampleEntry(2)]) }
            #expect(try reader.integrityCheck() == ["ok"])
        }
    }

    @Test func readOnlyOpenOfAMissingFileSaysWhatToDo() throws {
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: "/nonexistent/dir/none.sqlite", readOnly: true) }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("/nonexistent/dir/none.sqlite") == true)
    }

    @Test func aFileThatIsNotADatabaseIsRefusedClearly() async throws {
        try await withTemporaryDatabase { path in
            try Data("this is not sqlite".utf8 + Array(repeating: 0x41, count: 4096)).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path) }
            #expect(error?.message.contains(path) == true)
        }
    }

    @Test func inMemoryDatabasesWork() async throws {
        let store = try SQLiteStore(path: ":memory:")
        try await store.append([sampleEntry(1), sampleEntry(2)])
        #expect(try await store.ledgerCount() == 2)
    }
}
