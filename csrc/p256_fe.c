/* p256_fe.c -- GF(p) for NIST P-256 in Montgomery form (see p256_fe.h). */
#include "p256_fe.h"
#include <string.h>

const uint64_t SV_P256_P[4] = {0xffffffffffffffffULL, 0x00000000ffffffffULL, 0x0000000000000000ULL,
                               0xffffffff00000001ULL};
/* R mod p (Montgomery one) and R^2 mod p, R = 2^256 */
static const uint64_t ONE[4] = {0x0000000000000001ULL, 0xffffffff00000000ULL, 0xffffffffffffffffULL,
                                0x00000000fffffffeULL};
static const uint64_t R2[4] = {0x0000000000000003ULL, 0xfffffffbffffffffULL, 0xfffffffffffffffeULL,
                               0x00000004fffffffdULL};
/* exponents (public constants) */
static const uint64_t P_MINUS_2[4] = {0xfffffffffffffffdULL, 0x00000000ffffffffULL, 0x0000000000000000ULL,
                                      0xffffffff00000001ULL};
static const uint64_t P_PLUS_1_DIV_4[4] = {0x0000000000000000ULL, 0x0000000040000000ULL, 0x4000000000000000ULL,
                                           0x3fffffffc0000000ULL};
static const uint64_t P_MINUS_1_DIV_2[4] = {0xffffffffffffffffULL, 0x000000007fffffffULL, 0x8000000000000000ULL,
                                            0x7fffffff80000000ULL};

void p256_fe_0(p256_fe *r) { memset(r, 0, sizeof *r); }
void p256_fe_1(p256_fe *r) { memcpy(r->v, ONE, sizeof ONE); }

void p256_fe_neg(p256_fe *r, const p256_fe *a) {
    p256_fe z;
    p256_fe_0(&z);
    p256_fe_sub(r, &z, a);
}

void p256_fe_cmov(p256_fe *r, const p256_fe *a, uint64_t flag) {
    uint64_t mask = 0 - (flag & 1);
    int i;
    for (i = 0; i < 4; i++) r->v[i] ^= mask & (r->v[i] ^ a->v[i]);
}

uint64_t p256_fe_is_zero(const p256_fe *a) {
    uint64_t d = a->v[0] | a->v[1] | a->v[2] | a->v[3];
    return 1 ^ ((d | (0 - d)) >> 63);
}

uint64_t p256_fe_eq(const p256_fe *a, const p256_fe *b) {
    p256_fe d;
    int i;
    for (i = 0; i < 4; i++) d.v[i] = a->v[i] ^ b->v[i];
    return p256_fe_is_zero(&d);
}

/* r = a^e for a public exponent e (one of the constants above): 4-bit windows, 256
 * squarings and one multiplication per nonzero nibble of e.  The branch and the table index
 * depend on e only, never on a, so this is constant time in a. */
static void fe_pow(p256_fe *r, const p256_fe *a, const uint64_t e[4]) {
    p256_fe tab[16], acc;
    int i, k;
    p256_fe_1(&tab[0]);
    tab[1] = *a;
    for (i = 2; i < 16; i++) p256_fe_mul(&tab[i], &tab[i - 1], a);
    p256_fe_1(&acc);
    for (i = 63; i >= 0; i--) {
        unsigned int nib = (unsigned int)(e[i / 16] >> (4 * (i % 16))) & 15;
        for (k = 0; k < 4; k++) p256_fe_sq(&acc, &acc);
        if (nib != 0) p256_fe_mul(&acc, &acc, &tab[nib]);
    }
    *r = acc;
}

void p256_fe_invert(p256_fe *r, const p256_fe *a) { fe_pow(r, a, P_MINUS_2); }

uint64_t p256_fe_sqrt(p256_fe *r, const p256_fe *a) {
    p256_fe t, c;
    fe_pow(&t, a, P_PLUS_1_DIV_4); /* p = 3 mod 4 */
    p256_fe_sq(&c, &t);
    *r = t;
    return p256_fe_eq(&c, a);
}

uint64_t p256_fe_is_square(const p256_fe *a) {
    p256_fe t, one, mone;
    fe_pow(&t, a, P_MINUS_1_DIV_2);
    p256_fe_1(&one);
    p256_fe_neg(&mone, &one);
    return 1 ^ p256_fe_eq(&t, &mone);
}

uint64_t p256_fe_frombytes(p256_fe *r, const uint8_t s[32]) {
    uint64_t x[4], ok;
    p256_fe t;
    sv_p256_load_be(x, s);
    ok = sv_mod4_lt(x, SV_P256_P);
    /* x < 2^256 < 2p: x - p, plus p back when that borrows, is x mod p either way */
    sv_mod4_sub(t.v, x, SV_P256_P, SV_P256_P);
    sv_mont4_mul(r->v, t.v, R2, SV_P256_P, 1);
    return ok;
}

void p256_fe_from48(p256_fe *r, const uint8_t s[48]) {
    uint8_t hi[32];
    p256_fe h, l, rr;
    memset(hi, 0, 16);
    memcpy(hi + 16, s, 16);
    (void)p256_fe_frombytes(&h, hi);    /* < 2^128 < p */
    (void)p256_fe_frombytes(&l, s + 16); /* reduced mod p either way */
    memcpy(rr.v, R2, sizeof R2);        /* the element 2^256 mod p, in Montgomery form */
    p256_fe_mul(&h, &h, &rr);
    p256_fe_add(r, &h, &l);
}

void p256_fe_tobytes(uint8_t s[32], const p256_fe *a) {
    static const uint64_t one[4] = {1, 0, 0, 0};
    uint64_t x[4];
    sv_mont4_mul(x, a->v, one, SV_P256_P, 1);
    sv_p256_store_be(s, x);
}

uint64_t p256_fe_is_odd(const p256_fe *a) {
    uint8_t s[32];
    p256_fe_tobytes(s, a);
    return s[31] & 1;
}

void p256_fe_from_u64(p256_fe *r, uint64_t x) {
    uint64_t t[4] = {x, 0, 0, 0};
    sv_mont4_mul(r->v, t, R2, SV_P256_P, 1);
}
