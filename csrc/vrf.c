/*
 * vrf.c -- the public seqvrf API (seqvrf.h): RFC 9381 ECVRF-EDWARDS25519-SHA512-{TAI,ELL2}.
 * Secrets (seed, x, nonce prefix, k) are only handled by constant-time code and wiped.
 */
#include <string.h>
#include "seqvrf.h"
#include "fe.h"
#include "ge.h"
#include "batch.h"
#include "h2c.h"
#include "sc.h"
#include "sha512.h"

/* Constant-time checking (csrc/tests/run_ctime.sh builds with -DSEQVRF_CTIME_CHECK):
 * values that are public by protocol but computed from the secret (the public key) are
 * declared "defined" for valgrind, so only genuinely secret-dependent branches are flagged. */
#ifdef SEQVRF_CTIME_CHECK
#include <valgrind/memcheck.h>
#define SV_DECLASSIFY(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define SV_DECLASSIFY(p, n) ((void)0)
#endif

#define PK_MAGIC 0x5345515652465031ULL /* "SEQVRFP1" */

typedef struct {
    uint64_t magic;
    uint8_t bytes[32];  /* PK_string as given (decodes canonically) */
    ge_p3 Y;            /* decoded point */
    ge_cached tab[8];   /* (2i+1) * Y for the Straus loop */
} pk_int;

/* C99 static assert: the internal struct must fit the opaque one */
typedef char sv_pk_int_fits[(sizeof(pk_int) <= sizeof(seqvrf_pubkey)) ? 1 : -1];

#define SK_MAGIC 0x5345515652465331ULL /* "SEQVRFS1" */

typedef struct {
    uint64_t magic;
    uint8_t x[32];      /* secret scalar: clamp(SHA-512(seed)[0:32]) mod q */
    uint8_t prefix[32]; /* secret nonce prefix: SHA-512(seed)[32:64] */
    uint8_t pk[32];     /* public key encoding, encode(x*B) */
} sk_int;

typedef char sv_sk_int_fits[(sizeof(sk_int) <= sizeof(seqvrf_secret)) ? 1 : -1];

static int is_draft03(int suite) {
    return suite == SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_TAI ||
           suite == SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_ELL2;
}

static int suite_ok(int suite) {
    return suite == SEQVRF_SUITE_EDWARDS25519_SHA512_TAI || suite == SEQVRF_SUITE_EDWARDS25519_SHA512_ELL2 ||
           is_draft03(suite);
}

/* The suite_string octet hashed by the suite: the RFC 9381 value, or draft-03's (0x03 TAI,
 * 0x04 Elligator2: the low byte of the API identifier, see seqvrf.h). */
static uint8_t suite_octet(int suite) {
    return (uint8_t)(suite & 0xff);
}

/* RFC 8032 5.1.5: x = clamp(SHA-512(seed)[0:32]) mod q, prefix = SHA-512(seed)[32:64] */
static void expand_seed(uint8_t x[32], uint8_t prefix[32], const uint8_t seed[32]) {
    uint8_t h[64];
    sv_sha512(h, seed, 32);
    h[0] &= 248;
    h[31] &= 127;
    h[31] |= 64;
    memcpy(prefix, h + 32, 32);
    memset(h + 32, 0, 32);
    sv_sc_reduce64(x, h);
    sv_wipe(h, sizeof h);
}

static int hash_to_curve(ge_p3 *H, int suite, const uint8_t pk[32], const uint8_t *alpha, size_t alpha_len) {
    const uint8_t octet = suite_octet(suite);
    if (suite == SEQVRF_SUITE_EDWARDS25519_SHA512_TAI) return sv_h2c_tai(H, octet, pk, alpha, alpha_len);
    if (suite == SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_TAI) return sv_h2c_tai_draft03(H, octet, pk, alpha, alpha_len);
    if (suite == SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_ELL2)
        return sv_h2c_ell2_draft03(H, octet, pk, alpha, alpha_len);
    sv_h2c_ell2(H, octet, pk, alpha, alpha_len);
    return 1;
}

/* RFC 9381 5.4.3 challenge_generation(Y, H, Gamma, U, V):
 *   SHA-512(suite || 0x02 || Y || H || Gamma || U || V || 0x00)[0:16].
 * draft-03 5.4.2 ECVRF_hash_points(H, Gamma, U, V) has neither Y (p1) nor the 0x00:
 *   SHA-512(suite || 0x02 || H || Gamma || U || V)[0:16]. */
static void challenge(uint8_t c[16], int suite, const uint8_t p1[32], const uint8_t p2[32],
                      const uint8_t p3[32], const uint8_t p4[32], const uint8_t p5[32]) {
    const uint8_t head[2] = {suite_octet(suite), 0x02}, tail = 0x00;
    const int draft = is_draft03(suite);
    uint8_t h[64];
    sv_sha512_ctx ctx;
    sv_sha512_init(&ctx);
    sv_sha512_update(&ctx, head, 2);
    if (!draft) sv_sha512_update(&ctx, p1, 32);
    sv_sha512_update(&ctx, p2, 32);
    sv_sha512_update(&ctx, p3, 32);
    sv_sha512_update(&ctx, p4, 32);
    sv_sha512_update(&ctx, p5, 32);
    if (!draft) sv_sha512_update(&ctx, &tail, 1);
    sv_sha512_final(&ctx, h);
    memcpy(c, h, 16);
}

/* RFC 9381 5.2 from an encoded cofactor*Gamma: SHA-512(suite || 0x03 || g8 || 0x00);
 * draft-03 5.2 has no trailing 0x00. */
static void beta_from_g8(uint8_t beta[64], int suite, const uint8_t g8[32]) {
    const uint8_t head[2] = {suite_octet(suite), 0x03}, tail = 0x00;
    sv_sha512_ctx ctx;
    sv_sha512_init(&ctx);
    sv_sha512_update(&ctx, head, 2);
    sv_sha512_update(&ctx, g8, 32);
    if (!is_draft03(suite)) sv_sha512_update(&ctx, &tail, 1);
    sv_sha512_final(&ctx, beta);
}

