/*
 * seqvrf.h -- the one public header of the seqvrf C core.
 *
 * RFC 9381 ECVRF over edwards25519 with SHA-512:
 *   suite 0x03  ECVRF-EDWARDS25519-SHA512-TAI   (try-and-increment hash to curve)
 *   suite 0x04  ECVRF-EDWARDS25519-SHA512-ELL2  (RFC 9380 Elligator 2, edwards25519_XMD:SHA-512_ELL2_NU_)
 *
 * Conventions
 *   - Every function returns an int status (SEQVRF_OK or a negative SEQVRF_ERR_*).
 *   - Every argument is re-checked here even though the Python layer checks first:
 *     NULL pointers, suite numbers, lengths.
 *   - Outputs are zeroed on failure.
 *   - No heap, no floats, no mutable globals.  Precomputed tables are static const.
 *   - Functions taking a secret (seed or expanded key) are constant-time in it.
 *     Verification is variable-time: its inputs are public.
 */
#ifndef SEQVRF_H
#define SEQVRF_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define SEQVRF_WUR __attribute__((warn_unused_result))
#else
#define SEQVRF_WUR
#endif

#define SEQVRF_OK 0
#define SEQVRF_ERR_ARG (-1)   /* NULL pointer, bad length or unknown suite */
#define SEQVRF_ERR_KEY (-2)   /* public key does not decode or fails RFC 9381 5.4.5 validation */
#define SEQVRF_ERR_PROOF (-3) /* proof does not decode, s >= q, or the proof is not valid */

#define SEQVRF_SUITE_EDWARDS25519_SHA512_TAI 3
#define SEQVRF_SUITE_EDWARDS25519_SHA512_ELL2 4

#define SEQVRF_SEED_BYTES 32
#define SEQVRF_PUBLICKEY_BYTES 32
#define SEQVRF_PROOF_BYTES 80
#define SEQVRF_OUTPUT_BYTES 64
#define SEQVRF_POINT_BYTES 32
#define SEQVRF_SCALAR_BYTES 32

/* A decoded public key: the point, its encoding and a small table for verification.
 * Opaque; its size is fixed so callers can allocate it. */
#define SEQVRF_PUBKEY_WORDS 256
typedef struct seqvrf_pubkey {
    uint64_t opaque[SEQVRF_PUBKEY_WORDS];
} seqvrf_pubkey;

/* An expanded secret key: x = clamp(SHA-512(seed)[0:32]) mod q, the nonce prefix
 * SHA-512(seed)[32:64] and the encoded public key Y = x*B, computed once by
 * seqvrf_secret_expand so that each prove skips the hash and the fixed-base
 * multiplication.  Opaque; its size is fixed so callers can allocate it.  It holds
 * secrets: wipe it with seqvrf_secret_wipe when done. */
#define SEQVRF_SECRET_WORDS 32
typedef struct seqvrf_secret {
    uint64_t opaque[SEQVRF_SECRET_WORDS];
} seqvrf_secret;

/* Expand a 32-byte RFC 8032 seed.  On failure *out is zeroed (and not usable). */
SEQVRF_WUR int seqvrf_secret_expand(seqvrf_secret *out, const uint8_t seed[32]);

/* RFC 9381 5.1 prove with an expanded key; same output as seqvrf_prove on its seed.
 * SEQVRF_ERR_ARG if *sk was not filled by a successful seqvrf_secret_expand. */
SEQVRF_WUR int seqvrf_prove_expanded(uint8_t pi[80], const seqvrf_secret *sk,
                                     const uint8_t *alpha, size_t alpha_len, int suite);

/* The public key stored in an expanded key (no computation).
 * SEQVRF_ERR_ARG if *sk was not filled by a successful seqvrf_secret_expand. */
SEQVRF_WUR int seqvrf_secret_public_key(uint8_t pk[32], const seqvrf_secret *sk);

/* Zero *sk with stores the compiler cannot remove.  NULL is ignored. */
void seqvrf_secret_wipe(seqvrf_secret *sk);

