/*
 * h2c.h -- RFC 9381 5.4.1 encode_to_curve for the edwards25519 suites.  Internal.
 *
 * Contract (inputs are public; both are variable time only in public data)
 *   sv_h2c_tai:  5.4.1.1 try-and-increment, H = 8 * string_to_point(SHA-512(suite || 0x01 ||
 *                pk || alpha || ctr || 0x00)[0:32]), retrying (step 5) while the string does
 *                not decode OR cofactor * H is the identity; returns 1, or 0 if all 256
 *                counters fail.
 *   sv_h2c_ell2: 5.4.1.2 / RFC 9380 edwards25519_XMD:SHA-512_ELL2_NU_ with
 *                DST = "ECVRF_edwards25519_XMD:SHA-512_ELL2_NU_" || suite, msg = pk || alpha;
 *                straight-line Elligator 2 (RFC 9380 G.2), one exponentiation; then 8*P.
 *   pk is hashed as given (PK_string); it is not decoded here.
 */
#ifndef SEQVRF_H2C_H
#define SEQVRF_H2C_H
#include <stddef.h>
#include <stdint.h>
#include "ge.h"

int sv_h2c_tai_candidate(ge_p3 *H, const uint8_t h[32]);
int sv_h2c_tai(ge_p3 *H, uint8_t suite, const uint8_t pk[32], const uint8_t *alpha, size_t alpha_len);
void sv_h2c_ell2(ge_p3 *H, uint8_t suite, const uint8_t pk[32], const uint8_t *alpha, size_t alpha_len);
/* expand_message_xmd(SHA-512) output of the ELL2 suite, 48 bytes (exposed for tests) */
void sv_h2c_ell2_uniform(uint8_t out[48], uint8_t suite, const uint8_t pk[32], const uint8_t *alpha,
                         size_t alpha_len);

/* draft-irtf-cfrg-vrf-03 hash to curve (suite is the suite_string octet, 0x03 or 0x04):
 *   sv_h2c_tai_draft03:  SHA-512(suite || 0x01 || pk || alpha || ctr) (no trailing 0x00),
 *                        same loop as sv_h2c_tai; returns 1, or 0 if all counters fail.
 *   sv_h2c_ell2_draft03: the draft's own Elligator 2 (5.4.1.2): 255-bit r from
 *                        SHA-512(suite || 0x01 || pk || alpha)[0:32], sign bit 0, then
 *                        cofactor * H; returns 1 (0 only if the decode failed, impossible). */
int sv_h2c_tai_draft03(ge_p3 *H, uint8_t suite, const uint8_t pk[32], const uint8_t *alpha, size_t alpha_len);
int sv_h2c_ell2_draft03(ge_p3 *H, uint8_t suite, const uint8_t pk[32], const uint8_t *alpha, size_t alpha_len);
#endif
