/* p256_h2c.c -- encode_to_curve for ECVRF-P256-SHA256-TAI and -SSWU (see p256_h2c.h). */
#include "p256_h2c.h"
#include <string.h>
#include "sha256.h"

int sv_p256_h2c_tai_vartime(p256_ge *H, uint8_t suite, const uint8_t pk[33], const uint8_t *alpha,
                            size_t alpha_len) {
    const uint8_t head[2] = {suite, 0x01}; /* suite_string || encode_to_curve_domain_separator_front */
    uint8_t buf[33];
    int ctr;
    for (ctr = 0; ctr < 256; ctr++) {
        const uint8_t tail[2] = {(uint8_t)ctr, 0x00}; /* ctr_string || ..._back */
        sv_sha256_ctx c;
        sv_sha256_init(&c);
        sv_sha256_update(&c, head, 2);
        sv_sha256_update(&c, pk, 33);
        sv_sha256_update(&c, alpha, alpha_len);
        sv_sha256_update(&c, tail, 2);
        buf[0] = 0x02; /* interpret_hash_value_as_a_point(s) = string_to_point(0x02 || s) */
        sv_sha256_final(&c, buf + 1);
        if (sv_p256_ge_decode_vartime(H, buf)) return 1; /* cofactor 1: H as decoded */
    }
    sv_p256_ge_identity(H);
    return 0;
}

static const char DST_PREFIX[] = "ECVRF_P256_XMD:SHA-256_SSWU_NU_";

/* RFC 9380 5.3.1 expand_message_xmd with SHA-256 (b_in_bytes 32, s_in_bytes 64),
 * len_in_bytes = 48 (ell = 2), msg = pk || alpha, DST = DST_PREFIX || suite. */
static void expand_48(uint8_t out[48], uint8_t suite, const uint8_t pk[33], const uint8_t *alpha,
                      size_t alpha_len) {
    static const uint8_t zpad[64] = {0};
    uint8_t dst_prime[sizeof DST_PREFIX + 1], b0[32], b1[32], x[32], mid[3] = {0x00, 48, 0x00}, idx;
    size_t dlen = sizeof DST_PREFIX - 1, i;
    sv_sha256_ctx c;
    memcpy(dst_prime, DST_PREFIX, dlen);
    dst_prime[dlen] = suite;
    dst_prime[dlen + 1] = (uint8_t)(dlen + 1); /* I2OSP(len(DST), 1) */
    /* b_0 = H(Z_pad || msg || I2OSP(48, 2) || I2OSP(0, 1) || DST_prime) */
    sv_sha256_init(&c);
    sv_sha256_update(&c, zpad, 64);
    sv_sha256_update(&c, pk, 33);
    sv_sha256_update(&c, alpha, alpha_len);
    sv_sha256_update(&c, mid, 3);
    sv_sha256_update(&c, dst_prime, dlen + 2);
    sv_sha256_final(&c, b0);
    /* b_1 = H(b_0 || 1 || DST_prime) */
    idx = 1;
    sv_sha256_init(&c);
    sv_sha256_update(&c, b0, 32);
    sv_sha256_update(&c, &idx, 1);
    sv_sha256_update(&c, dst_prime, dlen + 2);
    sv_sha256_final(&c, b1);
    /* b_2 = H((b_0 xor b_1) || 2 || DST_prime) */
    for (i = 0; i < 32; i++) x[i] = (uint8_t)(b0[i] ^ b1[i]);
    idx = 2;
    sv_sha256_init(&c);
    sv_sha256_update(&c, x, 32);
    sv_sha256_update(&c, &idx, 1);
    sv_sha256_update(&c, dst_prime, dlen + 2);
    sv_sha256_final(&c, x);
    memcpy(out, b1, 32);
    memcpy(out + 32, x, 16);
}

/* Montgomery-form constants for the SSWU map, A = -3, B = b, Z = -10 */
static const p256_fe SSWU_Z = {{0xfffffffffffffff5ULL, 0x0000000affffffffULL, 0x0000000000000000ULL,
                                0xfffffff50000000bULL}};
static const p256_fe SSWU_A = {{0xfffffffffffffffcULL, 0x00000003ffffffffULL, 0x0000000000000000ULL,
                                0xfffffffc00000004ULL}};
static const p256_fe SSWU_B = {{0xd89cdf6229c4bddfULL, 0xacf005cd78843090ULL, 0xe5a220abf7212ed6ULL,
                                0xdc30061d04874834ULL}};
static const p256_fe MINUS_B_OVER_A = {{0x9d899fcb6341949fULL, 0x8efaac9a7d816585ULL, 0xa1e0b58ea7b5ba47ULL,
                                        0xf410020901826d67ULL}};
static const p256_fe B_OVER_ZA = {{0x5c8dc32df0535ba9ULL, 0xc17f77a98c8cf08dULL, 0x7696788e43f892a0ULL,
                                   0x9868003399c03e24ULL}};

static void g_of(p256_fe *gx, const p256_fe *x) { /* x^3 + A x + B */
    p256_fe t, ax;
    p256_fe_sq(&t, x);
    p256_fe_mul(&t, &t, x);
    p256_fe_mul(&ax, &SSWU_A, x);
    p256_fe_add(&t, &t, &ax);
    p256_fe_add(gx, &t, &SSWU_B);
}

/* RFC 9380 6.6.2 simplified SWU, written out as the RFC's numbered steps. */
void sv_p256_map_to_curve_sswu_vartime(p256_ge *Q, const p256_fe *u) {
    p256_fe u2, zu2, tv1, t, x1, gx1, x2, gx2, x, y;
    p256_fe_sq(&u2, u);
    p256_fe_mul(&zu2, &SSWU_Z, &u2);              /* Z u^2 */
    p256_fe_sq(&t, &zu2);                         /* Z^2 u^4 */
    p256_fe_add(&t, &t, &zu2);                    /* Z^2 u^4 + Z u^2 */
    p256_fe_invert(&tv1, &t);                     /* 1. tv1 = inv0(...) */
    p256_fe_1(&t);
    p256_fe_add(&t, &t, &tv1);
    p256_fe_mul(&x1, &MINUS_B_OVER_A, &t);        /* 2. x1 = (-B / A) * (1 + tv1) */
    p256_fe_cmov(&x1, &B_OVER_ZA, p256_fe_is_zero(&tv1)); /* 3. tv1 == 0: x1 = B / (Z A) */
    g_of(&gx1, &x1);                              /* 4. */
    p256_fe_mul(&x2, &zu2, &x1);                  /* 5. x2 = Z u^2 x1 */
    g_of(&gx2, &x2);                              /* 6. */
    if (p256_fe_sqrt(&y, &gx1)) {                 /* 7. gx1 square: x = x1, y = sqrt(gx1) */
        x = x1;
    } else {                                      /* 8. else x = x2, y = sqrt(gx2) */
        x = x2;
        (void)p256_fe_sqrt(&y, &gx2);
    }
    if (p256_fe_is_odd(u) != p256_fe_is_odd(&y)) p256_fe_neg(&y, &y); /* 9. sgn0 */
    Q->X = x;
    Q->Y = y;
    p256_fe_1(&Q->Z);
}

void sv_p256_h2c_sswu_vartime(p256_ge *H, uint8_t suite, const uint8_t pk[33], const uint8_t *alpha,
                              size_t alpha_len) {
    uint8_t uniform[48];
    p256_fe u;
    expand_48(uniform, suite, pk, alpha, alpha_len);
    p256_fe_from48(&u, uniform);
    sv_p256_map_to_curve_sswu_vartime(H, &u); /* clear_cofactor: h_eff = 1 */
}