/* Public key Y = x*B from a 32-byte RFC 8032 seed (same as the Ed25519 public key). */
SEQVRF_WUR int seqvrf_public_key(uint8_t pk[32], const uint8_t seed[32]);

/* RFC 9381 5.1 prove from the seed (expands it, proves, wipes the expansion).
 * pi = Gamma || c(16) || s(32).  (For TAI, if all 256 counters fail --
 * probability about 2^-256 -- SEQVRF_ERR_ARG is returned.) */
SEQVRF_WUR int seqvrf_prove(uint8_t pi[80], const uint8_t seed[32],
                            const uint8_t *alpha, size_t alpha_len, int suite);

/* RFC 9381 5.4.5 key validation: decodes and is not of small order. */
SEQVRF_WUR int seqvrf_validate_key(const uint8_t pk[32]);

/* Decode (and, if validate != 0, validate) a public key once for repeated verifies. */
SEQVRF_WUR int seqvrf_pubkey_parse(seqvrf_pubkey *out, const uint8_t pk[32], int validate);

/* RFC 9381 5.3 verify with a parsed key; on success writes beta (5.2 proof_to_hash).
 * SEQVRF_ERR_ARG if *pk was not filled by a successful seqvrf_pubkey_parse. */
SEQVRF_WUR int seqvrf_verify_parsed(uint8_t beta[64], const seqvrf_pubkey *pk,
                                    const uint8_t pi[80], const uint8_t *alpha,
                                    size_t alpha_len, int suite);

/* RFC 9381 5.3 verify of n items with parsed keys in one call (so a caller that must
 * re-acquire a lock between calls, such as Python's GIL, does so once per batch).
 * Item i: key keys[i], proof proofs[80*i .. 80*i+80), alpha
 * alphas[alpha_offsets[i] .. alpha_offsets[i+1]).  Per item, statuses[i] is SEQVRF_OK
 * (beta written to betas[64*i ..]), SEQVRF_ERR_PROOF, or SEQVRF_ERR_ARG when keys[i] is
 * NULL or was not filled by a successful seqvrf_pubkey_parse; betas of failed items are
 * zeroed.  Returns SEQVRF_OK when the arrays as a whole are usable, else SEQVRF_ERR_ARG
 * with every status (and beta) set as for a failed item: unknown suite, a NULL array
 * with n > 0, alpha_offsets[0] != 0, decreasing offsets, or NULL alphas with
 * alpha_offsets[n] != 0.  Variable-time, like every verify here: its inputs are public. */
SEQVRF_WUR int seqvrf_verify_batch(uint8_t *betas /* n*64 */, int *statuses /* n */,
                                   const seqvrf_pubkey *const *keys /* n */, const uint8_t *proofs /* n*80 */,
                                   const uint8_t *alphas, const size_t *alpha_offsets /* n+1 */, size_t n,
                                   int suite);

/* RFC 9381 5.3 verify from encoded key bytes (parses, validates if validate != 0). */
SEQVRF_WUR int seqvrf_verify(uint8_t beta[64], const uint8_t pk[32], const uint8_t pi[80],
                             const uint8_t *alpha, size_t alpha_len, int suite, int validate);

/* RFC 9381 5.2 proof_to_hash (does NOT verify the proof). */
SEQVRF_WUR int seqvrf_proof_to_hash(uint8_t beta[64], const uint8_t pi[80], int suite);

/* ---- primitives exposed for differential tests (not part of the stable API) ---- */

/* H = encode_to_curve(pk, alpha) for the suite (RFC 9381 5.4.1). */
SEQVRF_WUR int seqvrf_debug_hash_to_curve(uint8_t h[32], const uint8_t pk[32],
                                          const uint8_t *alpha, size_t alpha_len, int suite);
/* out = n*P, n any 32-byte little-endian integer (not clamped, reduced mod q first).
 * Rejects P that does not decode (SEQVRF_ERR_KEY).  Constant-time in n. */
