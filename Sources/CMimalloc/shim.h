// mimalloc (Debian: libmimalloc-dev). Linked into the `switchyard` executable only when the
// package trait `Mimalloc` is enabled; the shared library then replaces malloc/free for the
// whole process (it comes before libc in the executable's needed libraries).
#include <mimalloc.h>