/* Field and group formulas deeper in the call tree keep secret-derived temporaries (limbs
 * of partial scalar multiples, selected table entries) in their stack frames and do not
 * wipe them one by one.  After prove and public_key we overwrite the stack region their
 * frames used instead.  The depth depends on the optimisation level: with optimisation
 * (gcc/clang -O1 and up, __OPTIMIZE__ defined) the deepest chain under seqvrf_prove uses
 * about 11 KB (gcc -fstack-usage: sv_ge_scalarmult_multi alone 9 KB), so 16 KB covers it
 * with margin.  Without optimisation the always-inline field multiplications are expanded
 * into every frame unoptimised (-O0: map_ell2_edwards alone 33 KB, the chain about 60 KB),
 * so such builds scrub 128 KB.  csrc/tests/run_wipe_probe.sh checks every level (-O0 to
 * -O3, -Os); the Python build pins -O2 (vrf/_build.py).
 * noinline keeps this frame below the caller's, where the callees' frames were. */
#if defined(__OPTIMIZE__)
#define SV_STACK_SCRUB_BYTES 16384
#else
#define SV_STACK_SCRUB_BYTES 131072
#endif
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void stack_scrub(void) {
    uint8_t buf[SV_STACK_SCRUB_BYTES];
    sv_wipe(buf, sizeof buf);
}

static int ct_memeq(const uint8_t *a, const uint8_t *b, size_t n) {
    unsigned int d = 0;
    size_t i;
    for (i = 0; i < n; i++) d |= (unsigned int)(a[i] ^ b[i]);
    return d == 0;
}

/* ---- secret keys and proving ---- */

/* Fill *k from a seed.  Leaves secret temporaries in callee frames: the caller scrubs. */
static void expand_core(sk_int *k, const uint8_t seed[32]) {
    ge_p3 Y;
    expand_seed(k->x, k->prefix, seed);
    sv_ge_scalarmult_base(&Y, k->x);
    sv_ge_encode(k->pk, &Y);
    SV_DECLASSIFY(k->pk, 32); /* the public key is public */
    k->magic = SK_MAGIC;
    sv_wipe(&Y, sizeof Y); /* projective coordinates of x*B may say more than its encoding */
}

/* Copy an opaque key into *k; 0 unless it was filled by seqvrf_secret_expand.
 * The tag and the public key are public (the tag is a constant): they are declassified
 * for the ctime check, which marks the whole struct as secret. */
static int load_secret(sk_int *k, const seqvrf_secret *sk) {
    memcpy(k, sk, sizeof *k);
    SV_DECLASSIFY(&k->magic, sizeof k->magic);
    SV_DECLASSIFY(k->pk, sizeof k->pk);
    return k->magic == SK_MAGIC;
}

/* RFC 9381 5.1 (or draft-03 5.1) with checked arguments.  Writes pi = Gamma || c || s
 * (80 bytes) or, if batch_compat, pi = Gamma || U || V || s (128 bytes, U = k*B, V = k*H).
 * Leaves secret temporaries in callee frames: the caller scrubs. */
static int prove_core(uint8_t *pi, const sk_int *k, const uint8_t *alpha, size_t alpha_len, int suite,
                      int batch_compat) {
    uint8_t hstr[32], kh[64], sc2[2][32], enc[3][32], c[32];
    ge_p3 H, kB, GkH[2];
    const ge_p3 *pts[3];
    sv_sha512_ctx ctx;
    int rc = SEQVRF_OK;
    if (!hash_to_curve(&H, suite, k->pk, alpha, alpha_len)) { /* probability ~2^-256 */
        rc = SEQVRF_ERR_ARG;
        goto done;
    }
    sv_ge_encode(hstr, &H);
    /* RFC 9381 5.4.2.2 nonce: SHA-512(prefix || h_string) mod q */
    sv_sha512_init(&ctx);
    sv_sha512_update(&ctx, k->prefix, 32);
    sv_sha512_update(&ctx, hstr, 32);
    sv_sha512_final(&ctx, kh);
    memcpy(sc2[0], k->x, 32);
    sv_sc_reduce64(sc2[1], kh);             /* k */
    sv_ge_scalarmult_multi(GkH, (const uint8_t(*)[32])sc2, 2, &H); /* Gamma = x*H, k*H */
    sv_ge_scalarmult_base(&kB, sc2[1]);
    pts[0] = &GkH[0];
    pts[1] = &kB;
    pts[2] = &GkH[1];
    sv_ge_encode_batch(enc, pts, 3);
    memset(c, 0, 32);
    challenge(c, suite, k->pk, hstr, enc[0], enc[1], enc[2]);
    memcpy(pi, enc[0], 32);
    if (batch_compat) {
        memcpy(pi + 32, enc[1], 32);
        memcpy(pi + 64, enc[2], 32);
        sv_sc_muladd(pi + 96, c, k->x, sc2[1]); /* s = k + c*x mod q */
    } else {
        memcpy(pi + 32, c, 16);
        sv_sc_muladd(pi + 48, c, k->x, sc2[1]); /* s = k + c*x mod q */
    }
done:
    sv_wipe(kh, sizeof kh);
    sv_wipe(sc2, sizeof sc2);
    sv_wipe(enc, sizeof enc);
    sv_wipe(&kB, sizeof kB);
    sv_wipe(GkH, sizeof GkH);
    sv_wipe(&ctx, sizeof ctx);
    return rc;
}

static int prove_args_ok(const uint8_t *alpha, size_t alpha_len, int suite) {
    return (alpha != NULL || alpha_len == 0) && suite_ok(suite);
}

int seqvrf_secret_expand(seqvrf_secret *out, const uint8_t seed[32]) {
    sk_int k;
    if (out == NULL) return SEQVRF_ERR_ARG;
    if (seed == NULL) {
        sv_wipe(out, sizeof *out);
        return SEQVRF_ERR_ARG;
    }
    expand_core(&k, seed); /* reads the seed before *out is written: they may overlap */
    sv_wipe(out, sizeof *out);
    memcpy(out, &k, sizeof k);
    sv_wipe(&k, sizeof k);
    stack_scrub();
    return SEQVRF_OK;
}