SEQVRF_WUR int seqvrf_debug_scalarmult(uint8_t out[32], const uint8_t n[32], const uint8_t p[32]);
/* out = n*B with the fixed-base table (n reduced mod q first).  Constant-time in n. */
SEQVRF_WUR int seqvrf_debug_scalarmult_base(uint8_t out[32], const uint8_t n[32]);
/* out = a*B + b*P with the variable-time double-scalar multiplication (a, b any 32 bytes,
 * not reduced).  SEQVRF_ERR_KEY if P does not decode. */
SEQVRF_WUR int seqvrf_debug_double_scalarmult_vartime(uint8_t out[32], const uint8_t a[32],
                                                      const uint8_t b[32], const uint8_t p[32]);
/* out = P + Q.  SEQVRF_ERR_KEY if P or Q does not decode. */
SEQVRF_WUR int seqvrf_debug_add(uint8_t out[32], const uint8_t p[32], const uint8_t q[32]);
/* out = x mod q, x a 64-byte little-endian integer. */
SEQVRF_WUR int seqvrf_debug_scalar_reduce64(uint8_t out[32], const uint8_t x[64]);
/* out = a*b + c mod q. */
SEQVRF_WUR int seqvrf_debug_scalar_muladd(uint8_t out[32], const uint8_t a[32],
                                          const uint8_t b[32], const uint8_t c[32]);
/* out = SHA-512(msg). */
SEQVRF_WUR int seqvrf_debug_sha512(uint8_t out[64], const uint8_t *msg, size_t len);

/* ==== draft-03 suites, batch-compatible proofs, batch verification, Ed25519 ====
 *
 * Conventions as above.  In addition, every single-item edwards25519 function (above and in
 * this block; not the P-256 block below) reads all of its inputs before it writes any
 * output, so an output buffer may overlap (alias) its
 * inputs (e.g. seqvrf_prove(buf, seed, buf, 32, suite) proves over the bytes buf held on
 * entry).  The batch functions write item i's outputs before they read item i+1's inputs:
 * there, outputs overlapping any input are detected and rejected with SEQVRF_ERR_ARG.
 * (The debug primitives do not promise either; do not alias them.) */

/* draft-irtf-cfrg-vrf-03 suites (the Algorand and IOHK/Cardano libsodium forks):
 * ECVRF-ED25519-SHA512-TAI and ECVRF-ED25519-SHA512-Elligator2.  The API identifier is
 * 0x100 | suite_string: above 0xff it can never equal an RFC 9381 suite_string octet
 * (0x01..0x04), and its low byte is the octet the draft hashes (0x03, 0x04).  Every function
 * above that takes a suite accepts them (80-byte proofs, same key handling and validation as
 * the RFC suites, s >= q rejected). */
#define SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_TAI 0x103
#define SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_ELL2 0x104

/* Batch-compatible proofs (the 128-byte form IOHK/Cardano ship for the RFC 9381 ELL2 suite):
 * pi = Gamma || U || V || s with U = k*B, V = k*H; the challenge c is recomputed by the
 * verifier from (Y, H, Gamma, U, V) exactly as RFC 9381 5.4.3 does; beta is the RFC 9381
 * beta of the same Gamma.  Only suite SEQVRF_SUITE_EDWARDS25519_SHA512_ELL2.
 * Verification checks the two equations cofactored, [8](s*B - c*Y - U) = O and
 * [8](s*H - c*Gamma - V) = O, so that one-by-one and batch verification accept exactly the
 * same proofs (see docs/vrf-batch.md). */
#define SEQVRF_BATCHCOMPAT_PROOF_BYTES 128
SEQVRF_WUR int seqvrf_prove_batchcompat(uint8_t pi[128], const uint8_t seed[32], const uint8_t *alpha,
                                        size_t alpha_len, int suite);
SEQVRF_WUR int seqvrf_prove_batchcompat_expanded(uint8_t pi[128], const seqvrf_secret *sk, const uint8_t *alpha,
                                                 size_t alpha_len, int suite);
SEQVRF_WUR int seqvrf_verify_batchcompat_parsed(uint8_t beta[64], const seqvrf_pubkey *pk, const uint8_t pi[128],
                                                const uint8_t *alpha, size_t alpha_len, int suite);
