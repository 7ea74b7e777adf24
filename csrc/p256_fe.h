/*
 * p256_fe.h -- arithmetic in GF(p), p = 2^256 - 2^224 + 2^192 + 2^96 - 1 (NIST P-256),
 * and the 4x64-bit Montgomery multiplication shared with the scalar layer (p256_sc.c).
 * Internal to the seqvrf C core.
 *
 * Representation: 4 unsigned 64-bit limbs, little-endian, in Montgomery form
 * (an element a is stored as a*R mod p with R = 2^256), always fully reduced (< p).
 * Why Montgomery rather than a reduction specialised to p's special form: one short,
 * generic CIOS routine (unsigned __int128 products, a masked final subtraction) serves both
 * moduli (p here, the group order q in p256_sc.c), its carries are easy to check, and it
 * is constant time by construction.  It is slower than a Solinas reduction; correctness
 * and reviewability come first here.
 *
 * Contract
 *   - Every function is constant time in its inputs (no branches or indices on values),
 *     except those named *_vartime, which must only see public data.
 *   - Inputs and outputs are fully reduced; outputs may alias inputs.
 *   - sv_p256_fe_frombytes: 32-byte big-endian; returns 1 iff the value is < p (the output
 *     is then valid), 0 otherwise (the output is then the value mod p, never used by
 *     callers that check the flag).
 */
#ifndef SEQVRF_P256_FE_H
#define SEQVRF_P256_FE_H

#include <stdint.h>

typedef struct { uint64_t v[4]; } p256_fe;
typedef unsigned __int128 sv_p256_u128;

/* The 4-limb loops below are fully unrolled on request: gcc -O2 keeps them as loops
 * otherwise, which costs about a third of the multiplication's time here. */
#if defined(__clang__)
#define SV_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define SV_UNROLL _Pragma("GCC unroll 4")
#else
#define SV_UNROLL
#endif

/* r = a*b*2^-256 mod m for a, b < m < 2^256 (CIOS; n0 = -m^-1 mod 2^64).  r < m.
 * The running total stays below 2m < 2^257, so five words plus a carry bit hold it. */
static inline void sv_mont4_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t m[4],
                                uint64_t n0) {
    uint64_t t[6] = {0, 0, 0, 0, 0, 0}, s[4], borrow, mask;
    sv_p256_u128 uv;
    int i, j;
    SV_UNROLL
    for (i = 0; i < 4; i++) {
        uint64_t c = 0, mq;
        SV_UNROLL
        for (j = 0; j < 4; j++) {
            uv = (sv_p256_u128)a[i] * b[j] + t[j] + c;
            t[j] = (uint64_t)uv;
            c = (uint64_t)(uv >> 64);
        }
        uv = (sv_p256_u128)t[4] + c;
        t[4] = (uint64_t)uv;
        t[5] = (uint64_t)(uv >> 64);
        mq = t[0] * n0;
        uv = (sv_p256_u128)mq * m[0] + t[0];
        c = (uint64_t)(uv >> 64);
        SV_UNROLL
        for (j = 1; j < 4; j++) {
            uv = (sv_p256_u128)mq * m[j] + t[j] + c;
            t[j - 1] = (uint64_t)uv;
            c = (uint64_t)(uv >> 64);
        }
        uv = (sv_p256_u128)t[4] + c;
        t[3] = (uint64_t)uv;
        t[4] = t[5] + (uint64_t)(uv >> 64);
    }
    /* t = t[0..4] < 2m: subtract m, keep the difference unless it borrowed */
    borrow = 0;
    SV_UNROLL
    for (j = 0; j < 4; j++) {
        uv = (sv_p256_u128)t[j] - m[j] - borrow;
        s[j] = (uint64_t)uv;
        borrow = (uint64_t)(uv >> 64) & 1;
    }
    borrow = (uint64_t)(((sv_p256_u128)t[4] - borrow) >> 64) & 1; /* 1 iff t < m */
    mask = 0 - borrow;
    SV_UNROLL
    for (j = 0; j < 4; j++) r[j] = (t[j] & mask) | (s[j] & ~mask);
}

/* r = a + b mod m, r = a - b mod m (a, b < m) */
static inline void sv_mod4_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t m[4]) {
    uint64_t t[4], s[4], carry = 0, borrow = 0, mask;
    sv_p256_u128 uv;
    int j;
    SV_UNROLL
    for (j = 0; j < 4; j++) {
        uv = (sv_p256_u128)a[j] + b[j] + carry;
        t[j] = (uint64_t)uv;
        carry = (uint64_t)(uv >> 64);
    }
    SV_UNROLL
    for (j = 0; j < 4; j++) {
        uv = (sv_p256_u128)t[j] - m[j] - borrow;
        s[j] = (uint64_t)uv;
        borrow = (uint64_t)(uv >> 64) & 1;
    }
    /* keep t iff a + b < m, i.e. no carry out and the subtraction borrowed */
    mask = 0 - (borrow & (carry ^ 1));
    SV_UNROLL
    for (j = 0; j < 4; j++) r[j] = (t[j] & mask) | (s[j] & ~mask);
}

