/*
 * p256_ge.h -- the NIST P-256 group, y^2 = x^3 - 3x + b over GF(p), prime order q,
 * cofactor 1.  Internal to the seqvrf C core.
 *
 * Contract
 *   - p256_ge is homogeneous projective (X:Y:Z), x = X/Z, y = Y/Z; the identity is (0:1:0).
 *     Coordinates are p256_fe (Montgomery form).
 *   - Addition and doubling use the complete formulas of Renes, Costello and Batina,
 *     "Complete addition formulas for prime order elliptic curves" (EUROCRYPT 2016),
 *     Algorithms 4 (add) and 6 (double) for a = -3: no exceptional cases (P + P, P + (-P),
 *     P + O all come out right), so the constant-time ladder needs no special-casing.
 *   - Functions without _vartime are constant time in all inputs.  Functions named
 *     *_vartime branch on or index by their inputs: call them with PUBLIC data only.
 *   - Scalars are 32-byte BIG-endian integers (any value < 2^256; not reduced here).
 *   - sv_p256_ge_decode: SEC1 2.3.4 for the 33-byte compressed form only: the first byte
 *     must be 0x02 or 0x03, x must be < p and x^3 - 3x + b a square; returns 1 or 0.
 *     Variable time (decoded strings are public).
 *   - sv_p256_ge_encode: SEC1 2.3.3 compressed; returns the length written: 33, or 1 for
 *     the identity (a single 0x00 byte).  Constant time.
 */
#ifndef SEQVRF_P256_GE_H
#define SEQVRF_P256_GE_H
#include <stddef.h>
#include <stdint.h>
#include "p256_fe.h"

typedef struct { p256_fe X, Y, Z; } p256_ge;

void sv_p256_ge_identity(p256_ge *r);
void sv_p256_ge_base(p256_ge *r);
void sv_p256_ge_add(p256_ge *r, const p256_ge *p, const p256_ge *q);
void sv_p256_ge_dbl(p256_ge *r, const p256_ge *p);
void sv_p256_ge_neg(p256_ge *r, const p256_ge *p);
int sv_p256_ge_decode_vartime(p256_ge *r, const uint8_t s[33]);
size_t sv_p256_ge_encode(uint8_t s[33], const p256_ge *p);
int sv_p256_ge_is_identity_vartime(const p256_ge *p);
/* r = a*P: fixed 4-bit windows (64 of them: 256 doublings, 64 additions), the window's
 * multiple selected from a 16-entry table by a masked scan of all entries.  Constant time
 * in a and in P. */
void sv_p256_ge_scalarmult(p256_ge *r, const uint8_t a[32], const p256_ge *P);
/* r = a*B (the generator), same algorithm. */
void sv_p256_ge_scalarmult_base(p256_ge *r, const uint8_t a[32]);
/* 16-entry table of multiples 0*P .. 15*P for the variable-time routine below. */
typedef struct { p256_ge t[16]; } p256_ge_table;
void sv_p256_ge_table_vartime(p256_ge_table *t, const p256_ge *P);
/* r = a*P + b*Q for public a, b, P, Q (Straus, shared doublings, zero windows skipped). */
void sv_p256_ge_double_scalarmult_vartime(p256_ge *r, const uint8_t a[32], const p256_ge_table *P,
                                          const uint8_t b[32], const p256_ge_table *Q);

#endif
