#ifndef CRHETOR_SYSTEM_H
#define CRHETOR_SYSTEM_H

/// C library calls Swift's Glibc module does not import (it leaves out <malloc.h>), as static
/// inline functions.

#include <stdlib.h>  /* defines __GLIBC__ on glibc */
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/// Asks glibc's allocator to keep freed memory for reuse instead of handing it back to the
/// kernel: a batch run frees and allocates megabyte buffers every batch, and memory handed back
/// (the heap's top trimmed with `brk`, or a large block `munmap`ped) returns as fresh zeroed
/// pages, one page fault per 4 KiB. Blocks up to 32 MiB (glibc's largest mmap threshold on
/// 64-bit; it refuses more) come from the heap, and up to 512 MiB of free heap is kept. Memory
/// stays bounded by the run's live batches; only the faults go (on the 500k sentences of
/// `Benchmarks/throughput.py`: 11.1k -> 4.95k). Does nothing on other C libraries.
static inline void rhetor_keep_freed_memory(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

#endif