int seqvrf_prove_expanded(uint8_t pi[80], const seqvrf_secret *sk, const uint8_t *alpha, size_t alpha_len,
                          int suite) {
    sk_int k;
    uint8_t out[128];
    int rc = SEQVRF_ERR_ARG;
    if (pi == NULL) return SEQVRF_ERR_ARG;
    if (sk == NULL || !prove_args_ok(alpha, alpha_len, suite)) {
        memset(pi, 0, 80);
        return SEQVRF_ERR_ARG;
    }
    /* every input is read before pi is written (pi may overlap sk or alpha) */
    if (load_secret(&k, sk)) rc = prove_core(out, &k, alpha, alpha_len, suite, 0);
    if (rc == SEQVRF_OK) memcpy(pi, out, 80);
    else memset(pi, 0, 80);
    sv_wipe(&k, sizeof k);
    sv_wipe(out, sizeof out);
    stack_scrub();
    return rc;
}

int seqvrf_secret_public_key(uint8_t pk[32], const seqvrf_secret *sk) {
    sk_int k;
    int rc = SEQVRF_ERR_ARG;
    if (pk == NULL) return SEQVRF_ERR_ARG;
    if (sk == NULL) {
        memset(pk, 0, 32);
        return SEQVRF_ERR_ARG;
    }
    if (load_secret(&k, sk)) { /* read before pk is written: they may overlap */
        memcpy(pk, k.pk, 32);
        rc = SEQVRF_OK;
    } else {
        memset(pk, 0, 32);
    }
    sv_wipe(&k, sizeof k);
    return rc;
}

void seqvrf_secret_wipe(seqvrf_secret *sk) {
    if (sk != NULL) sv_wipe(sk, sizeof *sk);
}

int seqvrf_public_key(uint8_t pk[32], const uint8_t seed[32]) {
    sk_int k;
    if (pk == NULL) return SEQVRF_ERR_ARG;
    if (seed == NULL) {
        memset(pk, 0, 32);
        return SEQVRF_ERR_ARG;
    }
    expand_core(&k, seed); /* reads the seed before pk is written: they may overlap */
    memcpy(pk, k.pk, 32);
    sv_wipe(&k, sizeof k);
    stack_scrub();
    return SEQVRF_OK;
}

/* Same as seqvrf_secret_expand + seqvrf_prove_expanded + seqvrf_secret_wipe, with one
 * stack scrub instead of two. */
int seqvrf_prove(uint8_t pi[80], const uint8_t seed[32], const uint8_t *alpha, size_t alpha_len, int suite) {
    sk_int k;
    uint8_t out[128];
    int rc;
    if (pi == NULL) return SEQVRF_ERR_ARG;
    if (seed == NULL || !prove_args_ok(alpha, alpha_len, suite)) {
        memset(pi, 0, 80);
        return SEQVRF_ERR_ARG;
    }
    /* every input is read before pi is written (pi may overlap seed or alpha) */
    expand_core(&k, seed);
    rc = prove_core(out, &k, alpha, alpha_len, suite, 0);
    if (rc == SEQVRF_OK) memcpy(pi, out, 80);
    else memset(pi, 0, 80);
    sv_wipe(out, sizeof out);
    sv_wipe(&k, sizeof k);
    stack_scrub();
    return rc;
}

/* ---- public keys and verification ---- */

static int decode_key(pk_int *k, const uint8_t pk[32], int validate) {
    ge_p3 t;
    memset(k, 0, sizeof *k);
    if (!sv_ge_decode(&k->Y, pk)) return SEQVRF_ERR_KEY;
    if (validate) {
        sv_ge_mul8(&t, &k->Y);
        if (sv_ge_is_identity_vartime(&t)) return SEQVRF_ERR_KEY;
    }
    memcpy(k->bytes, pk, 32);
    sv_ge_odd_table_vartime(k->tab, &k->Y);
    k->magic = PK_MAGIC;
    return SEQVRF_OK;
}

int seqvrf_validate_key(const uint8_t pk[32]) {
    ge_p3 Y, t;
    if (pk == NULL) return SEQVRF_ERR_ARG;
    if (!sv_ge_decode(&Y, pk)) return SEQVRF_ERR_KEY;
    sv_ge_mul8(&t, &Y);
    if (sv_ge_is_identity_vartime(&t)) return SEQVRF_ERR_KEY;
    return SEQVRF_OK;
}

int seqvrf_pubkey_parse(seqvrf_pubkey *out, const uint8_t pk[32], int validate) {
    pk_int k;
    int rc;
    if (out == NULL) return SEQVRF_ERR_ARG;
    rc = pk == NULL ? SEQVRF_ERR_ARG : decode_key(&k, pk, validate); /* pk read before out is written */
    memset(out, 0, sizeof *out);
    if (rc != SEQVRF_OK) return rc;
    memcpy(out, &k, sizeof k);
    return SEQVRF_OK;
}

/* decode_proof (5.4.4): Gamma must decode, s < q */
static int decode_proof(ge_p3 *G, const uint8_t pi[80]) {
    if (!sv_ge_decode(G, pi)) return 0;
    if (!sv_sc_is_canonical(pi + 48)) return 0;
    return 1;
}

static int verify_core(uint8_t beta[64], const pk_int *k, const uint8_t pi[80], const uint8_t *alpha,
                       size_t alpha_len, int suite) {
    ge_p3 G, H, U, V, G8;
    const ge_p3 *pts[4];
    uint8_t enc[4][32], c[16];
    if (!decode_proof(&G, pi)) return SEQVRF_ERR_PROOF;
    if (!hash_to_curve(&H, suite, k->bytes, alpha, alpha_len)) return SEQVRF_ERR_PROOF;
    sv_ge_vrf_u_vartime(&U, pi + 48, pi + 32, k->tab);
    sv_ge_vrf_v_vartime(&V, pi + 48, pi + 32, &H, &G);
    sv_ge_mul8(&G8, &G);
    pts[0] = &H; pts[1] = &U; pts[2] = &V; pts[3] = &G8;
    sv_ge_encode_batch(enc, pts, 4);
    challenge(c, suite, k->bytes, enc[0], pi, enc[1], enc[2]);
    if (!ct_memeq(c, pi + 32, 16)) return SEQVRF_ERR_PROOF;
    beta_from_g8(beta, suite, enc[3]);
    return SEQVRF_OK;
}

