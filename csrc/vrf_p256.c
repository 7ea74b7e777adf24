/*
 * vrf_p256.c -- the public seqvrf API for RFC 9381 ECVRF-P256-SHA256-TAI (suite 0x01) and
 * ECVRF-P256-SHA256-SSWU (suite 0x02); declared in seqvrf.h.
 *
 * Encodings (RFC 9381 5.5): points are SEC1 compressed (33 bytes), scalars and c are
 * big-endian; pi = Gamma (33) || c (16) || s (32) = 81 bytes; beta = SHA-256(...) = 32 bytes.
 * The secret key is the scalar x itself (32 bytes big-endian, 1 <= x < q).
 * The nonce is RFC 6979 section 3.2 with HMAC-SHA-256 over h1 = SHA-256(h_string)
 * (RFC 9381 5.4.2.1).  In challenge_generation the identity point (reachable only through
 * U or V in verification) is encoded as SEC1 does, the single byte 0x00.
 * Secrets (x, k, the HMAC state) are only handled by constant-time code and wiped.
 */
#include <string.h>
#include "seqvrf.h"
#include "p256_fe.h"
#include "p256_ge.h"
#include "p256_h2c.h"
#include "p256_sc.h"
#include "sha256.h"
#include "sha512.h" /* sv_wipe */

/* See vrf.c: under the valgrind constant-time check, values that are public by protocol
 * but computed from secrets are declared defined. */
#ifdef SEQVRF_CTIME_CHECK
#include <valgrind/memcheck.h>
#define SV_DECLASSIFY(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define SV_DECLASSIFY(p, n) ((void)0)
#endif

#define P256_PK_MAGIC 0x5345515650325031ULL /* "SEQVP2P1" */
#define P256_SK_MAGIC 0x5345515650325331ULL /* "SEQVP2S1" */

typedef struct {
    uint64_t magic;
    uint8_t bytes[33];   /* PK_string as given (a valid compressed encoding) */
    p256_ge Y;           /* decoded point */
    p256_ge_table negY;  /* 0..15 times -Y for the verification equation U = s*B - c*Y */
} p256_pk_int;

typedef char sv_p256_pk_int_fits[(sizeof(p256_pk_int) <= sizeof(seqvrf_p256_pubkey)) ? 1 : -1];

typedef struct {
    uint64_t magic;
    uint8_t x[32];  /* secret scalar, 1 <= x < q, big-endian */
    uint8_t pk[33]; /* encode(x*B) */
} p256_sk_int;

typedef char sv_p256_sk_int_fits[(sizeof(p256_sk_int) <= sizeof(seqvrf_p256_secret)) ? 1 : -1];

static int suite_ok(int suite) {
    return suite == SEQVRF_SUITE_P256_SHA256_TAI || suite == SEQVRF_SUITE_P256_SHA256_SSWU;
}

/* Inputs public (the public key string and alpha), in prove as in verify. */
static int hash_to_curve_vartime(p256_ge *H, int suite, const uint8_t pk[33], const uint8_t *alpha,
                                 size_t alpha_len) {
    if (suite == SEQVRF_SUITE_P256_SHA256_TAI)
        return sv_p256_h2c_tai_vartime(H, (uint8_t)suite, pk, alpha, alpha_len);
    sv_p256_h2c_sswu_vartime(H, (uint8_t)suite, pk, alpha, alpha_len);
    return 1;
}

/* RFC 9381 5.4.3: c = SHA-256(suite || 0x02 || P1 || ... || P5 || 0x00)[0:16] */
static void challenge(uint8_t c[16], int suite, const uint8_t *const pts[5], const size_t lens[5]) {
    const uint8_t head[2] = {(uint8_t)suite, 0x02}, tail = 0x00;
    uint8_t h[32];
    sv_sha256_ctx ctx;
    int i;
    sv_sha256_init(&ctx);
    sv_sha256_update(&ctx, head, 2);
    for (i = 0; i < 5; i++) sv_sha256_update(&ctx, pts[i], lens[i]);
    sv_sha256_update(&ctx, &tail, 1);
    sv_sha256_final(&ctx, h);
    memcpy(c, h, 16);
}

