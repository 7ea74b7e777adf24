/*
 * ge.h -- the edwards25519 group (-x^2 + y^2 = 1 + d x^2 y^2).  Internal to seqvrf.
 *
 * Contract
 *   - ge_p3 is extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z.
 *   - ge_cached is (Y+X, Y-X, Z, 2dT): the form used for additions with a variable point.
 *   - Functions without _vartime are constant time in all inputs.  Functions named
 *     *_vartime branch on / index by their inputs: call them with PUBLIC data only.
 *   - Scalars are 32-byte little-endian; unless noted they must be < 2^255.
 *   - ge_decode implements RFC 8032 5.1.3 with every check (y >= p, x = 0 with the sign
 *     bit set and points not on the curve are rejected); returns 1 on success, 0 on failure.
 */
#ifndef SEQVRF_GE_H
#define SEQVRF_GE_H
#include <stddef.h>
#include <stdint.h>
#include "fe.h"

typedef struct { fe X, Y, Z, T; } ge_p3;
typedef struct { fe YpX, YmX, Z, T2d; } ge_cached;

void sv_ge_identity(ge_p3 *h);
int sv_ge_decode(ge_p3 *h, const uint8_t s[32]);
void sv_ge_encode(uint8_t s[32], const ge_p3 *h);
/* encode n <= 8 points sharing one field inversion */
void sv_ge_encode_batch(uint8_t (*s)[32], const ge_p3 *const *pts, size_t n);
void sv_ge_add(ge_p3 *r, const ge_p3 *p, const ge_p3 *q);
void sv_ge_mul8(ge_p3 *r, const ge_p3 *p);
int sv_ge_is_identity_vartime(const ge_p3 *p); /* public input only */
/* r = a*B, a < 2^255.  Constant time (signed radix-16, 32x8 static table, masked lookups). */
void sv_ge_scalarmult_base(ge_p3 *r, const uint8_t a[32]);
#define SV_MULTI_MAX 4
/* r[i] = a[i]*P for i < n (n <= SV_MULTI_MAX), a[i] < 2^255, P public (may be variable).
 * Constant time in the scalars: fixed signed 4-bit windows, masked table lookups.
 * Builds P, 2^64 P, 2^128 P, 2^192 P with their tables once and shares them. */
void sv_ge_scalarmult_multi(ge_p3 *r, const uint8_t (*a)[32], size_t n, const ge_p3 *P);
/* odd multiples table: t[i] = (2i+1) P, i < 8 (window-5 wNAF).  Public P only. */
void sv_ge_odd_table_vartime(ge_cached t[8], const ge_p3 *P);
/* r = a*B + b*P for public a, b (any 256-bit values; Straus/wNAF); used for tests. */
void sv_ge_double_scalarmult_vartime(ge_p3 *r, const uint8_t a[32], const uint8_t b[32], const ge_p3 *P);
/* ECVRF verification equations, public inputs only, c < 2^128, s < q:
 *   U = s*B - c*Y   (Ytab = odd multiples of Y; s is split over static B and 2^128 B tables)
 *   V = s*H - c*G   (tables for H and G built once per call) */
void sv_ge_vrf_u_vartime(ge_p3 *U, const uint8_t s[32], const uint8_t c[16], const ge_cached Ytab[8]);
void sv_ge_vrf_v_vartime(ge_p3 *V, const uint8_t s[32], const uint8_t c[16], const ge_p3 *H, const ge_p3 *G);

/* ZIP-215 decoding (public input): RFC 8032 5.1.3 without the canonicity checks -- a
 * y >= p is reduced mod p and x = 0 with the sign bit set is accepted.  1 on success. */
int sv_ge_decode_zip215_vartime(ge_p3 *h, const uint8_t s[32]);
/* r = -p */
void sv_ge_neg(ge_p3 *r, const ge_p3 *p);
/* Multi-scalar multiplication r = sum a[i] * P[i] (Pippenger, signed buckets), PUBLIC inputs
 * only.  a[i] are 256-bit little-endian values (any; reduce them mod q for speed).  Works in
 * caller-provided scratch of at least sv_ge_msm_scratch_bytes(n) bytes (no heap here);
 * returns 0 (r untouched) if the scratch is missing or too small, else 1. */
size_t sv_ge_msm_scratch_bytes(size_t n);
int sv_ge_msm_vartime(ge_p3 *r, const uint8_t (*a)[32], const ge_p3 *P, size_t n, void *scratch,
                      size_t scratch_len);
#endif
