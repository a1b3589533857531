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

#endif
