// One-line shim over the system CBLAS header (Debian: libblas-dev puts cblas.h on the include path
// and the cblas_* symbols in libblas.so.3, which OpenBLAS can replace through update-alternatives).
#include <cblas.h>