static inline void sv_mod4_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t m[4]) {
    uint64_t t[4], borrow = 0, carry = 0, mask;
    sv_p256_u128 uv;
    int j;
    SV_UNROLL
    for (j = 0; j < 4; j++) {
        uv = (sv_p256_u128)a[j] - b[j] - borrow;
        t[j] = (uint64_t)uv;
        borrow = (uint64_t)(uv >> 64) & 1;
    }
    mask = 0 - borrow; /* add m back iff a < b */
    SV_UNROLL
    for (j = 0; j < 4; j++) {
        uv = (sv_p256_u128)t[j] + (m[j] & mask) + carry;
        r[j] = (uint64_t)uv;
        carry = (uint64_t)(uv >> 64);
    }
}

/* 1 iff the 4-limb value a is < m (constant time) */
static inline uint64_t sv_mod4_lt(const uint64_t a[4], const uint64_t m[4]) {
    uint64_t borrow = 0;
    int j;
    SV_UNROLL
    for (j = 0; j < 4; j++) borrow = (uint64_t)((((sv_p256_u128)a[j] - m[j] - borrow) >> 64) & 1);
    return borrow;
}

/* big-endian 32 bytes <-> little-endian limbs (no reduction) */
static inline void sv_p256_load_be(uint64_t r[4], const uint8_t s[32]) {
    int i, j;
    SV_UNROLL
    for (i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (j = 0; j < 8; j++) w = (w << 8) | s[(3 - i) * 8 + j];
        r[i] = w;
    }
}

static inline void sv_p256_store_be(uint8_t s[32], const uint64_t a[4]) {
    int i, j;
    SV_UNROLL
    for (i = 0; i < 4; i++)
        for (j = 0; j < 8; j++) s[(3 - i) * 8 + j] = (uint8_t)(a[i] >> (56 - 8 * j));
}

extern const uint64_t SV_P256_P[4];

static inline void p256_fe_mul(p256_fe *r, const p256_fe *a, const p256_fe *b) {
    sv_mont4_mul(r->v, a->v, b->v, SV_P256_P, 1); /* -p^-1 mod 2^64 = 1 since p = -1 mod 2^64 */
}
static inline void p256_fe_sq(p256_fe *r, const p256_fe *a) { p256_fe_mul(r, a, a); }
static inline void p256_fe_add(p256_fe *r, const p256_fe *a, const p256_fe *b) {
    sv_mod4_add(r->v, a->v, b->v, SV_P256_P);
}
static inline void p256_fe_sub(p256_fe *r, const p256_fe *a, const p256_fe *b) {
    sv_mod4_sub(r->v, a->v, b->v, SV_P256_P);
}

void p256_fe_0(p256_fe *r);
void p256_fe_1(p256_fe *r);                                       /* Montgomery one */
void p256_fe_neg(p256_fe *r, const p256_fe *a);
void p256_fe_cmov(p256_fe *r, const p256_fe *a, uint64_t flag);   /* r = a if flag (0/1) */
uint64_t p256_fe_is_zero(const p256_fe *a);                        /* 1 or 0 */
uint64_t p256_fe_eq(const p256_fe *a, const p256_fe *b);           /* 1 or 0 */
void p256_fe_invert(p256_fe *r, const p256_fe *a);                 /* a^(p-2); 0 -> 0 */
/* r = a^((p+1)/4); returns 1 iff r^2 == a (a is a square), else 0 (r is then a root of -a) */
uint64_t p256_fe_sqrt(p256_fe *r, const p256_fe *a);
uint64_t p256_fe_is_square(const p256_fe *a);                      /* Legendre symbol != -1 */
uint64_t p256_fe_is_odd(const p256_fe *a);                         /* parity of the canonical value */
uint64_t p256_fe_frombytes(p256_fe *r, const uint8_t s[32]);       /* see above */
/* r = the 48-byte big-endian integer mod p (RFC 9380 hash_to_field with L = 48) */
void p256_fe_from48(p256_fe *r, const uint8_t s[48]);
void p256_fe_tobytes(uint8_t s[32], const p256_fe *a);             /* canonical big-endian */
void p256_fe_from_u64(p256_fe *r, uint64_t x);

#endif
