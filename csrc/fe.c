/* fe.c -- non-inline field operations mod 2^255-19 (see fe.h for the contract). */
#include "fe.h"
#include "fe_consts.h"

static uint64_t load64_le(const uint8_t *p) {
    uint64_t r = 0;
    int i;
    for (i = 7; i >= 0; i--) r = (r << 8) | p[i];
    return r;
}

static void store64_le(uint8_t *p, uint64_t v) {
    int i;
    for (i = 0; i < 8; i++) { p[i] = (uint8_t)v; v >>= 8; }
}

void sv_fe_frombytes(fe *h, const uint8_t s[32]) {
    const uint64_t w0 = load64_le(s), w1 = load64_le(s + 8), w2 = load64_le(s + 16), w3 = load64_le(s + 24);
    h->v[0] = w0 & SV_MASK51;
    h->v[1] = ((w0 >> 51) | (w1 << 13)) & SV_MASK51;
    h->v[2] = ((w1 >> 38) | (w2 << 26)) & SV_MASK51;
    h->v[3] = ((w2 >> 25) | (w3 << 39)) & SV_MASK51;
    h->v[4] = (w3 >> 12) & SV_MASK51;
}

void sv_fe_tobytes(uint8_t s[32], const fe *h) {
    uint64_t r[5], q, c;
    int i;
    for (i = 0; i < 5; i++) r[i] = h->v[i];
    fe_carry_(r); /* now r1..r4 < 2^51, value < 2p */
    q = (r[0] + 19) >> 51;
    q = (r[1] + q) >> 51;
    q = (r[2] + q) >> 51;
    q = (r[3] + q) >> 51;
    q = (r[4] + q) >> 51; /* q = 1 iff value >= p */
    r[0] += 19 * q;
    c = r[0] >> 51; r[0] &= SV_MASK51; r[1] += c;
    c = r[1] >> 51; r[1] &= SV_MASK51; r[2] += c;
    c = r[2] >> 51; r[2] &= SV_MASK51; r[3] += c;
    c = r[3] >> 51; r[3] &= SV_MASK51; r[4] += c;
    r[4] &= SV_MASK51;
    store64_le(s, r[0] | (r[1] << 51));
    store64_le(s + 8, (r[1] >> 13) | (r[2] << 38));
    store64_le(s + 16, (r[2] >> 26) | (r[3] << 25));
    store64_le(s + 24, (r[3] >> 39) | (r[4] << 12));
}

static void fe_sqn(fe *h, const fe *f, int n) {
    int i;
    fe_sq(h, f);
    for (i = 1; i < n; i++) fe_sq(h, h);
}

/* t3 = z^(2^250 - 1), z11 = z^11 */
static void fe_pow_common(fe *t3, fe *z11, const fe *z) {
    fe t0, t1, t2, t4;
    fe_sq(&t0, z);            /* z^2 */
    fe_sqn(&t1, &t0, 2);      /* z^8 */
    fe_mul(&t1, &t1, z);      /* z^9 */
    fe_mul(&t0, &t0, &t1);    /* z^11 */
    *z11 = t0;
    fe_sq(&t2, &t0);          /* z^22 */
    fe_mul(&t1, &t1, &t2);    /* z^31 = 2^5-1 */
    fe_sqn(&t2, &t1, 5);
    fe_mul(&t1, &t2, &t1);    /* 2^10-1 */
    fe_sqn(&t2, &t1, 10);
    fe_mul(&t2, &t2, &t1);    /* 2^20-1 */
    fe_sqn(&t4, &t2, 20);
    fe_mul(&t4, &t4, &t2);    /* 2^40-1 */
    fe_sqn(&t4, &t4, 10);
    fe_mul(&t2, &t4, &t1);    /* 2^50-1 */
    fe_sqn(&t4, &t2, 50);
    fe_mul(&t4, &t4, &t2);    /* 2^100-1 */
    fe_sqn(&t1, &t4, 100);
    fe_mul(&t1, &t1, &t4);    /* 2^200-1 */
    fe_sqn(&t1, &t1, 50);
    fe_mul(t3, &t1, &t2);     /* 2^250-1 */
}

void sv_fe_invert(fe *out, const fe *z) {
    fe t3, z11;
    fe_pow_common(&t3, &z11, z);
    fe_sqn(&t3, &t3, 5);      /* 2^255 - 32 */
    fe_mul(out, &t3, &z11);   /* 2^255 - 21 */
}

void sv_fe_pow22523(fe *out, const fe *z) {
    fe t3, z11;
    fe_pow_common(&t3, &z11, z);
    fe_sqn(&t3, &t3, 2);      /* 2^252 - 4 */
    fe_mul(out, &t3, z);      /* 2^252 - 3 */
}

int sv_fe_is_negative(const fe *f) {
    uint8_t s[32];
    fe_tobytes(s, f);
    return s[0] & 1;
}

int sv_fe_is_zero(const fe *f) {
    uint8_t s[32];
    unsigned int acc = 0;
    int i;
    fe_tobytes(s, f);
    for (i = 0; i < 32; i++) acc |= s[i];
    return (int)(((acc - 1) >> 8) & 1);
}

int sv_fe_eq(const fe *f, const fe *g) {
    fe d;
    fe_sub(&d, f, g);
    return fe_is_zero(&d);
}

int sv_fe_sqrt_ratio(fe *r, const fe *u, const fe *v) {
    fe v3, v7, x, t, vx2, nu;
    int ok1, ok2;
    fe_sq(&v3, v);
    fe_mul(&v3, &v3, v);      /* v^3 */
    fe_sq(&v7, &v3);
    fe_mul(&v7, &v7, v);      /* v^7 */
    fe_mul(&t, u, &v7);       /* u v^7 */
    fe_pow22523(&t, &t);
    fe_mul(&x, u, &v3);
    fe_mul(&x, &x, &t);       /* u v^3 (u v^7)^((p-5)/8) */
    fe_sq(&vx2, &x);
    fe_mul(&vx2, &vx2, v);
    ok1 = fe_eq(&vx2, u);
    fe_neg(&nu, u);
    ok2 = fe_eq(&vx2, &nu);
    fe_mul(&t, &x, &FE_SQRTM1);
    fe_cmov(&x, &t, (unsigned int)ok2);
    *r = x;
    return ok1 | ok2;
}
