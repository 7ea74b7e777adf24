/*
 * ed25519.c -- Ed25519 signature verification (RFC 8032 5.1.7 with the ZIP-215 rule), one
 * signature or a batch through the random-linear-combination engine (batch.c).
 *
 * The one acceptance rule, shared by both paths so that a batch never disagrees with
 * one-by-one checks:
 *   - A (public key) and R decode per ZIP-215: RFC 8032 5.1.3 without the canonicity checks
 *     (y >= p is reduced; x = 0 with the sign bit set is accepted); not on the curve = reject;
 *   - S must be canonical, S < L;
 *   - k = SHA-512(R_bytes || A_bytes || M) mod L, over the encodings as given;
 *   - accept iff [8](S*B - R - k*A) = O (cofactored: small-order components of A and R are
 *     multiplied away in both paths alike).
 * Verification only (no signing here); every input is public, so this is variable time.
 */
#include <string.h>
#include "seqvrf.h"
#include "batch.h"
#include "ge.h"
#include "sc.h"
#include "sha512.h"

#define ED_PTS 2 /* MSM points per item: -R (scalar z), -A (scalar z*k) */

static void ed_k(uint8_t k[32], const uint8_t sig[64], const uint8_t pk[32], const uint8_t *msg, size_t len) {
    uint8_t h[64];
    sv_sha512_ctx c;
    sv_sha512_init(&c);
    sv_sha512_update(&c, sig, 32);
    sv_sha512_update(&c, pk, 32);
    sv_sha512_update(&c, msg, len);
    sv_sha512_final(&c, h);
    sv_sc_reduce64(k, h);
}

static int ed_verify_core(const uint8_t pk[32], const uint8_t *msg, size_t len, const uint8_t sig[64]) {
    ge_p3 A, nA, R, nR, T, D, D8;
    uint8_t k[32];
    if (!sv_ge_decode_zip215_vartime(&A, pk)) return SEQVRF_ERR_KEY;
    if (!sv_ge_decode_zip215_vartime(&R, sig)) return SEQVRF_ERR_PROOF;
    if (!sv_sc_is_canonical(sig + 32)) return SEQVRF_ERR_PROOF;
    ed_k(k, sig, pk, msg, len);
    sv_ge_neg(&nA, &A);
    sv_ge_double_scalarmult_vartime(&T, sig + 32, k, &nA); /* S*B - k*A */
    sv_ge_neg(&nR, &R);
    sv_ge_add(&D, &T, &nR);
    sv_ge_mul8(&D8, &D);
    return sv_ge_is_identity_vartime(&D8) ? SEQVRF_OK : SEQVRF_ERR_PROOF;
}

int seqvrf_ed25519_verify(const uint8_t pk[32], const uint8_t *msg, size_t msg_len, const uint8_t sig[64]) {
    if (pk == NULL || sig == NULL || (msg == NULL && msg_len != 0)) return SEQVRF_ERR_ARG;
    return ed_verify_core(pk, msg, msg_len, sig);
}

size_t seqvrf_ed25519_verify_batch_scratch_bytes(size_t n) {
    return sv_rlc_layout(NULL, NULL, n, ED_PTS);
}

typedef struct {
    const uint8_t *pks, *msgs, *sigs;
    const size_t *off;
} ed_ctx;

static int ed_exact(const void *vctx, size_t i) {
    const ed_ctx *e = (const ed_ctx *)vctx;
    return ed_verify_core(e->pks + 32 * i, e->msgs != NULL ? e->msgs + e->off[i] : NULL, e->off[i + 1] - e->off[i],
                          e->sigs + 64 * i) == SEQVRF_OK;
}

int seqvrf_ed25519_verify_batch(int *statuses, const uint8_t *pks, const uint8_t *msgs, const size_t *msg_offsets,
                                const uint8_t *sigs, size_t n, const uint8_t *coeffs, void *scratch,
                                size_t scratch_len) {
    sv_rlc x;
    ed_ctx ectx;
    size_t i, need = 0;
    int ok = 1;
    if (n > 0) {
        ok = n <= SIZE_MAX / 256 && statuses != NULL && pks != NULL && sigs != NULL && msg_offsets != NULL &&
             coeffs != NULL && scratch != NULL;
        if (ok) {
            need = sv_rlc_layout(NULL, NULL, n, ED_PTS);
            ok = need != 0 && scratch_len >= need && msg_offsets[0] == 0;
        }
        for (i = 0; ok && i < n; i++) ok = msg_offsets[i + 1] >= msg_offsets[i];
        if (ok) ok = msgs != NULL || msg_offsets[n] == 0;
        if (ok) {
            const size_t sl = n * sizeof(int);
            ok = !sv_overlaps(statuses, sl, pks, n * 32) && !sv_overlaps(statuses, sl, sigs, n * 64) &&
                 !sv_overlaps(statuses, sl, msgs, msg_offsets[n]) &&
                 !sv_overlaps(statuses, sl, msg_offsets, (n + 1) * sizeof(size_t)) &&
                 !sv_overlaps(statuses, sl, coeffs, n * 16) && !sv_overlaps(scratch, scratch_len, statuses, sl) &&
                 !sv_overlaps(scratch, scratch_len, pks, n * 32) && !sv_overlaps(scratch, scratch_len, sigs, n * 64) &&
                 !sv_overlaps(scratch, scratch_len, msgs, msg_offsets[n]) &&
                 !sv_overlaps(scratch, scratch_len, msg_offsets, (n + 1) * sizeof(size_t)) &&
                 !sv_overlaps(scratch, scratch_len, coeffs, n * 16);
        }
    }
    if (!ok) {
        if (statuses != NULL)
            for (i = 0; i < n; i++) statuses[i] = SEQVRF_ERR_ARG;
        return SEQVRF_ERR_ARG;
    }
    if (n == 0) return SEQVRF_OK;
    (void)sv_rlc_layout(&x, scratch, n, ED_PTS);
    for (i = 0; i < n; i++) {
        ge_p3 A, R;
        uint8_t k[32], z[32];
        const uint8_t *pk = pks + 32 * i, *sig = sigs + 64 * i;
        const uint8_t *m = msgs != NULL ? msgs + msg_offsets[i] : NULL;
        ge_p3 *P = &x.pts[i * ED_PTS];
        uint8_t(*a)[32] = &x.sc[i * ED_PTS];
        sv_rlc_drop(&x, i);
        if (!sv_ge_decode_zip215_vartime(&A, pk)) { statuses[i] = SEQVRF_ERR_KEY; continue; }
        statuses[i] = SEQVRF_ERR_PROOF;
        if (!sv_ge_decode_zip215_vartime(&R, sig) || !sv_sc_is_canonical(sig + 32)) continue;
        ed_k(k, sig, pk, m, msg_offsets[i + 1] - msg_offsets[i]);
        memset(z, 0, 32);
        memcpy(z, coeffs + 16 * i, 16);
        sv_ge_neg(&P[0], &R); memcpy(a[0], z, 32);   /* -R * z   */
        sv_ge_neg(&P[1], &A); sv_sc_mul(a[1], z, k); /* -A * z k */
        sv_sc_mul(x.items[i].bsc, z, sig + 32);     /*  B * z S */
        x.items[i].ok = 1;
    }
    ectx.pks = pks; ectx.msgs = msgs; ectx.sigs = sigs; ectx.off = msg_offsets;
    sv_rlc_verify(&x, n, ed_exact, &ectx);
    for (i = 0; i < n; i++)
        if (x.items[i].ok) statuses[i] = SEQVRF_OK;
    return SEQVRF_OK;
}