/* beta from a 128-byte proof (does NOT verify; Gamma, U, V must decode and s < q). */
SEQVRF_WUR int seqvrf_proof_to_hash_batchcompat(uint8_t beta[64], const uint8_t pi[128], int suite);

/* Batch verification of n batch-compatible proofs by one random linear combination,
 * evaluated with a variable-time multi-scalar multiplication (Pippenger):
 *   [8] sum_i ( z_i (s_i B - c_i Y_i - U_i) + w_i (s_i H_i - c_i Gamma_i - V_i) ) = O.
 * coeffs holds 32 bytes per item: z_i (16 bytes LE) then w_i (16 bytes LE), uniformly random
 * from a CSPRNG, never reused, unknown to whoever made the proofs.  If the combination fails,
 * the batch is bisected; a single item is decided by seqvrf_verify_batchcompat_parsed's exact
 * check, so the result equals one-by-one verification except with probability about
 * 2^-116 per call of up to 1,024 items (2^-128 per combination evaluated).  Items and statuses as in
 * seqvrf_verify_batch (proofs are 128 bytes each).  scratch: caller-provided memory of at
 * least seqvrf_verify_batchcompat_batch_scratch_bytes(n) bytes (no heap here).  Returns
 * SEQVRF_ERR_ARG (every status ERR_ARG, betas zeroed) for unusable arrays, coeffs NULL with
 * n > 0, short scratch, or outputs overlapping inputs.  Variable-time: inputs are public. */
size_t seqvrf_verify_batchcompat_batch_scratch_bytes(size_t n);
SEQVRF_WUR int seqvrf_verify_batchcompat_batch(uint8_t *betas /* n*64 */, int *statuses /* n */,
                                               const seqvrf_pubkey *const *keys /* n */,
                                               const uint8_t *proofs /* n*128 */, const uint8_t *alphas,
                                               const size_t *alpha_offsets /* n+1 */, size_t n, int suite,
                                               const uint8_t *coeffs /* n*32 */, void *scratch,
                                               size_t scratch_len);

/* Ed25519 signature verification, one rule for single and batch (ZIP-215):
 *   A and R are decoded without canonicity checks (y >= p is reduced mod p; x = 0 with the
 *   sign bit set is accepted); they must lie on the curve; small-order A and R are allowed;
 *   s must be < L (canonical); k = SHA-512(R_bytes || A_bytes || M) mod L over the bytes as
 *   given; accept iff [8](s*B - R - k*A) = O (cofactored).
 * seqvrf_ed25519_verify: SEQVRF_OK, SEQVRF_ERR_KEY (A is not on the curve), SEQVRF_ERR_PROOF
 * (R not on the curve, s >= L, or the equation fails), SEQVRF_ERR_ARG (NULL). */
SEQVRF_WUR int seqvrf_ed25519_verify(const uint8_t pk[32], const uint8_t *msg, size_t msg_len,
                                     const uint8_t sig[64]);
/* Batch: item i = (pks[32i..], msgs[msg_offsets[i] .. msg_offsets[i+1]), sigs[64i..]);
 * statuses[i] as seqvrf_ed25519_verify would return.  coeffs: 16 random bytes per item
 * (z_i); [8] sum z_i (s_i B - R_i - k_i A_i) = O is checked with the MSM, bisected on failure,
 * single items decided exactly.  Scratch and error rules as seqvrf_verify_batchcompat_batch. */
size_t seqvrf_ed25519_verify_batch_scratch_bytes(size_t n);
SEQVRF_WUR int seqvrf_ed25519_verify_batch(int *statuses /* n */, const uint8_t *pks /* n*32 */,
                                           const uint8_t *msgs, const size_t *msg_offsets /* n+1 */,
                                           const uint8_t *sigs /* n*64 */, size_t n,
                                           const uint8_t *coeffs /* n*16 */, void *scratch, size_t scratch_len);

/* Debug: RFC 9381 5.4.1.1 step 5C-D on one candidate string: h = cofactor * decode(cand);
 * SEQVRF_ERR_PROOF when cand does not decode or h is the identity (the loop must go on). */