/* RFC 9381 5.2: beta = SHA-256(suite || 0x03 || point_to_string(Gamma) || 0x00) (cofactor 1) */
static void beta_from_gamma(uint8_t beta[32], int suite, const uint8_t gamma[33]) {
    const uint8_t head[2] = {(uint8_t)suite, 0x03}, tail = 0x00;
    sv_sha256_ctx ctx;
    sv_sha256_init(&ctx);
    sv_sha256_update(&ctx, head, 2);
    sv_sha256_update(&ctx, gamma, 33);
    sv_sha256_update(&ctx, &tail, 1);
    sv_sha256_final(&ctx, beta);
}

/* See vrf.c: overwrite the stack region the field and group formulas used (their frames
 * keep secret-derived temporaries); the deepest chain here is far below 16 KB. */
#define SV_STACK_SCRUB_BYTES 16384
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void stack_scrub(void) {
    uint8_t buf[SV_STACK_SCRUB_BYTES];
    sv_wipe(buf, sizeof buf);
}

/* ---- RFC 6979 section 3.2 nonce (RFC 9381 5.4.2.1) ---- */

static void hmac_k(uint8_t out[32], const uint8_t K[32], const uint8_t *a, size_t alen, const uint8_t *sep,
                   const uint8_t *b, size_t blen, const uint8_t *c, size_t clen) {
    sv_hmac256_ctx h;
    sv_hmac256_init(&h, K, 32);
    sv_hmac256_update(&h, a, alen);
    if (sep != NULL) sv_hmac256_update(&h, sep, 1);
    sv_hmac256_update(&h, b, blen);
    sv_hmac256_update(&h, c, clen);
    sv_hmac256_final(&h, out);
}

/* k from the secret x (1 <= x < q) and h_string = point_to_string(H).  qlen = hlen = 256,
 * so bits2int is a plain big-endian read and bits2octets(h1) = h1 mod q.  The loop's exit
 * test reveals only whether a candidate was out of range (probability about 2^-32), which
 * says nothing about the k finally used: that one bit is declassified for valgrind. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline)) /* its frame must lie where the caller's stack_scrub reaches */
#endif
static void nonce_rfc6979(uint8_t k[32], const uint8_t x[32], const uint8_t hstr[33]) {
    static const uint8_t zero = 0x00, one = 0x01;
    uint8_t h1[32], bh[32], V[32], K[32];
    int ok;
    sv_sha256(h1, hstr, 33);                 /* h1 = Hash(h_string) (public) */
    sv_p256_sc_reduce(bh, h1);               /* bits2octets(h1) */
    memset(V, 0x01, 32);                     /* step b */
    memset(K, 0x00, 32);                     /* step c */
    hmac_k(K, K, V, 32, &zero, x, 32, bh, 32); /* d: K = HMAC_K(V || 0x00 || int2octets(x) || bh) */
    hmac_k(V, K, V, 32, NULL, NULL, 0, NULL, 0);  /* e: V = HMAC_K(V) */
    hmac_k(K, K, V, 32, &one, x, 32, bh, 32);  /* f: K = HMAC_K(V || 0x01 || int2octets(x) || bh) */
    hmac_k(V, K, V, 32, NULL, NULL, 0, NULL, 0);  /* g: V = HMAC_K(V) */
    for (;;) {                               /* h */
        hmac_k(V, K, V, 32, NULL, NULL, 0, NULL, 0); /* T = V = HMAC_K(V) (tlen = qlen) */
        ok = sv_p256_sc_is_valid_secret(V);  /* 1 <= k < q */
        SV_DECLASSIFY(&ok, sizeof ok);
        if (ok) break;
        hmac_k(K, K, V, 32, &zero, NULL, 0, NULL, 0); /* K = HMAC_K(V || 0x00) */
        hmac_k(V, K, V, 32, NULL, NULL, 0, NULL, 0);  /* V = HMAC_K(V) */
    }
    memcpy(k, V, 32);
    sv_wipe(V, sizeof V);
    sv_wipe(K, sizeof K);
    sv_wipe(bh, sizeof bh);
}