static int verify_args_ok(const uint8_t *pi, const uint8_t *alpha, size_t alpha_len, int suite) {
    return pi != NULL && (alpha != NULL || alpha_len == 0) && suite_ok(suite);
}

int seqvrf_verify_parsed(uint8_t beta[64], const seqvrf_pubkey *pk, const uint8_t pi[80], const uint8_t *alpha,
                         size_t alpha_len, int suite) {
    pk_int k;
    uint8_t out[64];
    int rc = SEQVRF_ERR_ARG;
    if (beta == NULL) return SEQVRF_ERR_ARG;
    if (pk != NULL && verify_args_ok(pi, alpha, alpha_len, suite)) {
        memcpy(&k, pk, sizeof k);
        if (k.magic == PK_MAGIC) rc = verify_core(out, &k, pi, alpha, alpha_len, suite);
    }
    /* beta is written only now, after every input was read: it may overlap them */
    if (rc == SEQVRF_OK) memcpy(beta, out, 64);
    else memset(beta, 0, 64);
    return rc;
}

int seqvrf_verify(uint8_t beta[64], const uint8_t pk[32], const uint8_t pi[80], const uint8_t *alpha,
                  size_t alpha_len, int suite, int validate) {
    pk_int k;
    uint8_t out[64];
    int rc = SEQVRF_ERR_ARG;
    if (beta == NULL) return SEQVRF_ERR_ARG;
    if (pk != NULL && verify_args_ok(pi, alpha, alpha_len, suite)) {
        rc = decode_key(&k, pk, validate);
        if (rc == SEQVRF_OK) rc = verify_core(out, &k, pi, alpha, alpha_len, suite);
    }
    /* beta is written only now, after every input was read: it may overlap them */
    if (rc == SEQVRF_OK) memcpy(beta, out, 64);
    else memset(beta, 0, 64);
    return rc;
}

/* Batch verification: one C call for many items, so a Python caller re-takes the GIL
 * once per batch instead of once per proof.  Each item goes through verify_core exactly
 * as seqvrf_verify_parsed would.  Variable-time, like every verify: all inputs are public.
 * The array-level checks come first so that an unusable call touches no item. */
/* The batch writes item i's outputs before it reads item i+1's inputs, so outputs must
 * not overlap any input: that is checked here (and the call rejected) rather than
 * producing results over half-overwritten inputs. */
static int batch_outputs_disjoint(const uint8_t *out, size_t out_len, const int *statuses,
                                  const seqvrf_pubkey *const *keys, const uint8_t *proofs, size_t proof_len,
                                  const uint8_t *alphas, const size_t *alpha_offsets, size_t n) {
    const void *outs[2];
    size_t lens[2], i, j;
    outs[0] = out; lens[0] = out_len;
    outs[1] = statuses; lens[1] = n * sizeof(int);
    if (sv_overlaps(outs[0], lens[0], outs[1], lens[1])) return 0;
    for (j = 0; j < 2; j++) {
        if (sv_overlaps(outs[j], lens[j], keys, n * sizeof *keys) ||
            sv_overlaps(outs[j], lens[j], proofs, n * proof_len) ||
            sv_overlaps(outs[j], lens[j], alphas, alpha_offsets[n]) ||
            sv_overlaps(outs[j], lens[j], alpha_offsets, (n + 1) * sizeof *alpha_offsets))
            return 0;
        for (i = 0; i < n; i++)
            if (sv_overlaps(outs[j], lens[j], keys[i], sizeof(seqvrf_pubkey))) return 0;
    }
    return 1;
}

static int batch_args_ok(const uint8_t *betas, const int *statuses, const seqvrf_pubkey *const *keys,
                         const uint8_t *proofs, const uint8_t *alphas, const size_t *alpha_offsets, size_t n,
                         int suite) {
    size_t i;
    if (!suite_ok(suite)) return 0;
    if (n == 0) return 1;
    if (n > SIZE_MAX / 256) return 0; /* n*80, n*64, n*sizeof(size_t) must not wrap */
    if (betas == NULL || statuses == NULL || keys == NULL || proofs == NULL || alpha_offsets == NULL) return 0;
    if (alpha_offsets[0] != 0) return 0;
    for (i = 0; i < n; i++) {
        if (alpha_offsets[i + 1] < alpha_offsets[i]) return 0;
    }
    if (alphas == NULL && alpha_offsets[n] != 0) return 0;
    return batch_outputs_disjoint(betas, n * SEQVRF_OUTPUT_BYTES, statuses, keys, proofs, SEQVRF_PROOF_BYTES,
                                  alphas, alpha_offsets, n);
}

int seqvrf_verify_batch(uint8_t *betas, int *statuses, const seqvrf_pubkey *const *keys, const uint8_t *proofs,
                        const uint8_t *alphas, const size_t *alpha_offsets, size_t n, int suite) {
    pk_int k;
    size_t i;
    int ok = batch_args_ok(betas, statuses, keys, proofs, alphas, alpha_offsets, n, suite);
    for (i = 0; i < n; i++) {
        uint8_t *beta = betas != NULL ? betas + i * SEQVRF_OUTPUT_BYTES : NULL;
        int rc = SEQVRF_ERR_ARG;
        if (beta != NULL) memset(beta, 0, SEQVRF_OUTPUT_BYTES);
        if (ok && keys[i] != NULL) {
            memcpy(&k, keys[i], sizeof k);
            if (k.magic == PK_MAGIC) {
                size_t off = alpha_offsets[i];
                /* alphas may be NULL only when every alpha is empty (checked above) */
                rc = verify_core(beta, &k, proofs + i * SEQVRF_PROOF_BYTES, alphas != NULL ? alphas + off : NULL,
                                 alpha_offsets[i + 1] - off, suite);
            }
        }
        if (statuses != NULL) statuses[i] = rc;
    }
    return ok ? SEQVRF_OK : SEQVRF_ERR_ARG;
}

