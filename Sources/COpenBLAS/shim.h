// OpenBLAS's CBLAS interface (Debian: libopenblas-dev). Used by SwitchyardEmbeddings only when the
// package trait `OpenBLAS` is enabled; cblas.h also declares openblas_set_num_threads.
#include <cblas.h>