SEQVRF_WUR int seqvrf_debug_tai_candidate(uint8_t h[32], const uint8_t cand[32]);
/* Debug: out = sum a[i] * P[i] with the MSM (n points of 32 bytes, n scalars of 32 bytes);
 * SEQVRF_ERR_KEY if a point does not decode. */
size_t seqvrf_debug_msm_scratch_bytes(size_t n);
SEQVRF_WUR int seqvrf_debug_msm(uint8_t out[32], const uint8_t *scalars, const uint8_t *points, size_t n,
                                void *scratch, size_t scratch_len);

/* ==== RFC 9381 ECVRF over NIST P-256 with SHA-256 (csrc/vrf_p256.c) ====
 *   suite 0x01  ECVRF-P256-SHA256-TAI   (try-and-increment hash to curve)
 *   suite 0x02  ECVRF-P256-SHA256-SSWU  (RFC 9380 P256_XMD:SHA-256_SSWU_NU_)
 * Same conventions as the top of this header, except aliasing: these functions zero their
 * outputs before reading their inputs, so an output must not overlap any input (the aliasing
 * promise of the draft-03 block is for the edwards25519 functions only).  These functions take
 * only suites 1 and 2; the edwards25519 functions reject them.
 * Encodings: points SEC1 compressed (33 bytes), integers
 * big-endian; pi = Gamma(33) || c(16) || s(32); beta is 32 bytes.  The secret key is the
 * scalar x (32 bytes big-endian); SEQVRF_ERR_KEY unless 1 <= x < q.  The nonce is RFC 6979
 * (RFC 9381 5.4.2.1).  Key validation (5.4.5) is decoding: with cofactor 1 and no 33-byte
 * encoding of the identity, every key that decodes is valid. */
#define SEQVRF_SUITE_P256_SHA256_TAI 1
#define SEQVRF_SUITE_P256_SHA256_SSWU 2

#define SEQVRF_P256_SECRET_BYTES 32
#define SEQVRF_P256_PUBLICKEY_BYTES 33
#define SEQVRF_P256_PROOF_BYTES 81
#define SEQVRF_P256_OUTPUT_BYTES 32

/* A decoded P-256 public key (point, encoding, table for verification).  Opaque. */
#define SEQVRF_P256_PUBKEY_WORDS 256
typedef struct seqvrf_p256_pubkey {
    uint64_t opaque[SEQVRF_P256_PUBKEY_WORDS];
} seqvrf_p256_pubkey;

/* A P-256 secret key with its public key computed once.  Opaque; holds the secret:
 * wipe it with seqvrf_p256_secret_wipe. */
#define SEQVRF_P256_SECRET_WORDS 12
typedef struct seqvrf_p256_secret {
    uint64_t opaque[SEQVRF_P256_SECRET_WORDS];
} seqvrf_p256_secret;

/* Check 1 <= x < q, compute Y = x*B.  On failure *out is zeroed (and not usable). */
SEQVRF_WUR int seqvrf_p256_secret_expand(seqvrf_p256_secret *out, const uint8_t sk[32]);
/* RFC 9381 5.1 with an expanded key.  SEQVRF_ERR_ARG if *sk was not filled by a successful
 * seqvrf_p256_secret_expand (or, for TAI, if all 256 counters fail: probability ~2^-256). */
SEQVRF_WUR int seqvrf_p256_prove_expanded(uint8_t pi[81], const seqvrf_p256_secret *sk,
                                          const uint8_t *alpha, size_t alpha_len, int suite);
SEQVRF_WUR int seqvrf_p256_secret_public_key(uint8_t pk[33], const seqvrf_p256_secret *sk);
void seqvrf_p256_secret_wipe(seqvrf_p256_secret *sk);
/* Y = x*B, SEC1 compressed. */
SEQVRF_WUR int seqvrf_p256_public_key(uint8_t pk[33], const uint8_t sk[32]);
/* RFC 9381 5.1 from the scalar (expands, proves, wipes). */
SEQVRF_WUR int seqvrf_p256_prove(uint8_t pi[81], const uint8_t sk[32], const uint8_t *alpha,
                                 size_t alpha_len, int suite);