int seqvrf_proof_to_hash(uint8_t beta[64], const uint8_t pi[80], int suite) {
    ge_p3 G, G8;
    uint8_t g8[32];
    if (beta == NULL) return SEQVRF_ERR_ARG;
    if (pi == NULL || !suite_ok(suite)) {
        memset(beta, 0, 64);
        return SEQVRF_ERR_ARG;
    }
    if (!decode_proof(&G, pi)) { /* pi is read before beta is written: they may overlap */
        memset(beta, 0, 64);
        return SEQVRF_ERR_PROOF;
    }
    sv_ge_mul8(&G8, &G);
    sv_ge_encode(g8, &G8);
    beta_from_g8(beta, suite, g8);
    return SEQVRF_OK;
}

/* ---- debug primitives ---- */

int seqvrf_debug_hash_to_curve(uint8_t h[32], const uint8_t pk[32], const uint8_t *alpha, size_t alpha_len,
                               int suite) {
    ge_p3 H;
    if (h == NULL) return SEQVRF_ERR_ARG;
    memset(h, 0, 32);
    if (pk == NULL || (alpha == NULL && alpha_len != 0) || !suite_ok(suite)) return SEQVRF_ERR_ARG;
    if (!hash_to_curve(&H, suite, pk, alpha, alpha_len)) return SEQVRF_ERR_PROOF;
    sv_ge_encode(h, &H);
    return SEQVRF_OK;
}

static void reduce32(uint8_t out[32], const uint8_t n[32]) {
    uint8_t w[64];
    memcpy(w, n, 32);
    memset(w + 32, 0, 32);
    sv_sc_reduce64(out, w);
    sv_wipe(w, sizeof w);
}

int seqvrf_debug_scalarmult(uint8_t out[32], const uint8_t n[32], const uint8_t p[32]) {
    uint8_t r[1][32];
    ge_p3 P, R[1];
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 32);
    if (n == NULL || p == NULL) return SEQVRF_ERR_ARG;
    if (!sv_ge_decode(&P, p)) return SEQVRF_ERR_KEY;
    reduce32(r[0], n);
    sv_ge_scalarmult_multi(R, (const uint8_t(*)[32])r, 1, &P);
    sv_ge_encode(out, &R[0]);
    sv_wipe(r, sizeof r);
    return SEQVRF_OK;
}

int seqvrf_debug_scalarmult_base(uint8_t out[32], const uint8_t n[32]) {
    uint8_t r[32];
    ge_p3 R;
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 32);
    if (n == NULL) return SEQVRF_ERR_ARG;
    reduce32(r, n);
    sv_ge_scalarmult_base(&R, r);
    sv_ge_encode(out, &R);
    sv_wipe(r, sizeof r);
    return SEQVRF_OK;
}

int seqvrf_debug_double_scalarmult_vartime(uint8_t out[32], const uint8_t a[32], const uint8_t b[32],
                                           const uint8_t p[32]) {
    ge_p3 P, R;
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 32);
    if (a == NULL || b == NULL || p == NULL) return SEQVRF_ERR_ARG;
    if (!sv_ge_decode(&P, p)) return SEQVRF_ERR_KEY;
    sv_ge_double_scalarmult_vartime(&R, a, b, &P);
    sv_ge_encode(out, &R);
    return SEQVRF_OK;
}

int seqvrf_debug_add(uint8_t out[32], const uint8_t p[32], const uint8_t q[32]) {
    ge_p3 P, Q, R;
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 32);
    if (p == NULL || q == NULL) return SEQVRF_ERR_ARG;
    if (!sv_ge_decode(&P, p) || !sv_ge_decode(&Q, q)) return SEQVRF_ERR_KEY;
    sv_ge_add(&R, &P, &Q);
    sv_ge_encode(out, &R);
    return SEQVRF_OK;
}

int seqvrf_debug_scalar_reduce64(uint8_t out[32], const uint8_t x[64]) {
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 32);
    if (x == NULL) return SEQVRF_ERR_ARG;
    sv_sc_reduce64(out, x);
    return SEQVRF_OK;
}

int seqvrf_debug_scalar_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32], const uint8_t c[32]) {
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 32);
    if (a == NULL || b == NULL || c == NULL) return SEQVRF_ERR_ARG;
    sv_sc_muladd(out, a, b, c);
    return SEQVRF_OK;
}

int seqvrf_debug_sha512(uint8_t out[64], const uint8_t *msg, size_t len) {
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 64);
    if (msg == NULL && len != 0) return SEQVRF_ERR_ARG;
    sv_sha512(out, msg, len);
    return SEQVRF_OK;
}

/* ==== batch-compatible proofs (Gamma || U || V || s) and their batch verification ==== */

static int bc_suite_ok(int suite) {
    return suite == SEQVRF_SUITE_EDWARDS25519_SHA512_ELL2;
}

int seqvrf_prove_batchcompat(uint8_t pi[128], const uint8_t seed[32], const uint8_t *alpha, size_t alpha_len,
                             int suite) {
    sk_int k;
    uint8_t out[128];
    int rc;
    if (pi == NULL) return SEQVRF_ERR_ARG;
    if (seed == NULL || !prove_args_ok(alpha, alpha_len, suite) || !bc_suite_ok(suite)) {
        memset(pi, 0, 128);
        return SEQVRF_ERR_ARG;
    }
    expand_core(&k, seed); /* inputs are read before pi is written: they may overlap */
    rc = prove_core(out, &k, alpha, alpha_len, suite, 1);
    if (rc == SEQVRF_OK) memcpy(pi, out, 128);
    else memset(pi, 0, 128);
    sv_wipe(out, sizeof out);
    sv_wipe(&k, sizeof k);
    stack_scrub();
    return rc;
}

