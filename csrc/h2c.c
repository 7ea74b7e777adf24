/* h2c.c -- hash to curve for the ECVRF edwards25519 suites (see h2c.h). */
#include "h2c.h"
#include <string.h>
#include "fe_consts.h"
#include "sha512.h"

/* RFC 9381 5.4.1.1 step 5 C-D and the loop condition: H = cofactor * decode(h[0:32]); 0 when
 * the string does not decode OR H is the identity (an encoding of a small-order point: the
 * loop must then go on; probability 8 / 2^255 per counter, so no hash input is known to
 * reach it: c_tests and seqvrf_debug_tai_candidate test this function directly). */
int sv_h2c_tai_candidate(ge_p3 *H, const uint8_t h[32]) {
    ge_p3 P;
    if (!sv_ge_decode(&P, h)) return 0;
    sv_ge_mul8(H, &P);
    return !sv_ge_is_identity_vartime(H);
}

int sv_h2c_tai(ge_p3 *H, uint8_t suite, const uint8_t pk[32], const uint8_t *alpha, size_t alpha_len) {
    static const uint8_t one = 0x01, zero = 0x00;
    uint8_t h[64];
    unsigned int ctr;
    for (ctr = 0; ctr < 256; ctr++) {
        sv_sha512_ctx c;
        const uint8_t cb = (uint8_t)ctr;
        sv_sha512_init(&c);
        sv_sha512_update(&c, &suite, 1);
        sv_sha512_update(&c, &one, 1);
        sv_sha512_update(&c, pk, 32);
        sv_sha512_update(&c, alpha, alpha_len);
        sv_sha512_update(&c, &cb, 1);
        sv_sha512_update(&c, &zero, 1);
        sv_sha512_final(&c, h);
        if (sv_h2c_tai_candidate(H, h)) return 1;
    }
    sv_ge_identity(H);
    return 0;
}

static const char DST_BASE[] = "ECVRF_edwards25519_XMD:SHA-512_ELL2_NU_";

void sv_h2c_ell2_uniform(uint8_t out[48], uint8_t suite, const uint8_t pk[32], const uint8_t *alpha,
                         size_t alpha_len) {
    /* RFC 9380 5.3.1 expand_message_xmd, H = SHA-512 (b = 64, r = 128 bytes), len = 48 */
    static const uint8_t zpad[128] = {0};
    const size_t dst_base_len = sizeof(DST_BASE) - 1;
    const uint8_t dst_len = (uint8_t)(dst_base_len + 1);
    const uint8_t lib[3] = {0, 48, 0}; /* I2OSP(48, 2) || I2OSP(0, 1) */
    const uint8_t one = 1;
    uint8_t b0[64], b1[64];
    sv_sha512_ctx c;
    sv_sha512_init(&c);
    sv_sha512_update(&c, zpad, sizeof zpad);
    sv_sha512_update(&c, pk, 32);
    sv_sha512_update(&c, alpha, alpha_len);
    sv_sha512_update(&c, lib, 3);
    sv_sha512_update(&c, (const uint8_t *)DST_BASE, dst_base_len);
    sv_sha512_update(&c, &suite, 1);
    sv_sha512_update(&c, &dst_len, 1);
    sv_sha512_final(&c, b0);
    sv_sha512_init(&c);
    sv_sha512_update(&c, b0, 64);
    sv_sha512_update(&c, &one, 1);
    sv_sha512_update(&c, (const uint8_t *)DST_BASE, dst_base_len);
    sv_sha512_update(&c, &suite, 1);
    sv_sha512_update(&c, &dst_len, 1);
    sv_sha512_final(&c, b1);
    memcpy(out, b1, 48);
}

/* u = OS2IP(48 big-endian bytes) mod p = A' + 19*a255 + 38*B, with 2^255 = 19, 2^256 = 38 */
static void field_from_48be(fe *u, const uint8_t in[48]) {
    uint8_t le[64];
    fe a, b, t;
    int i;
    memset(le, 0, sizeof le);
    for (i = 0; i < 48; i++) le[i] = in[47 - i];
    fe_frombytes(&a, le);          /* low 255 bits */
    fe_frombytes(&b, le + 32);     /* bits 256..383 */
    fe_mul(&b, &b, &FE_38);
    fe_0(&t);
    t.v[0] = 19u * (uint64_t)(le[31] >> 7);
    fe_add(u, &a, &b);
    fe_add(u, u, &t);
}