/* ---- secret keys and proving ---- */

/* Fill *k from x (checked by the caller).  Leaves secret temporaries in callee frames. */
static void expand_core(p256_sk_int *k, const uint8_t x[32]) {
    p256_ge Y;
    memcpy(k->x, x, 32);
    sv_p256_ge_scalarmult_base(&Y, x);
    (void)sv_p256_ge_encode(k->pk, &Y); /* x != 0 mod q: never the identity */
    SV_DECLASSIFY(k->pk, 33);            /* the public key is public */
    k->magic = P256_SK_MAGIC;
    sv_wipe(&Y, sizeof Y);
}

/* 1 iff x is a valid secret scalar; the verdict is declassified (rejecting a key that is
 * 0 or >= q says nothing about a key that is accepted). */
static int secret_ok(const uint8_t x[32]) {
    int ok = sv_p256_sc_is_valid_secret(x);
    SV_DECLASSIFY(&ok, sizeof ok);
    return ok;
}

static int load_secret(p256_sk_int *k, const seqvrf_p256_secret *sk) {
    memcpy(k, sk, sizeof *k);
    SV_DECLASSIFY(&k->magic, sizeof k->magic);
    SV_DECLASSIFY(k->pk, sizeof k->pk);
    return k->magic == P256_SK_MAGIC;
}

/* RFC 9381 5.1 with checked arguments and pi zeroed.  The caller scrubs the stack. */
static int prove_core(uint8_t pi[81], const p256_sk_int *k, const uint8_t *alpha, size_t alpha_len, int suite) {
    uint8_t hstr[33], nonce[32], enc[3][33], c[32], ystr[33];
    const uint8_t *pts[5];
    size_t lens[5] = {33, 33, 33, 33, 33}, elens[3];
    const p256_ge *gpts[3];
    p256_ge H, G, kB, kH;
    int rc = SEQVRF_OK;
    memcpy(ystr, k->pk, 33);
    if (!hash_to_curve_vartime(&H, suite, ystr, alpha, alpha_len)) { /* 2. (probability ~2^-256) */
        rc = SEQVRF_ERR_ARG;
        goto done;
    }
    (void)sv_p256_ge_encode(hstr, &H);          /* 3. h_string */
    sv_p256_ge_scalarmult(&G, k->x, &H);        /* 4. Gamma = x*H */
    nonce_rfc6979(nonce, k->x, hstr);           /* 5. k */
    sv_p256_ge_scalarmult_base(&kB, nonce);
    sv_p256_ge_scalarmult(&kH, nonce, &H);
    gpts[0] = &G; gpts[1] = &kB; gpts[2] = &kH; /* none is the identity: x, k in [1, q-1] */
    sv_p256_ge_encode_batch(enc, elens, gpts, 3);
    pts[0] = ystr; pts[1] = hstr; pts[2] = enc[0]; pts[3] = enc[1]; pts[4] = enc[2];
    memset(c, 0, 32);
    challenge(c + 16, suite, pts, lens);        /* 6. c, as a 32-byte big-endian integer */
    memcpy(pi, enc[0], 33);                     /* 8. pi = Gamma || c || s */
    memcpy(pi + 33, c + 16, 16);
    sv_p256_sc_muladd(pi + 49, c, k->x, nonce); /* 7. s = k + c*x mod q */
done:
    sv_wipe(nonce, sizeof nonce);
    sv_wipe(enc, sizeof enc);
    sv_wipe(&kB, sizeof kB);
    sv_wipe(&kH, sizeof kH);
    sv_wipe(&G, sizeof G);
    return rc;
}

