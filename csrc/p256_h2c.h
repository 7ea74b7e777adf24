/*
 * p256_h2c.h -- RFC 9381 5.4.1 encode_to_curve for the P-256 suites.  Internal.
 *
 * Contract (inputs are public: the public key string and alpha; both functions are
 * variable time, in public data only)
 *   sv_p256_h2c_tai_vartime:  5.4.1.1 try-and-increment: for ctr = 0, 1, ...,
 *       H = string_to_point(0x02 || SHA-256(suite || 0x01 || pk || alpha || ctr || 0x00));
 *       returns 1, or 0 if all 256 counters fail (probability about 2^-256).
 *   sv_p256_h2c_sswu_vartime: 5.4.1.2 / RFC 9380 P256_XMD:SHA-256_SSWU_NU_ with
 *       DST = "ECVRF_P256_XMD:SHA-256_SSWU_NU_" || suite, msg = pk || alpha:
 *       u = hash_to_field(msg, 1) (expand_message_xmd, L = 48), simplified SWU
 *       (RFC 9380 6.6.2, Z = -10); the cofactor is 1.
 *   pk (33 bytes) is hashed as given (PK_string); it is not decoded here.
 */
#ifndef SEQVRF_P256_H2C_H
#define SEQVRF_P256_H2C_H
#include <stddef.h>
#include <stdint.h>
#include "p256_ge.h"

int sv_p256_h2c_tai_vartime(p256_ge *H, uint8_t suite, const uint8_t pk[33], const uint8_t *alpha,
                            size_t alpha_len);
void sv_p256_h2c_sswu_vartime(p256_ge *H, uint8_t suite, const uint8_t pk[33], const uint8_t *alpha,
                              size_t alpha_len);
/* The map alone (RFC 9380 6.6.2, straight from the RFC's steps; exposed for tests). */
void sv_p256_map_to_curve_sswu_vartime(p256_ge *Q, const p256_fe *u);

#endif