/* RFC 9380 G.2.1 map_to_curve_elligator2_curve25519 (straight line) followed by the
 * G.2.2 rational map to edwards25519, returned in extended projective coordinates. */
static void map_ell2_edwards(ge_p3 *P, const fe *u) {
    fe tv1, tv2, tv3, xd, x1n, gxd, gx1, y11, y12, y1, x2n, y21, y22, gx2, y2, xn, y, ny, one;
    fe exn, exd, eyn, eyd;
    unsigned int e1, e2, e3, e4, e;
    fe_1(&one);
    fe_sq(&tv1, u);
    fe_add(&tv1, &tv1, &tv1);          /* 2u^2 */
    fe_add(&xd, &tv1, &one);           /* 1 + 2u^2, nonzero */
    fe_neg(&x1n, &FE_ELL2_J);          /* -J */
    fe_sq(&tv2, &xd);
    fe_mul(&gxd, &tv2, &xd);           /* xd^3 */
    fe_mul(&gx1, &FE_ELL2_J, &tv1);
    fe_mul(&gx1, &gx1, &x1n);
    fe_add(&gx1, &gx1, &tv2);
    fe_mul(&gx1, &gx1, &x1n);          /* x1n^3 + J x1n^2 xd + x1n xd^2 */
    fe_sq(&tv3, &gxd);
    fe_sq(&tv2, &tv3);                 /* gxd^4 */
    fe_mul(&tv3, &tv3, &gxd);          /* gxd^3 */
    fe_mul(&tv3, &tv3, &gx1);          /* gx1 gxd^3 */
    fe_mul(&tv2, &tv2, &tv3);          /* gx1 gxd^7 */
    fe_pow22523(&y11, &tv2);
    fe_mul(&y11, &y11, &tv3);
    fe_mul(&y12, &y11, &FE_SQRTM1);
    fe_sq(&tv2, &y11);
    fe_mul(&tv2, &tv2, &gxd);
    e1 = (unsigned int)fe_eq(&tv2, &gx1);
    y1 = y12;
    fe_cmov(&y1, &y11, e1);
    fe_mul(&x2n, &x1n, &tv1);
    fe_mul(&y21, &y11, u);
    fe_mul(&y21, &y21, &FE_ELL2_C2);
    fe_mul(&y22, &y21, &FE_SQRTM1);
    fe_mul(&gx2, &gx1, &tv1);
    fe_sq(&tv2, &y21);
    fe_mul(&tv2, &tv2, &gxd);
    e2 = (unsigned int)fe_eq(&tv2, &gx2);
    y2 = y22;
    fe_cmov(&y2, &y21, e2);
    fe_sq(&tv2, &y1);
    fe_mul(&tv2, &tv2, &gxd);
    e3 = (unsigned int)fe_eq(&tv2, &gx1);
    xn = x2n;
    fe_cmov(&xn, &x1n, e3);
    y = y2;
    fe_cmov(&y, &y1, e3);
    e4 = (unsigned int)fe_is_negative(&y);
    fe_neg(&ny, &y);
    fe_cmov(&y, &ny, e3 ^ e4);
    /* (xn, xd, y, 1) on curve25519 -> edwards25519 */
    fe_mul(&exn, &xn, &FE_ELL2_SQRT_M486664);
    fe_mul(&exd, &xd, &y);
    fe_sub(&eyn, &xn, &xd);
    fe_add(&eyd, &xn, &xd);
    fe_mul(&tv1, &exd, &eyd);
    e = (unsigned int)fe_is_zero(&tv1);
    {
        fe zero;
        fe_0(&zero);
        fe_cmov(&exn, &zero, e);
        fe_cmov(&exd, &one, e);
        fe_cmov(&eyn, &one, e);
        fe_cmov(&eyd, &one, e);
    }
    fe_mul(&P->X, &exn, &eyd);
    fe_mul(&P->Y, &eyn, &exd);
    fe_mul(&P->Z, &exd, &eyd);
    fe_mul(&P->T, &exn, &eyn);
}

void sv_h2c_ell2(ge_p3 *H, uint8_t suite, const uint8_t pk[32], const uint8_t *alpha, size_t alpha_len) {
    uint8_t ub[48];
    fe u;
    ge_p3 P;
    sv_h2c_ell2_uniform(ub, suite, pk, alpha, alpha_len);
    field_from_48be(&u, ub);
    map_ell2_edwards(&P, &u);
    sv_ge_mul8(H, &P);
}

