/* sc.c -- scalar arithmetic mod q (see sc.h).  Barrett reduction, HAC 14.42, b = 2^64, k = 4. */
#include "sc.h"
#include "sha512.h"

typedef unsigned __int128 u128;

static const uint64_t Q[4] = {0x5812631a5cf5d3edULL, 0x14def9dea2f79cd6ULL, 0, 0x1000000000000000ULL};
/* MU = floor(2^512 / q) */
static const uint64_t MU[5] = {0xed9ce5a30a2c131bULL, 0x2106215d086329a7ULL, 0xffffffffffffffebULL,
                               0xffffffffffffffffULL, 0xfULL};

static uint64_t ld64(const uint8_t *p) {
    uint64_t r = 0;
    int i;
    for (i = 7; i >= 0; i--) r = (r << 8) | p[i];
    return r;
}

static void st64(uint8_t *p, uint64_t v) {
    int i;
    for (i = 0; i < 8; i++) { p[i] = (uint8_t)v; v >>= 8; }
}

/* out[0..na+nb) = a * b */
static void mp_mul(uint64_t *out, const uint64_t *a, int na, const uint64_t *b, int nb) {
    int i, j;
    for (i = 0; i < na + nb; i++) out[i] = 0;
    for (i = 0; i < na; i++) {
        uint64_t carry = 0;
        for (j = 0; j < nb; j++) {
            u128 t = (u128)a[i] * b[j] + out[i + j] + carry;
            out[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        out[i + nb] = carry;
    }
}

/* r (5 limbs) -= q if r >= q, constant time */
static void csub_q(uint64_t r[5]) {
    uint64_t t[5], borrow = 0, m;
    int i;
    for (i = 0; i < 5; i++) {
        uint64_t qi = i < 4 ? Q[i] : 0;
        u128 d = (u128)r[i] - qi - borrow;
        t[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    m = borrow - 1; /* all ones if no borrow (r >= q) */
    for (i = 0; i < 5; i++) r[i] = (t[i] & m) | (r[i] & ~m);
}

static void barrett(uint64_t out[4], const uint64_t x[8]) {
    uint64_t q2[10], q3[5], r2[9], r[5], borrow = 0;
    int i;
    mp_mul(q2, x + 3, 5, MU, 5);
    for (i = 0; i < 5; i++) q3[i] = q2[5 + i];
    mp_mul(r2, q3, 5, Q, 4);
    for (i = 0; i < 5; i++) { /* r = x mod 2^320 - r2 mod 2^320 */
        u128 d = (u128)x[i] - r2[i] - borrow;
        r[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    csub_q(r);
    csub_q(r);
    for (i = 0; i < 4; i++) out[i] = r[i];
    sv_wipe(q2, sizeof q2); sv_wipe(q3, sizeof q3); sv_wipe(r2, sizeof r2); sv_wipe(r, sizeof r);
}

void sv_sc_reduce64(uint8_t out[32], const uint8_t x[64]) {
    uint64_t xl[8], o[4];
    int i;
    for (i = 0; i < 8; i++) xl[i] = ld64(x + 8 * i);
    barrett(o, xl);
    for (i = 0; i < 4; i++) st64(out + 8 * i, o[i]);
    sv_wipe(xl, sizeof xl); sv_wipe(o, sizeof o);
}

void sv_sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32], const uint8_t c[32]) {
    uint64_t al[4], bl[4], p[8], o[4], carry = 0;
    int i;
    for (i = 0; i < 4; i++) { al[i] = ld64(a + 8 * i); bl[i] = ld64(b + 8 * i); }
    mp_mul(p, al, 4, bl, 4);
    for (i = 0; i < 8; i++) { /* a*b + c < 2^512 always */
        u128 t = (u128)p[i] + (i < 4 ? ld64(c + 8 * i) : 0) + carry;
        p[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    barrett(o, p);
    for (i = 0; i < 4; i++) st64(out + 8 * i, o[i]);
    sv_wipe(al, sizeof al); sv_wipe(bl, sizeof bl); sv_wipe(p, sizeof p); sv_wipe(o, sizeof o);
}

int sv_sc_is_canonical(const uint8_t s[32]) {
    uint64_t borrow = 0;
    int i;
    for (i = 0; i < 4; i++) {
        u128 d = (u128)ld64(s + 8 * i) - Q[i] - borrow;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    return (int)borrow; /* borrow set iff s < q */
}