static int prove_args_ok(const uint8_t *alpha, size_t alpha_len, int suite) {
    return (alpha != NULL || alpha_len == 0) && suite_ok(suite);
}

int seqvrf_p256_secret_expand(seqvrf_p256_secret *out, const uint8_t sk[32]) {
    p256_sk_int k;
    if (out == NULL) return SEQVRF_ERR_ARG;
    sv_wipe(out, sizeof *out);
    if (sk == NULL) return SEQVRF_ERR_ARG;
    if (!secret_ok(sk)) return SEQVRF_ERR_KEY;
    expand_core(&k, sk);
    memcpy(out, &k, sizeof k);
    sv_wipe(&k, sizeof k);
    stack_scrub();
    return SEQVRF_OK;
}

int seqvrf_p256_prove_expanded(uint8_t pi[81], const seqvrf_p256_secret *sk, const uint8_t *alpha,
                               size_t alpha_len, int suite) {
    p256_sk_int k;
    int rc = SEQVRF_ERR_ARG;
    if (pi == NULL) return SEQVRF_ERR_ARG;
    memset(pi, 0, 81);
    if (sk == NULL || !prove_args_ok(alpha, alpha_len, suite)) return SEQVRF_ERR_ARG;
    if (load_secret(&k, sk)) rc = prove_core(pi, &k, alpha, alpha_len, suite);
    if (rc != SEQVRF_OK) memset(pi, 0, 81);
    sv_wipe(&k, sizeof k);
    stack_scrub();
    return rc;
}

int seqvrf_p256_secret_public_key(uint8_t pk[33], const seqvrf_p256_secret *sk) {
    p256_sk_int k;
    int rc = SEQVRF_ERR_ARG;
    if (pk == NULL) return SEQVRF_ERR_ARG;
    memset(pk, 0, 33);
    if (sk == NULL) return SEQVRF_ERR_ARG;
    if (load_secret(&k, sk)) {
        memcpy(pk, k.pk, 33);
        rc = SEQVRF_OK;
    }
    sv_wipe(&k, sizeof k);
    return rc;
}

void seqvrf_p256_secret_wipe(seqvrf_p256_secret *sk) {
    if (sk != NULL) sv_wipe(sk, sizeof *sk);
}

int seqvrf_p256_public_key(uint8_t pk[33], const uint8_t sk[32]) {
    p256_sk_int k;
    if (pk == NULL) return SEQVRF_ERR_ARG;
    memset(pk, 0, 33);
    if (sk == NULL) return SEQVRF_ERR_ARG;
    if (!secret_ok(sk)) return SEQVRF_ERR_KEY;
    expand_core(&k, sk);
    memcpy(pk, k.pk, 33);
    sv_wipe(&k, sizeof k);
    stack_scrub();
    return SEQVRF_OK;
}

int seqvrf_p256_prove(uint8_t pi[81], const uint8_t sk[32], const uint8_t *alpha, size_t alpha_len, int suite) {
    p256_sk_int k;
    int rc;
    if (pi == NULL) return SEQVRF_ERR_ARG;
    memset(pi, 0, 81);
    if (sk == NULL || !prove_args_ok(alpha, alpha_len, suite)) return SEQVRF_ERR_ARG;
    if (!secret_ok(sk)) return SEQVRF_ERR_KEY;
    expand_core(&k, sk);
    rc = prove_core(pi, &k, alpha, alpha_len, suite);
    if (rc != SEQVRF_OK) memset(pi, 0, 81);
    sv_wipe(&k, sizeof k);
    stack_scrub();
    return rc;
}

/* ---- public keys and verification (variable time: every input is public) ---- */

/* RFC 9381 5.4.5 for P-256: the key must decode (SEC1 compressed, x < p, on the curve);
 * the identity has no 33-byte encoding and the cofactor is 1, so that is all. */
