/*
 * sc.h -- scalars mod q = 2^252 + 27742317777372353535851937790883648493.  Internal.
 * Contract: 32-byte little-endian encodings; all functions constant time.
 *   sc_reduce64: out = x mod q for a 64-byte little-endian x (Barrett, 64-bit limbs).
 *   sc_muladd:   out = a*b + c mod q for any 32-byte a, b, c.
 *   sc_is_canonical: 1 iff s < q.
 */
#ifndef SEQVRF_SC_H
#define SEQVRF_SC_H
#include <stdint.h>

void sv_sc_reduce64(uint8_t out[32], const uint8_t x[64]);
void sv_sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32], const uint8_t c[32]);
int sv_sc_is_canonical(const uint8_t s[32]);

#endif