int seqvrf_prove_batchcompat_expanded(uint8_t pi[128], const seqvrf_secret *sk, const uint8_t *alpha,
                                      size_t alpha_len, int suite) {
    sk_int k;
    uint8_t out[128];
    int rc = SEQVRF_ERR_ARG;
    if (pi == NULL) return SEQVRF_ERR_ARG;
    if (sk == NULL || !prove_args_ok(alpha, alpha_len, suite) || !bc_suite_ok(suite)) {
        memset(pi, 0, 128);
        return SEQVRF_ERR_ARG;
    }
    if (load_secret(&k, sk)) rc = prove_core(out, &k, alpha, alpha_len, suite, 1);
    if (rc == SEQVRF_OK) memcpy(pi, out, 128);
    else memset(pi, 0, 128);
    sv_wipe(&k, sizeof k);
    sv_wipe(out, sizeof out);
    stack_scrub();
    return rc;
}

/* decode Gamma, U, V (canonical RFC 8032 encodings) and check s < q */
static int decode_proof_bc(ge_p3 *G, ge_p3 *U, ge_p3 *V, const uint8_t pi[128]) {
    return sv_ge_decode(G, pi) && sv_ge_decode(U, pi + 32) && sv_ge_decode(V, pi + 64) &&
           sv_sc_is_canonical(pi + 96);
}

/* 1 iff [8](P - Q) is the identity */
static int eq_cofactored_vartime(const ge_p3 *P, const ge_p3 *Q) {
    ge_p3 nq, d, d8;
    sv_ge_neg(&nq, Q);
    sv_ge_add(&d, P, &nq);
    sv_ge_mul8(&d8, &d);
    return sv_ge_is_identity_vartime(&d8);
}

static int verify_bc_core(uint8_t beta[64], const pk_int *k, const uint8_t pi[128], const uint8_t *alpha,
                          size_t alpha_len, int suite) {
    ge_p3 G, U, V, H, U2, V2, G8;
    const ge_p3 *pts[2];
    uint8_t enc[2][32], c[16];
    if (!decode_proof_bc(&G, &U, &V, pi)) return SEQVRF_ERR_PROOF;
    if (!hash_to_curve(&H, suite, k->bytes, alpha, alpha_len)) return SEQVRF_ERR_PROOF;
    sv_ge_mul8(&G8, &G);
    pts[0] = &H; pts[1] = &G8;
    sv_ge_encode_batch(enc, pts, 2);
    challenge(c, suite, k->bytes, enc[0], pi, pi + 32, pi + 64);
    sv_ge_vrf_u_vartime(&U2, pi + 96, c, k->tab); /* s*B - c*Y */
    sv_ge_vrf_v_vartime(&V2, pi + 96, c, &H, &G); /* s*H - c*Gamma */
    if (!eq_cofactored_vartime(&U2, &U) || !eq_cofactored_vartime(&V2, &V)) return SEQVRF_ERR_PROOF;
    beta_from_g8(beta, suite, enc[1]);
    return SEQVRF_OK;
}

int seqvrf_verify_batchcompat_parsed(uint8_t beta[64], const seqvrf_pubkey *pk, const uint8_t pi[128],
                                     const uint8_t *alpha, size_t alpha_len, int suite) {
    pk_int k;
    uint8_t out[64];
    int rc = SEQVRF_ERR_ARG;
    if (beta == NULL) return SEQVRF_ERR_ARG;
    if (pk != NULL && verify_args_ok(pi, alpha, alpha_len, suite) && bc_suite_ok(suite)) {
        memcpy(&k, pk, sizeof k);
        if (k.magic == PK_MAGIC) rc = verify_bc_core(out, &k, pi, alpha, alpha_len, suite);
    }
    if (rc == SEQVRF_OK) memcpy(beta, out, 64);
    else memset(beta, 0, 64);
    return rc;
}

int seqvrf_proof_to_hash_batchcompat(uint8_t beta[64], const uint8_t pi[128], int suite) {
    ge_p3 G, U, V, G8;
    uint8_t g8[32];
    if (beta == NULL) return SEQVRF_ERR_ARG;
    if (pi == NULL || !bc_suite_ok(suite)) {
        memset(beta, 0, 64);
        return SEQVRF_ERR_ARG;
    }
    if (!decode_proof_bc(&G, &U, &V, pi)) {
        memset(beta, 0, 64);
        return SEQVRF_ERR_PROOF;
    }
    sv_ge_mul8(&G8, &G);
    sv_ge_encode(g8, &G8);
    beta_from_g8(beta, suite, g8);
    return SEQVRF_OK;
}

/* ---- batch verification by random linear combination (engine in batch.c) ---- */

#define BC_PTS 5 /* MSM points per item: -Y, -U, -V, H, -Gamma */

static void set_coeff(uint8_t out[32], const uint8_t in[16]) {
    memset(out, 0, 32);
    memcpy(out, in, 16);
}

/* Extra scratch for the compacted first check: up to BC_PTS*n points and scalars, and a
 * 2n-slot hash table of distinct keys (two uint32 per slot). */
static size_t compact_bytes(size_t n) {
    return 3 * 64 + BC_PTS * n * (sizeof(ge_p3) + 32) + 4 * n * sizeof(uint32_t);
}

size_t seqvrf_verify_batchcompat_batch_scratch_bytes(size_t n) {
    const size_t base = sv_rlc_layout(NULL, NULL, n, BC_PTS);
    return base == 0 ? 0 : base + compact_bytes(n);
}

static uint8_t *align64b(uint8_t *p) {
    return (uint8_t *)(((uintptr_t)p + 63u) & ~(uintptr_t)63u);
}

/* The first check over the whole batch, with the Y terms of items sharing a key merged
 * (one point per distinct key, its scalar the sum of z_i c_i): in an election a few
 * hundred keys sign thousands of proofs, so this removes most of the Y points.  Same
 * combination, same coefficients as the per-item layout used by the bisection. */