static int decode_key_vartime(p256_pk_int *k, const uint8_t pk[33]) {
    p256_ge nY;
    memset(k, 0, sizeof *k);
    if (!sv_p256_ge_decode_vartime(&k->Y, pk)) return SEQVRF_ERR_KEY;
    memcpy(k->bytes, pk, 33);
    sv_p256_ge_neg(&nY, &k->Y);
    sv_p256_ge_table_vartime(&k->negY, &nY);
    k->magic = P256_PK_MAGIC;
    return SEQVRF_OK;
}

int seqvrf_p256_validate_key(const uint8_t pk[33]) {
    p256_ge Y;
    if (pk == NULL) return SEQVRF_ERR_ARG;
    return sv_p256_ge_decode_vartime(&Y, pk) ? SEQVRF_OK : SEQVRF_ERR_KEY;
}

int seqvrf_p256_pubkey_parse(seqvrf_p256_pubkey *out, const uint8_t pk[33]) {
    p256_pk_int k;
    int rc;
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (pk == NULL) return SEQVRF_ERR_ARG;
    rc = decode_key_vartime(&k, pk);
    if (rc != SEQVRF_OK) return rc;
    memcpy(out, &k, sizeof k);
    return SEQVRF_OK;
}

/* 5.4.4 decode_proof: Gamma must decode, s < q (c is 16 bytes: < 2^128 by construction) */
static int decode_proof_vartime(p256_ge *G, const uint8_t pi[81]) {
    if (!sv_p256_ge_decode_vartime(G, pi)) return 0;
    if (!sv_p256_sc_is_canonical(pi + 49)) return 0;
    return 1;
}

/* Verification: every input is public. */
static int verify_core_vartime(uint8_t beta[32], const p256_pk_int *k, const uint8_t pi[81], const uint8_t *alpha,
                       size_t alpha_len, int suite) {
    p256_ge G, H, U, V, nG, cY;
    p256_ge_table th, tg;
    uint8_t c[32], enc[3][33], cc[16];
    const uint8_t *pts[5];
    size_t lens[5], elens[3];
    const p256_ge *gpts[3];
    if (!decode_proof_vartime(&G, pi)) return SEQVRF_ERR_PROOF;                          /* 4-5 */
    if (!hash_to_curve_vartime(&H, suite, k->bytes, alpha, alpha_len)) return SEQVRF_ERR_PROOF; /* 6 */
    memset(c, 0, 16);
    memcpy(c + 16, pi + 33, 16);
    sv_p256_ge_scalarmult_base_vartime(&U, pi + 49);                     /* 7. U = s*B - c*Y */
    sv_p256_ge_scalarmult_table_vartime(&cY, c, &k->negY);
    sv_p256_ge_add(&U, &U, &cY);
    sv_p256_ge_table_vartime(&th, &H);
    sv_p256_ge_neg(&nG, &G);
    sv_p256_ge_table_vartime(&tg, &nG);
    sv_p256_ge_double_scalarmult_vartime(&V, pi + 49, &th, c, &tg);     /* 8. V = s*H - c*Gamma */
    gpts[0] = &H; gpts[1] = &U; gpts[2] = &V; /* U or V may be the identity: one 0x00 byte */
    sv_p256_ge_encode_batch(enc, elens, gpts, 3);
    pts[0] = k->bytes; lens[0] = 33;
    pts[1] = enc[0]; lens[1] = elens[0];
    pts[2] = pi; lens[2] = 33; /* Gamma decoded, so its string is canonical */
    pts[3] = enc[1]; lens[3] = elens[1];
    pts[4] = enc[2]; lens[4] = elens[2];
    challenge(cc, suite, pts, lens);                                      /* 9 */
    if (memcmp(cc, pi + 33, 16) != 0) return SEQVRF_ERR_PROOF;           /* 10 (public data) */
    beta_from_gamma(beta, suite, pi);
    return SEQVRF_OK;
}

