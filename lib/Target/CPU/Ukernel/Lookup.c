/*===- Lookup.c - int8 table lookups -------------------------------*- C -*-===*
 *
 * Integer-only activations (SiLU, hard-swish, sigmoid, GELU tabulated by
 * qc-lower-to-integer) are a 256-entry table lookup per int8 element. As
 * generated loops they are scalar loads, or a vector "gather" LLVM builds
 * from byte extracts and inserts. On AVX-512 VBMI the whole table is four
 * zmm registers: two vpermi2b look 64 indices up in its halves and the
 * index's top bit picks between them, 64 elements in about six
 * instructions. Other tiers: the plain loop.
 *
 *===----------------------------------------------------------------------===*/

#include "Internal.h"

/* out[j] = table[x[j] + 128]. */
static void lookupGeneric(int64_t n, const int8_t *x, const int8_t *table,
                          int8_t *out) {
  for (int64_t j = 0; j < n; ++j)
    out[j] = table[(uint8_t)(x[j] ^ 0x80)];
}

#if QCC_HAVE_X86
QCC_VNNI static void lookupAvx512(int64_t n, const int8_t *x,
                                  const int8_t *table, int8_t *out) {
  const __m512i t0 = _mm512_loadu_si512(table),
                t1 = _mm512_loadu_si512(table + 64),
                t2 = _mm512_loadu_si512(table + 128),
                t3 = _mm512_loadu_si512(table + 192);
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  for (int64_t j = 0; j < n; j += 64) {
    const __mmask64 lanes = qccUkernelBytes64(n - j);
    /* The index x + 128 as an unsigned byte: its low 7 bits select within
     * a half of the table, its top bit the half. */
    const __m512i index =
        _mm512_xor_si512(_mm512_maskz_loadu_epi8(lanes, x + j), flip);
    const __m512i low = _mm512_permutex2var_epi8(t0, index, t1);
    const __m512i high = _mm512_permutex2var_epi8(t2, index, t3);
    const __mmask64 upper = _mm512_movepi8_mask(index);
    _mm512_mask_storeu_epi8(out + j, lanes,
                            _mm512_mask_blend_epi8(upper, low, high));
  }
}
#endif

void qcc_ukernel_lookup_s8(int64_t n, const int8_t *x, const int8_t *table,
                           int8_t *out) {
#if QCC_HAVE_X86
  if (qcc_ukernel_cpu_tier() >= QCC_CPU_TIER_AVX512VNNI) {
    lookupAvx512(n, x, table, out);
    return;
  }
#endif
  lookupGeneric(n, x, table, out);
}