/* RFC 9381 5.4.5: SEQVRF_OK iff pk decodes (0x02/0x03 prefix, x < p, on the curve). */
SEQVRF_WUR int seqvrf_p256_validate_key(const uint8_t pk[33]);
/* Decode (= validate) a public key once for repeated verifies. */
SEQVRF_WUR int seqvrf_p256_pubkey_parse(seqvrf_p256_pubkey *out, const uint8_t pk[33]);
/* RFC 9381 5.3 verify with a parsed key; on success writes beta (5.2).  SEQVRF_ERR_ARG if
 * *pk was not filled by a successful seqvrf_p256_pubkey_parse. */
SEQVRF_WUR int seqvrf_p256_verify_parsed(uint8_t beta[32], const seqvrf_p256_pubkey *pk,
                                         const uint8_t pi[81], const uint8_t *alpha, size_t alpha_len,
                                         int suite);
/* RFC 9381 5.3 verify from encoded key bytes (SEQVRF_ERR_KEY if the key does not decode). */
SEQVRF_WUR int seqvrf_p256_verify(uint8_t beta[32], const uint8_t pk[33], const uint8_t pi[81],
                                  const uint8_t *alpha, size_t alpha_len, int suite);
/* RFC 9381 5.2 proof_to_hash (does NOT verify: Gamma must decode and s < q). */
SEQVRF_WUR int seqvrf_p256_proof_to_hash(uint8_t beta[32], const uint8_t pi[81], int suite);

/* ---- P-256 primitives exposed for differential tests (not part of the stable API) ----
 * Points are 33-byte SEC1 compressed; outputs that are the identity are 33 zero bytes. */
SEQVRF_WUR int seqvrf_p256_debug_hash_to_curve(uint8_t h[33], const uint8_t pk[33],
                                               const uint8_t *alpha, size_t alpha_len, int suite);
/* RFC 9380 6.6.2 simplified SWU map of the field element u (32 bytes big-endian, < p). */
SEQVRF_WUR int seqvrf_p256_debug_map_to_curve(uint8_t out[33], const uint8_t u[32]);
/* RFC 6979 nonce k for secret sk and h_string h (SEQVRF_ERR_KEY if sk is not in [1, q-1]). */
SEQVRF_WUR int seqvrf_p256_debug_nonce(uint8_t k[32], const uint8_t sk[32], const uint8_t h[33]);
/* out = n*P, n any 32-byte big-endian integer; constant time in n. */
SEQVRF_WUR int seqvrf_p256_debug_scalarmult(uint8_t out[33], const uint8_t n[32], const uint8_t p[33]);
SEQVRF_WUR int seqvrf_p256_debug_scalarmult_base(uint8_t out[33], const uint8_t n[32]);
/* out = a*P + b*Q (variable time). */
SEQVRF_WUR int seqvrf_p256_debug_double_scalarmult_vartime(uint8_t out[33], const uint8_t a[32],
                                                           const uint8_t p[33], const uint8_t b[32],
                                                           const uint8_t q[33]);
/* out = P + Q with the complete addition, or 2P with the doubling formula if dbl != 0. */
SEQVRF_WUR int seqvrf_p256_debug_add(uint8_t out[33], const uint8_t p[33], const uint8_t q[33], int dbl);
/* out = a*b + c mod q (b, c < q, else SEQVRF_ERR_ARG; a any 32 bytes). */
SEQVRF_WUR int seqvrf_p256_debug_scalar_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32],
                                               const uint8_t c[32]);
SEQVRF_WUR int seqvrf_p256_debug_sha256(uint8_t out[32], const uint8_t *msg, size_t len);
SEQVRF_WUR int seqvrf_p256_debug_hmac_sha256(uint8_t out[32], const uint8_t *key, size_t key_len,
                                             const uint8_t *msg, size_t len);

#endif /* SEQVRF_H */