static int verify_args_ok(const uint8_t *pi, const uint8_t *alpha, size_t alpha_len, int suite) {
    return pi != NULL && (alpha != NULL || alpha_len == 0) && suite_ok(suite);
}

int seqvrf_p256_verify_parsed(uint8_t beta[32], const seqvrf_p256_pubkey *pk, const uint8_t pi[81],
                              const uint8_t *alpha, size_t alpha_len, int suite) {
    p256_pk_int k;
    int rc;
    if (beta == NULL) return SEQVRF_ERR_ARG;
    memset(beta, 0, 32);
    if (pk == NULL || !verify_args_ok(pi, alpha, alpha_len, suite)) return SEQVRF_ERR_ARG;
    memcpy(&k, pk, sizeof k);
    if (k.magic != P256_PK_MAGIC) return SEQVRF_ERR_ARG;
    rc = verify_core_vartime(beta, &k, pi, alpha, alpha_len, suite);
    if (rc != SEQVRF_OK) memset(beta, 0, 32);
    return rc;
}

int seqvrf_p256_verify(uint8_t beta[32], const uint8_t pk[33], const uint8_t pi[81], const uint8_t *alpha,
                       size_t alpha_len, int suite) {
    p256_pk_int k;
    int rc;
    if (beta == NULL) return SEQVRF_ERR_ARG;
    memset(beta, 0, 32);
    if (pk == NULL || !verify_args_ok(pi, alpha, alpha_len, suite)) return SEQVRF_ERR_ARG;
    rc = decode_key_vartime(&k, pk);
    if (rc != SEQVRF_OK) return rc;
    rc = verify_core_vartime(beta, &k, pi, alpha, alpha_len, suite);
    if (rc != SEQVRF_OK) memset(beta, 0, 32);
    return rc;
}

int seqvrf_p256_proof_to_hash(uint8_t beta[32], const uint8_t pi[81], int suite) {
    p256_ge G;
    if (beta == NULL) return SEQVRF_ERR_ARG;
    memset(beta, 0, 32);
    if (pi == NULL || !suite_ok(suite)) return SEQVRF_ERR_ARG;
    if (!decode_proof_vartime(&G, pi)) return SEQVRF_ERR_PROOF;
    beta_from_gamma(beta, suite, pi); /* decoded, so pi[0:33] is point_to_string(Gamma) */
    return SEQVRF_OK;
}

/* ---- debug primitives ---- */

int seqvrf_p256_debug_hash_to_curve(uint8_t h[33], const uint8_t pk[33], const uint8_t *alpha, size_t alpha_len,
                                    int suite) {
    p256_ge H;
    if (h == NULL) return SEQVRF_ERR_ARG;
    memset(h, 0, 33);
    if (pk == NULL || (alpha == NULL && alpha_len != 0) || !suite_ok(suite)) return SEQVRF_ERR_ARG;
    if (!hash_to_curve_vartime(&H, suite, pk, alpha, alpha_len)) return SEQVRF_ERR_PROOF;
    (void)sv_p256_ge_encode(h, &H);
    return SEQVRF_OK;
}

int seqvrf_p256_debug_map_to_curve(uint8_t out[33], const uint8_t u[32]) {
    p256_fe fu;
    p256_ge Q;
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 33);
    if (u == NULL) return SEQVRF_ERR_ARG;
    if (!p256_fe_frombytes(&fu, u)) return SEQVRF_ERR_ARG;
    sv_p256_map_to_curve_sswu_vartime(&Q, &fu);
    (void)sv_p256_ge_encode(out, &Q);
    return SEQVRF_OK;
}

int seqvrf_p256_debug_nonce(uint8_t k[32], const uint8_t sk[32], const uint8_t h[33]) {
    if (k == NULL) return SEQVRF_ERR_ARG;
    memset(k, 0, 32);
    if (sk == NULL || h == NULL) return SEQVRF_ERR_ARG;
    if (!secret_ok(sk)) return SEQVRF_ERR_KEY;
    nonce_rfc6979(k, sk, h);
    stack_scrub(); /* the HMAC state and candidate limbs are secret too */
    return SEQVRF_OK;
}

