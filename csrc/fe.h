/*
 * fe.h -- arithmetic in GF(p), p = 2^255 - 19.  Internal to the seqvrf C core.
 *
 * Contract
 *   - An fe is 5 unsigned 64-bit limbs in radix 2^51 (value = sum v[i] * 2^(51 i)).
 *   - Every function accepts limbs < 2^52 and produces limbs < 2^52 ("loosely reduced");
 *     only fe_tobytes produces the canonical (fully reduced) value.  fe_mul, fe_sq and
 *     fe_tobytes also accept limbs < 2^54 (outputs of the lazy fe_add_nc / fe_sub_nc).
 *   - Every function is constant time (no branches or indices on values).
 *   - Hot operations (add, sub, mul, sq, cmov) are static inline here so the group
 *     layer inlines them; the rest lives in fe.c.
 */
#ifndef SEQVRF_FE_H
#define SEQVRF_FE_H

#include <stdint.h>

typedef struct { uint64_t v[5]; } fe;
typedef unsigned __int128 sv_u128;

#if defined(__GNUC__) || defined(__clang__)
#define SV_INLINE static inline __attribute__((always_inline))
#else
#define SV_INLINE static inline
#endif

#define SV_MASK51 ((uint64_t)0x7ffffffffffffULL)

static inline void fe_0(fe *h) { h->v[0] = h->v[1] = h->v[2] = h->v[3] = h->v[4] = 0; }
static inline void fe_1(fe *h) { fe_0(h); h->v[0] = 1; }

/* weak reduction: limbs < 2^51 except limb 0 < 2^51 + 19*small */
static inline void fe_carry_(uint64_t r[5]) {
    uint64_t c;
    c = r[0] >> 51; r[0] &= SV_MASK51; r[1] += c;
    c = r[1] >> 51; r[1] &= SV_MASK51; r[2] += c;
    c = r[2] >> 51; r[2] &= SV_MASK51; r[3] += c;
    c = r[3] >> 51; r[3] &= SV_MASK51; r[4] += c;
    c = r[4] >> 51; r[4] &= SV_MASK51; r[0] += c * 19;
}

static inline void fe_add(fe *h, const fe *f, const fe *g) {
    uint64_t r[5];
    int i;
    for (i = 0; i < 5; i++) r[i] = f->v[i] + g->v[i];
    fe_carry_(r);
    for (i = 0; i < 5; i++) h->v[i] = r[i];
}

/* h = f - g (computed as f + 2p - g; g limbs < 2^52 - 38) */
static inline void fe_sub(fe *h, const fe *f, const fe *g) {
    uint64_t r[5];
    r[0] = (f->v[0] + 0xfffffffffffdaULL) - g->v[0];
    r[1] = (f->v[1] + 0xffffffffffffeULL) - g->v[1];
    r[2] = (f->v[2] + 0xffffffffffffeULL) - g->v[2];
    r[3] = (f->v[3] + 0xffffffffffffeULL) - g->v[3];
    r[4] = (f->v[4] + 0xffffffffffffeULL) - g->v[4];
    fe_carry_(r);
    h->v[0] = r[0]; h->v[1] = r[1]; h->v[2] = r[2]; h->v[3] = r[3]; h->v[4] = r[4];
}

/* Lazy (uncarried) variants for the group formulas; mul/sq accept limbs < 2^54.
 * fe_add_nc: f, g < 2^53 -> h < 2^54.
 * fe_sub_nc: h = f + 2p - g; g limbs must be < 2^51 + 2^15 (a mul/sq/carried output or a
 * table constant), f < 2^53 -> h < 2^54. */
static inline void fe_add_nc(fe *h, const fe *f, const fe *g) {
    int i;
    for (i = 0; i < 5; i++) h->v[i] = f->v[i] + g->v[i];
}

static inline void fe_sub_nc(fe *h, const fe *f, const fe *g) {
    h->v[0] = (f->v[0] + 0xfffffffffffdaULL) - g->v[0];
    h->v[1] = (f->v[1] + 0xffffffffffffeULL) - g->v[1];
    h->v[2] = (f->v[2] + 0xffffffffffffeULL) - g->v[2];
    h->v[3] = (f->v[3] + 0xffffffffffffeULL) - g->v[3];
    h->v[4] = (f->v[4] + 0xffffffffffffeULL) - g->v[4];
}

static inline void fe_neg(fe *h, const fe *f) {
    fe z;
    fe_0(&z);
    fe_sub(h, &z, f);
}