/* ---- draft-irtf-cfrg-vrf-03 (the suites of the Algorand and IOHK libsodium forks) ---- */

/* draft-03 5.4.1.1: as RFC 9381 but without the trailing 0x00 (the counter is the last
 * byte hashed); same loop condition (INVALID or the point at infinity). */
int sv_h2c_tai_draft03(ge_p3 *H, uint8_t suite, const uint8_t pk[32], const uint8_t *alpha, size_t alpha_len) {
    static const uint8_t one = 0x01;
    uint8_t h[64];
    unsigned int ctr;
    for (ctr = 0; ctr < 256; ctr++) {
        sv_sha512_ctx c;
        const uint8_t cb = (uint8_t)ctr;
        sv_sha512_init(&c);
        sv_sha512_update(&c, &suite, 1);
        sv_sha512_update(&c, &one, 1);
        sv_sha512_update(&c, pk, 32);
        sv_sha512_update(&c, alpha, alpha_len);
        sv_sha512_update(&c, &cb, 1);
        sv_sha512_final(&c, h);
        if (sv_h2c_tai_candidate(H, h)) return 1;
    }
    sv_ge_identity(H);
    return 0;
}

/* draft-03 5.4.1.2 ECVRF_hash_to_curve_elligator2_25519, step by step:
 *   r = SHA-512(suite || 0x01 || pk || alpha)[0:32] with bit 255 cleared (the draft saves it
 *       as x0, but the Algorand/IOHK code -- and every published vector -- use sign 0)
 *   u = -A / (1 + 2 r^2); w = u (u^2 + A u + 1); e = Legendre(w)
 *   final_u = u if e == 1 else -A - u; y = (final_u - 1) / (final_u + 1)
 *   H = cofactor * string_to_point(y, sign 0).
 * Inputs are public (variable time is allowed; this code is straight-line anyway except for
 * the decode, which cannot fail for a y that comes from a curve25519 point). */
int sv_h2c_ell2_draft03(ge_p3 *H, uint8_t suite, const uint8_t pk[32], const uint8_t *alpha, size_t alpha_len) {
    static const uint8_t one_b = 0x01;
    uint8_t h[64], ys[32];
    sv_sha512_ctx c;
    fe r, u, w, t, e, a, one, other;
    ge_p3 P;
    unsigned int is_sq;
    sv_sha512_init(&c);
    sv_sha512_update(&c, &suite, 1);
    sv_sha512_update(&c, &one_b, 1);
    sv_sha512_update(&c, pk, 32);
    sv_sha512_update(&c, alpha, alpha_len);
    sv_sha512_final(&c, h);
    h[31] &= 0x7f;
    fe_frombytes(&r, h);
    fe_1(&one);
    fe_0(&a);
    a.v[0] = 486662;
    fe_sq(&t, &r);
    fe_add(&t, &t, &t);
    fe_add(&t, &t, &one);          /* 1 + 2 r^2, never 0 (2 is not a square) */
    fe_invert(&t, &t);
    fe_mul(&u, &a, &t);
    fe_neg(&u, &u);                /* u = -A / (1 + 2 r^2) */
    fe_sq(&t, &u);
    fe_mul(&w, &a, &u);
    fe_add(&t, &t, &w);
    fe_add(&t, &t, &one);
    fe_mul(&w, &u, &t);            /* w = u (u^2 + A u + 1) */
    /* e = w^((p-1)/2) = (w^((p-5)/8))^4 * w^2 */
    fe_pow22523(&e, &w);
    fe_sq(&e, &e);
    fe_sq(&e, &e);
    fe_sq(&t, &w);
    fe_mul(&e, &e, &t);
    is_sq = (unsigned int)fe_eq(&e, &one);
    fe_add(&other, &u, &a);
    fe_neg(&other, &other);        /* -A - u */
    fe_cmov(&other, &u, is_sq);    /* final_u */
    fe_sub(&t, &other, &one);
    fe_add(&w, &other, &one);
    fe_invert(&w, &w);
    fe_mul(&t, &t, &w);            /* y = (final_u - 1) / (final_u + 1) */
    fe_tobytes(ys, &t);            /* sign bit 0 */
    if (!sv_ge_decode(&P, ys)) {
        sv_ge_identity(H);
        return 0;
    }
    sv_ge_mul8(H, &P);
    return 1;
}
