#ifndef CRHETOR_SIMD_H
#define CRHETOR_SIMD_H

/// SIMD kernels Swift has no spelling for (it has no movemask), as static inline functions the
/// Swift compiler inlines into its callers (clang compiles them into the calling module). Each
/// kernel has a plain scalar twin in `_RhetorKernels`, which also serves builds without SSE2.

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// The word-byte classes of 16 bytes: bit k of each mask is byte k.
typedef struct {
    /// ASCII letters and digits.
    uint32_t word;
    /// `A`-`Z`.
    uint32_t upper;
    /// `0`-`9`.
    uint32_t digit;
    /// `.` and `,` (inside numbers).
    uint32_t separator;
    /// `-` (inside hyphenated words).
    uint32_t hyphen;
    /// The 16 bytes with `A`-`Z` lower-cased, little-endian: bytes 0-7 and 8-15.
    uint64_t lo;
    uint64_t hi;
} rhetor_word_block;

#if defined(__SSE2__)
/// Classifies the 16 bytes at `p` (all readable) with SSE2: signed byte compares, so bytes
/// 0x80-0xFF (negative) fall in no class; `movemask` gathers each lane's top bit.
static inline __attribute__((always_inline)) rhetor_word_block rhetor_word_block16(const uint8_t *p) {
    rhetor_word_block b;
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i y = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(y, _mm_set1_epi8(0x60)), _mm_cmplt_epi8(y, _mm_set1_epi8(0x7B)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x2F)), _mm_cmplt_epi8(v, _mm_set1_epi8(0x3A)));
    __m128i upper = _mm_and_si128(letter, _mm_cmplt_epi8(v, _mm_set1_epi8(0x5B)));
    __m128i lowered = _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
    b.word = (uint32_t)_mm_movemask_epi8(_mm_or_si128(letter, digit));
    b.upper = (uint32_t)_mm_movemask_epi8(upper);
    b.digit = (uint32_t)_mm_movemask_epi8(digit);
    b.separator = (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x2E)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x2C))));
    b.hyphen = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x2D)));
    b.lo = (uint64_t)_mm_cvtsi128_si64(lowered);
    b.hi = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(lowered, lowered));
    return b;
}
#endif

/// The line feeds and non-ASCII bytes of 16 bytes: bit k of each mask is byte k.
typedef struct {
    /// `\n` (0x0A).
    uint32_t newline;
    /// 0x80-0xFF.
    uint32_t high;
} rhetor_line_block;

#if defined(__SSE2__)
/// The line block of the 16 bytes at `p` (all readable): one byte compare and two movemasks
/// (a byte's top bit is its non-ASCII bit).
static inline __attribute__((always_inline)) rhetor_line_block rhetor_line_block16(const uint8_t *p) {
    rhetor_line_block b;
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    b.newline = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x0A)));
    b.high = (uint32_t)_mm_movemask_epi8(v);
    return b;
}
#endif

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/// True when the CPU has the SHA extensions and the SSSE3 / SSE4.1 shuffles and blends
/// `rhetor_sha256_blocks_ni` uses (CPUID leaf 1 ECX bits 9 and 19, leaf 7 EBX bit 29).
static inline int rhetor_sha256_ni_available(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return ssse3 && sse41 && ((b >> 29) & 1);
}

/// SHA-256 compression of `blocks` 64-byte blocks at `data` into `state` (the eight working
/// words H0...H7, host order), with the x86 SHA extensions: `sha256rnds2` runs two rounds,
/// `sha256msg1`/`sha256msg2` extend the message schedule four words at a time (the layout of
/// Intel's "SHA Extensions" white paper, Gulley et al. 2013: ABEF and CDGH in two registers).
/// Call only when `rhetor_sha256_ni_available()`; the scalar twin is `SHA256Blocks.compressScalar`
/// in _RhetorKernels. `k` is FIPS 180-4's 64 round constants.
__attribute__((target("sha,sse4.1,ssse3")))
static inline void rhetor_sha256_blocks_ni(uint32_t *state, const uint8_t *data, long blocks, const uint32_t *k) {
    const __m128i byteSwap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state[0]);         /* A B C D (lane 0 first) */
    __m128i state1 = _mm_loadu_si128((const __m128i *)&state[4]);      /* E F G H */
    tmp = _mm_shuffle_epi32(tmp, 0xB1);                                 /* B A D C */
    state1 = _mm_shuffle_epi32(state1, 0x1B);                           /* H G F E */
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);                   /* ABEF */
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);                        /* CDGH */
    for (long block = 0; block < blocks; block++, data += 64) {
        const __m128i abef = state0, cdgh = state1;
        __m128i w[4];
        /* Unrolled, so the four message registers stay registers and no branch is left. */
#pragma clang loop unroll(full)
        for (int group = 0; group < 16; group++) {
            __m128i m;
            if (group < 4) {
                m = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * group)), byteSwap);
            } else {
                /* W[t..t+3] from W[t-16..t-13], W[t-12..t-9], W[t-8..t-5], W[t-4..t-1]. */
                __m128i x = _mm_sha256msg1_epu32(w[group & 3], w[(group + 1) & 3]);
                x = _mm_add_epi32(x, _mm_alignr_epi8(w[(group + 3) & 3], w[(group + 2) & 3], 4));
                m = _mm_sha256msg2_epu32(x, w[(group + 3) & 3]);
            }
            w[group & 3] = m;
            __m128i wk = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)(k + 4 * group)));
            state1 = _mm_sha256rnds2_epu32(state1, state0, wk);
            wk = _mm_shuffle_epi32(wk, 0x0E);
            state0 = _mm_sha256rnds2_epu32(state0, state1, wk);
        }
        state0 = _mm_add_epi32(state0, abef);
        state1 = _mm_add_epi32(state1, cdgh);
    }
    tmp = _mm_shuffle_epi32(state0, 0x1B);                              /* FEBA */
    state1 = _mm_shuffle_epi32(state1, 0xB1);                           /* DCHG */
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);                        /* DCBA */
    state1 = _mm_alignr_epi8(state1, tmp, 8);                           /* HGFE */
    _mm_storeu_si128((__m128i *)&state[0], state0);
    _mm_storeu_si128((__m128i *)&state[4], state1);
}
#endif


/// A hint that the cache line at `p` will be read soon (`prefetcht0`); never faults, and a
/// no-op where the compiler has no such instruction.
static inline __attribute__((always_inline)) void rhetor_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

#endif