SV_INLINE void fe_mul(fe *h, const fe *f, const fe *g) {
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint64_t g0 = g->v[0], g1 = g->v[1], g2 = g->v[2], g3 = g->v[3], g4 = g->v[4];
    const uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
    sv_u128 r0, r1, r2, r3, r4;
    uint64_t c, o0, o1, o2, o3, o4;
    r0 = (sv_u128)f0 * g0 + (sv_u128)f1 * g4_19 + (sv_u128)f2 * g3_19 + (sv_u128)f3 * g2_19 + (sv_u128)f4 * g1_19;
    r1 = (sv_u128)f0 * g1 + (sv_u128)f1 * g0 + (sv_u128)f2 * g4_19 + (sv_u128)f3 * g3_19 + (sv_u128)f4 * g2_19;
    r2 = (sv_u128)f0 * g2 + (sv_u128)f1 * g1 + (sv_u128)f2 * g0 + (sv_u128)f3 * g4_19 + (sv_u128)f4 * g3_19;
    r3 = (sv_u128)f0 * g3 + (sv_u128)f1 * g2 + (sv_u128)f2 * g1 + (sv_u128)f3 * g0 + (sv_u128)f4 * g4_19;
    r4 = (sv_u128)f0 * g4 + (sv_u128)f1 * g3 + (sv_u128)f2 * g2 + (sv_u128)f3 * g1 + (sv_u128)f4 * g0;
    o0 = (uint64_t)r0 & SV_MASK51; r1 += (uint64_t)(r0 >> 51);
    o1 = (uint64_t)r1 & SV_MASK51; r2 += (uint64_t)(r1 >> 51);
    o2 = (uint64_t)r2 & SV_MASK51; r3 += (uint64_t)(r2 >> 51);
    o3 = (uint64_t)r3 & SV_MASK51; r4 += (uint64_t)(r3 >> 51);
    o4 = (uint64_t)r4 & SV_MASK51; c = (uint64_t)(r4 >> 51);
    o0 += c * 19;
    c = o0 >> 51; o0 &= SV_MASK51; o1 += c;
    h->v[0] = o0; h->v[1] = o1; h->v[2] = o2; h->v[3] = o3; h->v[4] = o4;
}

SV_INLINE void fe_sq(fe *h, const fe *f) {
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1;
    const uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
    sv_u128 r0, r1, r2, r3, r4;
    uint64_t c, o0, o1, o2, o3, o4;
    r0 = (sv_u128)f0 * f0 + (sv_u128)f1_2 * f4_19 + (sv_u128)(2 * f2) * f3_19;
    r1 = (sv_u128)f0_2 * f1 + (sv_u128)(2 * f2) * f4_19 + (sv_u128)f3 * f3_19;
    r2 = (sv_u128)f0_2 * f2 + (sv_u128)f1 * f1 + (sv_u128)(2 * f3) * f4_19;
    r3 = (sv_u128)f0_2 * f3 + (sv_u128)f1_2 * f2 + (sv_u128)f4 * f4_19;
    r4 = (sv_u128)f0_2 * f4 + (sv_u128)f1_2 * f3 + (sv_u128)f2 * f2;
    o0 = (uint64_t)r0 & SV_MASK51; r1 += (uint64_t)(r0 >> 51);
    o1 = (uint64_t)r1 & SV_MASK51; r2 += (uint64_t)(r1 >> 51);
    o2 = (uint64_t)r2 & SV_MASK51; r3 += (uint64_t)(r2 >> 51);
    o3 = (uint64_t)r3 & SV_MASK51; r4 += (uint64_t)(r3 >> 51);
    o4 = (uint64_t)r4 & SV_MASK51; c = (uint64_t)(r4 >> 51);
    o0 += c * 19;
    c = o0 >> 51; o0 &= SV_MASK51; o1 += c;
    h->v[0] = o0; h->v[1] = o1; h->v[2] = o2; h->v[3] = o3; h->v[4] = o4;
}

/* f = g if b == 1, unchanged if b == 0 (b must be 0 or 1) */
static inline void fe_cmov(fe *f, const fe *g, unsigned int b) {
    const uint64_t m = (uint64_t)0 - (uint64_t)b;
    int i;
    for (i = 0; i < 5; i++) f->v[i] ^= m & (f->v[i] ^ g->v[i]);
}

/* f = -f if b == 1 */
static inline void fe_cneg(fe *f, unsigned int b) {
    fe n;
    fe_neg(&n, f);
    fe_cmov(f, &n, b);
}

/* in fe.c */
void sv_fe_frombytes(fe *h, const uint8_t s[32]); /* ignores bit 255; value may be >= p */
void sv_fe_tobytes(uint8_t s[32], const fe *h);   /* canonical encoding */
void sv_fe_invert(fe *out, const fe *z);          /* z^(p-2); 0 -> 0 */
void sv_fe_pow22523(fe *out, const fe *z);        /* z^((p-5)/8) */
int sv_fe_is_negative(const fe *f);               /* low bit of canonical value */
int sv_fe_is_zero(const fe *f);                   /* 1 iff f == 0 mod p */
int sv_fe_eq(const fe *f, const fe *g);           /* 1 iff f == g mod p */
/* RFC 8032 style: r = sqrt(u/v) if u/v is square (returns 1), else returns 0 and r is junk.
 * v != 0 is required for a meaningful answer. */
int sv_fe_sqrt_ratio(fe *r, const fe *u, const fe *v);

#define fe_frombytes sv_fe_frombytes
#define fe_tobytes sv_fe_tobytes
#define fe_invert sv_fe_invert
#define fe_pow22523 sv_fe_pow22523
#define fe_is_negative sv_fe_is_negative
#define fe_is_zero sv_fe_is_zero
#define fe_eq sv_fe_eq
#define fe_sqrt_ratio sv_fe_sqrt_ratio

#endif