static int bc_compact_check(const sv_rlc *x, const seqvrf_pubkey *const *keys, size_t n, uint8_t *extra) {
    ge_p3 *P = (ge_p3 *)(void *)align64b(extra);
    uint8_t(*A)[32] = (uint8_t(*)[32])(void *)align64b((uint8_t *)(P + BC_PTS * n));
    uint32_t *slot = (uint32_t *)(void *)align64b((uint8_t *)(A + BC_PTS * n));
    const size_t nslots = 2 * n;
    uint8_t bsum[32];
    size_t i, j, m = 0;
    ge_p3 M, Bt, S, S8;
    memset(slot, 0xff, 2 * nslots * sizeof *slot);
    memset(bsum, 0, 32);
    for (i = 0; i < n; i++) {
        const pk_int *k;
        size_t h;
        if (!x->items[i].ok) continue;
        sv_sc_add(bsum, bsum, x->items[i].bsc);
        for (j = 1; j < BC_PTS; j++) {
            P[m] = x->pts[i * BC_PTS + j];
            memcpy(A[m++], x->sc[i * BC_PTS + j], 32);
        }
        k = (const pk_int *)(const void *)keys[i];
        h = (size_t)(((uint32_t)k->bytes[0] | (uint32_t)k->bytes[1] << 8 | (uint32_t)k->bytes[2] << 16 |
                      (uint32_t)k->bytes[3] << 24) % nslots);
        for (;;) { /* open addressing; a slot holds (point index, item index) */
            const uint32_t s = slot[2 * h];
            if (s == UINT32_MAX) {
                slot[2 * h] = (uint32_t)m;
                slot[2 * h + 1] = (uint32_t)i;
                P[m] = x->pts[i * BC_PTS];
                memcpy(A[m++], x->sc[i * BC_PTS], 32);
                break;
            }
            if (!memcmp(((const pk_int *)(const void *)keys[slot[2 * h + 1]])->bytes, k->bytes, 32)) {
                sv_sc_add(A[s], A[s], x->sc[i * BC_PTS]); /* same key: z_i c_i added to its scalar */
                break;
            }
            h = (h + 1) % nslots;
        }
    }
    if (m == 0) return 1;
    if (!sv_ge_msm_vartime(&M, (const uint8_t(*)[32])A, P, m, x->msm, x->msm_len)) return 0;
    sv_ge_scalarmult_base(&Bt, bsum);
    sv_ge_add(&S, &M, &Bt);
    sv_ge_mul8(&S8, &S);
    return sv_ge_is_identity_vartime(&S8);
}

typedef struct {
    const seqvrf_pubkey *const *keys;
    const uint8_t *proofs, *alphas;
    const size_t *off;
    int suite;
} bc_exact_ctx;

static int bc_exact(const void *vctx, size_t i) {
    const bc_exact_ctx *e = (const bc_exact_ctx *)vctx;
    pk_int k;
    uint8_t beta[64];
    memcpy(&k, e->keys[i], sizeof k);
    return verify_bc_core(beta, &k, e->proofs + i * 128, e->alphas != NULL ? e->alphas + e->off[i] : NULL,
                          e->off[i + 1] - e->off[i], e->suite) == SEQVRF_OK;
}

