/*
 * p256_sc.h -- scalars mod q, the order of the NIST P-256 group
 * (q = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551).  Internal.
 * Contract: 32-byte BIG-endian encodings (RFC 9381 int_to_string for P-256); every
 * function is constant time in all its inputs.
 *   sv_p256_sc_is_canonical: 1 iff s < q.
 *   sv_p256_sc_is_valid_secret: 1 iff 1 <= s < q.
 *   sv_p256_sc_reduce: out = s mod q for any 32-byte s (one masked subtraction: s < 2q).
 *   sv_p256_sc_muladd: out = a*b + c mod q, with a < 2^256, b and c < q (a is reduced first).
 */
#ifndef SEQVRF_P256_SC_H
#define SEQVRF_P256_SC_H
#include <stdint.h>

int sv_p256_sc_is_canonical(const uint8_t s[32]);
int sv_p256_sc_is_valid_secret(const uint8_t s[32]);
void sv_p256_sc_reduce(uint8_t out[32], const uint8_t s[32]);
void sv_p256_sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32], const uint8_t c[32]);

#endif