int seqvrf_p256_debug_scalarmult(uint8_t out[33], const uint8_t n[32], const uint8_t p[33]) {
    p256_ge P, R;
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 33);
    if (n == NULL || p == NULL) return SEQVRF_ERR_ARG;
    if (!sv_p256_ge_decode_vartime(&P, p)) return SEQVRF_ERR_KEY;
    sv_p256_ge_scalarmult(&R, n, &P);
    (void)sv_p256_ge_encode(out, &R);
    return SEQVRF_OK;
}

int seqvrf_p256_debug_scalarmult_base(uint8_t out[33], const uint8_t n[32]) {
    p256_ge R;
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 33);
    if (n == NULL) return SEQVRF_ERR_ARG;
    sv_p256_ge_scalarmult_base(&R, n);
    (void)sv_p256_ge_encode(out, &R);
    return SEQVRF_OK;
}

int seqvrf_p256_debug_double_scalarmult_vartime(uint8_t out[33], const uint8_t a[32], const uint8_t p[33],
                                                const uint8_t b[32], const uint8_t q[33]) {
    p256_ge P, Q, R;
    p256_ge_table tp, tq;
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 33);
    if (a == NULL || b == NULL || p == NULL || q == NULL) return SEQVRF_ERR_ARG;
    if (!sv_p256_ge_decode_vartime(&P, p) || !sv_p256_ge_decode_vartime(&Q, q)) return SEQVRF_ERR_KEY;
    sv_p256_ge_table_vartime(&tp, &P);
    sv_p256_ge_table_vartime(&tq, &Q);
    sv_p256_ge_double_scalarmult_vartime(&R, a, &tp, b, &tq);
    (void)sv_p256_ge_encode(out, &R);
    return SEQVRF_OK;
}

int seqvrf_p256_debug_add(uint8_t out[33], const uint8_t p[33], const uint8_t q[33], int dbl) {
    p256_ge P, Q, R;
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 33);
    if (p == NULL || q == NULL) return SEQVRF_ERR_ARG;
    if (!sv_p256_ge_decode_vartime(&P, p) || !sv_p256_ge_decode_vartime(&Q, q)) return SEQVRF_ERR_KEY;
    if (dbl) sv_p256_ge_dbl(&R, &P);
    else sv_p256_ge_add(&R, &P, &Q);
    (void)sv_p256_ge_encode(out, &R);
    return SEQVRF_OK;
}

int seqvrf_p256_debug_scalar_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32], const uint8_t c[32]) {
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 32);
    if (a == NULL || b == NULL || c == NULL) return SEQVRF_ERR_ARG;
    if (!sv_p256_sc_is_canonical(b) || !sv_p256_sc_is_canonical(c)) return SEQVRF_ERR_ARG;
    sv_p256_sc_muladd(out, a, b, c);
    return SEQVRF_OK;
}

int seqvrf_p256_debug_hmac_sha256(uint8_t out[32], const uint8_t *key, size_t key_len, const uint8_t *msg,
                                  size_t len) {
    sv_hmac256_ctx h;
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 32);
    if ((key == NULL && key_len != 0) || (msg == NULL && len != 0)) return SEQVRF_ERR_ARG;
    sv_hmac256_init(&h, key, key_len);
    sv_hmac256_update(&h, msg, len);
    sv_hmac256_final(&h, out);
    return SEQVRF_OK;
}

int seqvrf_p256_debug_sha256(uint8_t out[32], const uint8_t *msg, size_t len) {
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 32);
    if (msg == NULL && len != 0) return SEQVRF_ERR_ARG;
    sv_sha256(out, msg, len);
    return SEQVRF_OK;
}