int seqvrf_verify_batchcompat_batch(uint8_t *betas, int *statuses, const seqvrf_pubkey *const *keys,
                                    const uint8_t *proofs, const uint8_t *alphas, const size_t *alpha_offsets,
                                    size_t n, int suite, const uint8_t *coeffs, void *scratch,
                                    size_t scratch_len) {
    sv_rlc x;
    bc_exact_ctx ectx;
    size_t i, need;
    int ok = bc_suite_ok(suite);
    if (ok && n > 0) {
        ok = n <= SIZE_MAX / 256 && betas != NULL && statuses != NULL && keys != NULL && proofs != NULL &&
             alpha_offsets != NULL && coeffs != NULL && scratch != NULL;
        if (ok) {
            need = seqvrf_verify_batchcompat_batch_scratch_bytes(n);
            ok = need != 0 && scratch_len >= need && alpha_offsets[0] == 0;
        }
        for (i = 0; ok && i < n; i++) ok = alpha_offsets[i + 1] >= alpha_offsets[i];
        if (ok) ok = alphas != NULL || alpha_offsets[n] == 0;
        if (ok)
            ok = batch_outputs_disjoint(betas, n * 64, statuses, keys, proofs, 128, alphas, alpha_offsets, n) &&
                 !sv_overlaps(betas, n * 64, coeffs, n * 32) && !sv_overlaps(statuses, n * sizeof(int), coeffs, n * 32) &&
                 !sv_overlaps(scratch, scratch_len, proofs, n * 128) && !sv_overlaps(scratch, scratch_len, betas, n * 64) &&
                 !sv_overlaps(scratch, scratch_len, alphas, alpha_offsets[n]) &&
                 !sv_overlaps(scratch, scratch_len, coeffs, n * 32);
    }
    if (!ok) {
        for (i = 0; i < n; i++) {
            if (betas != NULL) memset(betas + i * 64, 0, 64);
            if (statuses != NULL) statuses[i] = SEQVRF_ERR_ARG;
        }
        return SEQVRF_ERR_ARG;
    }
    if (n == 0) return SEQVRF_OK;
    (void)sv_rlc_layout(&x, scratch, n, BC_PTS);
    {
        /* The compact-check region (bc_compact_check uses it later) first serves as temporary
         * space: T holds H and 8*Gamma of each decoded item, encoded together with one field
         * inversion for the whole batch (Montgomery's trick) instead of one per item. */
        uint8_t *extra = (uint8_t *)scratch + sv_rlc_layout(NULL, NULL, n, BC_PTS);
        ge_p3 *T = (ge_p3 *)(void *)align64b(extra);
        uint8_t *areaA = align64b((uint8_t *)(T + BC_PTS * n));
        fe *acc = (fe *)(void *)areaA;
        uint8_t(*enc)[32] = (uint8_t(*)[32])(void *)(areaA + 2 * n * sizeof(fe));
        uint32_t *idx = (uint32_t *)(void *)align64b(areaA + BC_PTS * n * 32);
        size_t m = 0, j;
        fe inv, zi, xx, yy;
        /* pass 1: decode, hash to curve, points */
        for (i = 0; i < n; i++) {
            const pk_int *k;
            ge_p3 G, U, V, H;
            const uint8_t *pi = proofs + i * 128;
            ge_p3 *P = &x.pts[i * BC_PTS];
            sv_rlc_drop(&x, i);
            statuses[i] = SEQVRF_ERR_PROOF;
            memset(betas + i * 64, 0, 64);
            if (keys[i] == NULL || ((const pk_int *)(const void *)keys[i])->magic != PK_MAGIC) {
                statuses[i] = SEQVRF_ERR_ARG;
                continue;
            }
            k = (const pk_int *)(const void *)keys[i];
            if (!decode_proof_bc(&G, &U, &V, pi)) continue;
            if (!hash_to_curve(&H, suite, k->bytes, alphas != NULL ? alphas + alpha_offsets[i] : NULL,
                               alpha_offsets[i + 1] - alpha_offsets[i]))
                continue;
            sv_ge_neg(&P[0], &k->Y);
            sv_ge_neg(&P[1], &U);
            sv_ge_neg(&P[2], &V);
            P[3] = H;
            sv_ge_neg(&P[4], &G);
            T[2 * m] = H;
            sv_ge_mul8(&T[2 * m + 1], &G);
            idx[m++] = (uint32_t)i;
        }
        /* pass 2: encode the 2m points of T with one inversion */
        if (m > 0) {
            acc[0] = T[0].Z;
            for (j = 1; j < 2 * m; j++) fe_mul(&acc[j], &acc[j - 1], &T[j].Z);
            fe_invert(&inv, &acc[2 * m - 1]);
            for (j = 2 * m; j-- > 0;) {
                if (j > 0) {
                    fe_mul(&zi, &inv, &acc[j - 1]);
                    fe_mul(&inv, &inv, &T[j].Z);
                } else {
                    zi = inv;
                }
                fe_mul(&xx, &T[j].X, &zi);
                fe_mul(&yy, &T[j].Y, &zi);
                fe_tobytes(enc[j], &yy);
                enc[j][31] ^= (uint8_t)(fe_is_negative(&xx) << 7);
            }
        }
        /* pass 3: challenges and scalars */
        for (j = 0; j < m; j++) {
            uint8_t c[32], z[32], w[32];
            const uint8_t *pi, *sc;
            uint8_t(*A)[32];
            i = idx[j];
            pi = proofs + i * 128;
            sc = pi + 96;
            A = &x.sc[i * BC_PTS];
            memset(c, 0, 32);
            challenge(c, suite, ((const pk_int *)(const void *)keys[i])->bytes, enc[2 * j], pi, pi + 32, pi + 64);
            set_coeff(z, coeffs + i * 32);
            set_coeff(w, coeffs + i * 32 + 16);
            sv_sc_mul(A[0], z, c);             /* -Y     * z c */
            memcpy(A[1], z, 32);               /* -U     * z   */
            memcpy(A[2], w, 32);               /* -V     * w   */
            sv_sc_mul(A[3], w, sc);            /*  H     * w s */
            sv_sc_mul(A[4], w, c);             /* -Gamma * w c */
            sv_sc_mul(x.items[i].bsc, z, sc);  /*  B     * z s */
            memcpy(x.items[i].aux, enc[2 * j + 1], 32);
            x.items[i].ok = 1;
        }
    }
    ectx.keys = keys; ectx.proofs = proofs; ectx.alphas = alphas; ectx.off = alpha_offsets; ectx.suite = suite;
    if (!bc_compact_check(&x, keys, n, (uint8_t *)scratch + sv_rlc_layout(NULL, NULL, n, BC_PTS)))
        sv_rlc_verify(&x, n, bc_exact, &ectx);
    for (i = 0; i < n; i++) {
        if (!x.items[i].ok) continue;
        beta_from_g8(betas + i * 64, suite, x.items[i].aux);
        statuses[i] = SEQVRF_OK;
    }
    return SEQVRF_OK;
}

/* ---- debug seams ---- */

int seqvrf_debug_tai_candidate(uint8_t h[32], const uint8_t cand[32]) {
    ge_p3 H;
    uint8_t c[32];
    if (h == NULL) return SEQVRF_ERR_ARG;
    if (cand == NULL) { memset(h, 0, 32); return SEQVRF_ERR_ARG; }
    memcpy(c, cand, 32);
    memset(h, 0, 32);
    if (!sv_h2c_tai_candidate(&H, c)) return SEQVRF_ERR_PROOF;
    sv_ge_encode(h, &H);
    return SEQVRF_OK;
}

size_t seqvrf_debug_msm_scratch_bytes(size_t n) {
    size_t m = sv_ge_msm_scratch_bytes(n);
    if (m == 0 || n > ((size_t)1 << 32)) return 0;
    return m + 64 + n * sizeof(ge_p3);
}

int seqvrf_debug_msm(uint8_t out[32], const uint8_t *scalars, const uint8_t *points, size_t n, void *scratch,
                     size_t scratch_len) {
    ge_p3 *P, R;
    size_t i, m;
    if (out == NULL) return SEQVRF_ERR_ARG;
    memset(out, 0, 32);
    m = seqvrf_debug_msm_scratch_bytes(n);
    if ((n > 0 && (scalars == NULL || points == NULL)) || scratch == NULL || m == 0 || scratch_len < m)
        return SEQVRF_ERR_ARG;
    P = (ge_p3 *)(void *)(((uintptr_t)scratch + 63u) & ~(uintptr_t)63u);
    for (i = 0; i < n; i++)
        if (!sv_ge_decode(&P[i], points + 32 * i)) return SEQVRF_ERR_KEY;
    if (!sv_ge_msm_vartime(&R, (const uint8_t(*)[32])scalars, P, n, (uint8_t *)(P + n), sv_ge_msm_scratch_bytes(n)))
        return SEQVRF_ERR_ARG;
    sv_ge_encode(out, &R);
    return SEQVRF_OK;
}
