/* p256_ge.c -- the NIST P-256 group (see p256_ge.h). */
#include "p256_ge.h"
#include <string.h>
#include "p256_tables.h"
#include "sha512.h" /* sv_wipe */

/* b and the generator's coordinates, in Montgomery form */
static const p256_fe CURVE_B = {{0xd89cdf6229c4bddfULL, 0xacf005cd78843090ULL, 0xe5a220abf7212ed6ULL,
                                 0xdc30061d04874834ULL}};
static const p256_fe GX = {{0x79e730d418a9143cULL, 0x75ba95fc5fedb601ULL, 0x79fb732b77622510ULL,
                            0x18905f76a53755c6ULL}};
static const p256_fe GY = {{0xddf25357ce95560aULL, 0x8b4ab8e4ba19e45cULL, 0xd2e88688dd21f325ULL,
                            0x8571ff1825885d85ULL}};

void sv_p256_ge_identity(p256_ge *r) {
    p256_fe_0(&r->X);
    p256_fe_1(&r->Y);
    p256_fe_0(&r->Z);
}

void sv_p256_ge_base(p256_ge *r) {
    r->X = GX;
    r->Y = GY;
    p256_fe_1(&r->Z);
}

/* Renes-Costello-Batina 2016, Algorithm 4: complete addition for a = -3 (12M + 2 mul by b). */
void sv_p256_ge_add(p256_ge *r, const p256_ge *p, const p256_ge *q) {
    p256_fe t0, t1, t2, t3, t4, X3, Y3, Z3;
    p256_fe_mul(&t0, &p->X, &q->X);   /* 1 */
    p256_fe_mul(&t1, &p->Y, &q->Y);   /* 2 */
    p256_fe_mul(&t2, &p->Z, &q->Z);   /* 3 */
    p256_fe_add(&t3, &p->X, &p->Y);   /* 4 */
    p256_fe_add(&t4, &q->X, &q->Y);   /* 5 */
    p256_fe_mul(&t3, &t3, &t4);       /* 6 */
    p256_fe_add(&t4, &t0, &t1);       /* 7 */
    p256_fe_sub(&t3, &t3, &t4);       /* 8 */
    p256_fe_add(&t4, &p->Y, &p->Z);   /* 9 */
    p256_fe_add(&X3, &q->Y, &q->Z);   /* 10 */
    p256_fe_mul(&t4, &t4, &X3);       /* 11 */
    p256_fe_add(&X3, &t1, &t2);       /* 12 */
    p256_fe_sub(&t4, &t4, &X3);       /* 13 */
    p256_fe_add(&X3, &p->X, &p->Z);   /* 14 */
    p256_fe_add(&Y3, &q->X, &q->Z);   /* 15 */
    p256_fe_mul(&X3, &X3, &Y3);       /* 16 */
    p256_fe_add(&Y3, &t0, &t2);       /* 17 */
    p256_fe_sub(&Y3, &X3, &Y3);       /* 18 */
    p256_fe_mul(&Z3, &CURVE_B, &t2);  /* 19 */
    p256_fe_sub(&X3, &Y3, &Z3);       /* 20 */
    p256_fe_add(&Z3, &X3, &X3);       /* 21 */
    p256_fe_add(&X3, &X3, &Z3);       /* 22 */
    p256_fe_sub(&Z3, &t1, &X3);       /* 23 */
    p256_fe_add(&X3, &t1, &X3);       /* 24 */
    p256_fe_mul(&Y3, &CURVE_B, &Y3);  /* 25 */
    p256_fe_add(&t1, &t2, &t2);       /* 26 */
    p256_fe_add(&t2, &t1, &t2);       /* 27 */
    p256_fe_sub(&Y3, &Y3, &t2);       /* 28 */
    p256_fe_sub(&Y3, &Y3, &t0);       /* 29 */
    p256_fe_add(&t1, &Y3, &Y3);       /* 30 */
    p256_fe_add(&Y3, &t1, &Y3);       /* 31 */
    p256_fe_add(&t1, &t0, &t0);       /* 32 */
    p256_fe_add(&t0, &t1, &t0);       /* 33 */
    p256_fe_sub(&t0, &t0, &t2);       /* 34 */
    p256_fe_mul(&t1, &t4, &Y3);       /* 35 */
    p256_fe_mul(&t2, &t0, &Y3);       /* 36 */
    p256_fe_mul(&Y3, &X3, &Z3);       /* 37 */
    p256_fe_add(&Y3, &Y3, &t2);       /* 38 */
    p256_fe_mul(&X3, &t3, &X3);       /* 39 */
    p256_fe_sub(&X3, &X3, &t1);       /* 40 */
    p256_fe_mul(&Z3, &t4, &Z3);       /* 41 */
    p256_fe_mul(&t1, &t3, &t0);       /* 42 */
    p256_fe_add(&Z3, &Z3, &t1);       /* 43 */
    r->X = X3;
    r->Y = Y3;
    r->Z = Z3;
}

/* Renes-Costello-Batina 2016, Algorithm 6: exception-free doubling for a = -3. */
void sv_p256_ge_dbl(p256_ge *r, const p256_ge *p) {
    p256_fe t0, t1, t2, t3, X3, Y3, Z3;
    p256_fe_sq(&t0, &p->X);           /* 1 */
    p256_fe_sq(&t1, &p->Y);           /* 2 */
    p256_fe_sq(&t2, &p->Z);           /* 3 */
    p256_fe_mul(&t3, &p->X, &p->Y);   /* 4 */
    p256_fe_add(&t3, &t3, &t3);       /* 5 */
    p256_fe_mul(&Z3, &p->X, &p->Z);   /* 6 */
    p256_fe_add(&Z3, &Z3, &Z3);       /* 7 */
    p256_fe_mul(&Y3, &CURVE_B, &t2);  /* 8 */
    p256_fe_sub(&Y3, &Y3, &Z3);       /* 9 */
    p256_fe_add(&X3, &Y3, &Y3);       /* 10 */
    p256_fe_add(&Y3, &X3, &Y3);       /* 11 */
    p256_fe_sub(&X3, &t1, &Y3);       /* 12 */
    p256_fe_add(&Y3, &t1, &Y3);       /* 13 */
    p256_fe_mul(&Y3, &X3, &Y3);       /* 14 */
    p256_fe_mul(&X3, &X3, &t3);       /* 15 */
    p256_fe_add(&t3, &t2, &t2);       /* 16 */
    p256_fe_add(&t2, &t2, &t3);       /* 17 */
    p256_fe_mul(&Z3, &CURVE_B, &Z3);  /* 18 */
    p256_fe_sub(&Z3, &Z3, &t2);       /* 19 */
    p256_fe_sub(&Z3, &Z3, &t0);       /* 20 */
    p256_fe_add(&t3, &Z3, &Z3);       /* 21 */
    p256_fe_add(&Z3, &Z3, &t3);       /* 22 */
    p256_fe_add(&t3, &t0, &t0);       /* 23 */
    p256_fe_add(&t0, &t3, &t0);       /* 24 */
    p256_fe_sub(&t0, &t0, &t2);       /* 25 */
    p256_fe_mul(&t0, &t0, &Z3);       /* 26 */
    p256_fe_add(&Y3, &Y3, &t0);       /* 27 */
    p256_fe_mul(&t0, &p->Y, &p->Z);   /* 28 */
    p256_fe_add(&t0, &t0, &t0);       /* 29 */
    p256_fe_mul(&Z3, &t0, &Z3);       /* 30 */
    p256_fe_sub(&X3, &X3, &Z3);       /* 31 */
    p256_fe_mul(&Z3, &t0, &t1);       /* 32 */
    p256_fe_add(&Z3, &Z3, &Z3);       /* 33 */
    p256_fe_add(&Z3, &Z3, &Z3);       /* 34 */
    r->X = X3;
    r->Y = Y3;
    r->Z = Z3;
}

void sv_p256_ge_neg(p256_ge *r, const p256_ge *p) {
    r->X = p->X;
    p256_fe_neg(&r->Y, &p->Y);
    r->Z = p->Z;
}

/* rhs(x) = x^3 - 3x + b */
static void curve_rhs(p256_fe *r, const p256_fe *x) {
    p256_fe t, x3;
    p256_fe_sq(&t, x);
    p256_fe_mul(&t, &t, x);
    p256_fe_add(&x3, x, x);
    p256_fe_add(&x3, &x3, x);
    p256_fe_sub(&t, &t, &x3);
    p256_fe_add(r, &t, &CURVE_B);
}

int sv_p256_ge_decode_vartime(p256_ge *r, const uint8_t s[33]) {
    p256_fe x, y, rhs;
    sv_p256_ge_identity(r);
    if (s[0] != 0x02 && s[0] != 0x03) return 0;
    if (!p256_fe_frombytes(&x, s + 1)) return 0;
    curve_rhs(&rhs, &x);
    if (!p256_fe_sqrt(&y, &rhs)) return 0;
    if (p256_fe_is_odd(&y) != (uint64_t)(s[0] & 1)) p256_fe_neg(&y, &y);
    r->X = x;
    r->Y = y;
    p256_fe_1(&r->Z);
    return 1;
}

size_t sv_p256_ge_encode(uint8_t s[33], const p256_ge *p) {
    p256_fe zi, x, y;
    uint8_t xb[32];
    uint64_t inf = p256_fe_is_zero(&p->Z);
    size_t i, n;
    p256_fe_invert(&zi, &p->Z);
    p256_fe_mul(&x, &p->X, &zi);
    p256_fe_mul(&y, &p->Y, &zi);
    p256_fe_tobytes(xb, &x);
    s[0] = (uint8_t)(0x02 | p256_fe_is_odd(&y));
    memcpy(s + 1, xb, 32);
    /* identity: a single 0x00 byte (the rest zeroed); selected without a branch */
    for (i = 0; i < 33; i++) s[i] = (uint8_t)(s[i] & (uint8_t)(inf - 1));
    n = (size_t)(33 - 32 * inf);
    sv_wipe(xb, sizeof xb);
    sv_wipe(&zi, sizeof zi);
    return n;
}

/* Montgomery's trick: one inversion for n points.  A point at infinity takes Z = 1 in the
 * product (selected with a mask) and is encoded as the single byte 0x00 as above. */
void sv_p256_ge_encode_batch(uint8_t (*s)[33], size_t *lens, const p256_ge *const *pts, size_t n) {
    p256_fe z[SV_P256_BATCH_MAX], prefix[SV_P256_BATCH_MAX], inv, zi, x, y, one;
    uint64_t inf[SV_P256_BATCH_MAX];
    uint8_t xb[32];
    size_t i, j;
    if (n == 0 || n > SV_P256_BATCH_MAX) return;
    p256_fe_1(&one);
    for (i = 0; i < n; i++) {
        inf[i] = p256_fe_is_zero(&pts[i]->Z);
        z[i] = pts[i]->Z;
        p256_fe_cmov(&z[i], &one, inf[i]);
        if (i == 0) prefix[0] = z[0];
        else p256_fe_mul(&prefix[i], &prefix[i - 1], &z[i]);
    }
    p256_fe_invert(&inv, &prefix[n - 1]); /* 1 / (z_0 ... z_{n-1}) */
    for (i = n; i-- > 0;) {
        if (i > 0) {
            p256_fe_mul(&zi, &inv, &prefix[i - 1]); /* 1 / z_i */
            p256_fe_mul(&inv, &inv, &z[i]);         /* 1 / (z_0 ... z_{i-1}) */
        } else {
            zi = inv;
        }
        p256_fe_mul(&x, &pts[i]->X, &zi);
        p256_fe_mul(&y, &pts[i]->Y, &zi);
        p256_fe_tobytes(xb, &x);
        s[i][0] = (uint8_t)(0x02 | p256_fe_is_odd(&y));
        memcpy(s[i] + 1, xb, 32);
        for (j = 0; j < 33; j++) s[i][j] = (uint8_t)(s[i][j] & (uint8_t)(inf[i] - 1));
        lens[i] = (size_t)(33 - 32 * inf[i]);
    }
    sv_wipe(z, sizeof z);
    sv_wipe(prefix, sizeof prefix);
    sv_wipe(&inv, sizeof inv);
    sv_wipe(&zi, sizeof zi);
    sv_wipe(&x, sizeof x);
    sv_wipe(&y, sizeof y);
    sv_wipe(xb, sizeof xb);
}

int sv_p256_ge_is_identity_vartime(const p256_ge *p) { return (int)p256_fe_is_zero(&p->Z); }

static void ge_cmov(p256_ge *r, const p256_ge *a, uint64_t flag) {
    p256_fe_cmov(&r->X, &a->X, flag);
    p256_fe_cmov(&r->Y, &a->Y, flag);
    p256_fe_cmov(&r->Z, &a->Z, flag);
}

/* 1 iff a == b, without a branch */
static uint64_t ct_eq_u32(uint32_t a, uint32_t b) {
    uint64_t d = (uint64_t)(a ^ b);
    return 1 ^ ((d | (0 - d)) >> 63);
}

/* ---- doubling chains in Jacobian coordinates ----
 * The complete doubling above costs 8M + 3S + 2 multiplications by b.  Runs of doublings in
 * the ladders below use Jacobian coordinates (x = X/Z^2, y = Y/Z^3) instead, where doubling
 * with a = -3 is 3M + 5S (dbl-2001-b).  It has no exceptional case on this curve: there is
 * no point of order 2 (y = 0), and the representation (0:0:0) that the identity takes here
 * doubles to itself.  Each window's addition converts to homogeneous coordinates (3 mults),
 * uses the complete addition, and converts back (3 mults): 52 instead of 66 multiplications
 * per 4-bit window, with the completeness of the addition kept. */
typedef struct { p256_fe X, Y, Z; } p256_jac;

static void jac_dbl(p256_jac *r, const p256_jac *p) {
    p256_fe delta, gamma, beta, alpha, t, u;
    p256_fe_sq(&delta, &p->Z);                /* delta = Z^2 */
    p256_fe_sq(&gamma, &p->Y);                /* gamma = Y^2 */
    p256_fe_mul(&beta, &p->X, &gamma);        /* beta = X*gamma */
    p256_fe_sub(&t, &p->X, &delta);
    p256_fe_add(&u, &p->X, &delta);
    p256_fe_mul(&alpha, &t, &u);
    p256_fe_add(&t, &alpha, &alpha);
    p256_fe_add(&alpha, &t, &alpha);          /* alpha = 3*(X - delta)*(X + delta) */
    p256_fe_add(&t, &p->Y, &p->Z);
    p256_fe_sq(&t, &t);
    p256_fe_sub(&t, &t, &gamma);
    p256_fe_sub(&r->Z, &t, &delta);           /* Z3 = (Y + Z)^2 - gamma - delta */
    p256_fe_add(&beta, &beta, &beta);
    p256_fe_add(&beta, &beta, &beta);         /* 4*beta */
    p256_fe_sq(&t, &alpha);
    p256_fe_add(&u, &beta, &beta);
    p256_fe_sub(&r->X, &t, &u);               /* X3 = alpha^2 - 8*beta */
    p256_fe_sub(&t, &beta, &r->X);
    p256_fe_mul(&t, &alpha, &t);
    p256_fe_sq(&gamma, &gamma);
    p256_fe_add(&gamma, &gamma, &gamma);
    p256_fe_add(&gamma, &gamma, &gamma);
    p256_fe_add(&gamma, &gamma, &gamma);      /* 8*gamma^2 */
    p256_fe_sub(&r->Y, &t, &gamma);           /* Y3 = alpha*(4*beta - X3) - 8*gamma^2 */
}

/* (X:Y:Z) Jacobian -> (X*Z : Y : Z^3) homogeneous; Z = 0 (the identity) -> (0:1:0), without a branch */
static void jac_to_proj(p256_ge *r, const p256_jac *p) {
    p256_fe z2, one;
    uint64_t inf = p256_fe_is_zero(&p->Z);
    p256_fe_sq(&z2, &p->Z);
    p256_fe_mul(&r->X, &p->X, &p->Z);
    p256_fe_mul(&r->Z, &z2, &p->Z);
    r->Y = p->Y;
    p256_fe_1(&one);
    p256_fe_cmov(&r->Y, &one, inf);
}

/* (X:Y:Z) homogeneous -> (X*Z : Y*Z^2 : Z) Jacobian (the identity (0:1:0) -> (0:0:0)) */
static void proj_to_jac(p256_jac *r, const p256_ge *p) {
    p256_fe z2;
    p256_fe_sq(&z2, &p->Z);
    p256_fe_mul(&r->X, &p->X, &p->Z);
    p256_fe_mul(&r->Y, &p->Y, &z2);
    r->Z = p->Z;
}

static void jac_dbl4(p256_jac *a) {
    jac_dbl(a, a);
    jac_dbl(a, a);
    jac_dbl(a, a);
    jac_dbl(a, a);
}

void sv_p256_ge_scalarmult(p256_ge *r, const uint8_t a[32], const p256_ge *P) {
    p256_ge tab[16], acc, sel;
    p256_jac jacc;
    int i, j;
    sv_p256_ge_identity(&tab[0]);
    tab[1] = *P;
    for (i = 2; i < 16; i++) {
        if (i & 1) sv_p256_ge_add(&tab[i], &tab[i - 1], P);
        else sv_p256_ge_dbl(&tab[i], &tab[i / 2]);
    }
    sv_p256_ge_identity(&acc);
    proj_to_jac(&jacc, &acc);
    for (i = 0; i < 64; i++) {
        uint32_t nib = (uint32_t)(a[i / 2] >> (4 * (1 - (i & 1)))) & 15; /* most significant first */
        jac_dbl4(&jacc);
        sel = tab[0];
        for (j = 1; j < 16; j++) ge_cmov(&sel, &tab[j], ct_eq_u32((uint32_t)j, nib));
        jac_to_proj(&acc, &jacc);
        sv_p256_ge_add(&acc, &acc, &sel);
        proj_to_jac(&jacc, &acc);
    }
    *r = acc;
    sv_wipe(tab, sizeof tab);
    sv_wipe(&acc, sizeof acc);
    sv_wipe(&jacc, sizeof jacc);
    sv_wipe(&sel, sizeof sel);
}

/* Fixed base: a = sum a_i 16^i, so a*B = sum of SV_P256_COMB[i][a_i - 1] (identity for a_i = 0):
 * 64 complete additions, no doublings.  Each digit's entry is selected by a masked scan of
 * the 15 entries of its row, so neither the digit nor the entry leaks through the index. */
void sv_p256_ge_scalarmult_base(p256_ge *r, const uint8_t a[32]) {
    p256_ge acc, sel;
    p256_fe one;
    int i, j;
    p256_fe_1(&one);
    sv_p256_ge_identity(&acc);
    for (i = 0; i < 64; i++) {
        uint32_t nib = (uint32_t)(a[31 - i / 2] >> (4 * (i & 1))) & 15; /* least significant first */
        sv_p256_ge_identity(&sel);
        for (j = 1; j < 16; j++) {
            uint64_t f = ct_eq_u32((uint32_t)j, nib);
            p256_fe x, y;
            memcpy(x.v, SV_P256_COMB[i][j - 1][0], sizeof x.v);
            memcpy(y.v, SV_P256_COMB[i][j - 1][1], sizeof y.v);
            p256_fe_cmov(&sel.X, &x, f);
            p256_fe_cmov(&sel.Y, &y, f);
            p256_fe_cmov(&sel.Z, &one, f);
        }
        sv_p256_ge_add(&acc, &acc, &sel);
    }
    *r = acc;
    sv_wipe(&acc, sizeof acc);
    sv_wipe(&sel, sizeof sel);
}

void sv_p256_ge_scalarmult_base_vartime(p256_ge *r, const uint8_t a[32]) {
    p256_ge acc, e;
    int i;
    sv_p256_ge_identity(&acc);
    p256_fe_1(&e.Z);
    for (i = 0; i < 64; i++) {
        unsigned int nib = (unsigned int)(a[31 - i / 2] >> (4 * (i & 1))) & 15;
        if (nib == 0) continue;
        memcpy(e.X.v, SV_P256_COMB[i][nib - 1][0], sizeof e.X.v);
        memcpy(e.Y.v, SV_P256_COMB[i][nib - 1][1], sizeof e.Y.v);
        sv_p256_ge_add(&acc, &acc, &e);
    }
    *r = acc;
}

void sv_p256_ge_scalarmult_table_vartime(p256_ge *r, const uint8_t b[32], const p256_ge_table *T) {
    p256_ge acc;
    p256_jac jacc;
    int i, started = 0;
    sv_p256_ge_identity(&acc);
    proj_to_jac(&jacc, &acc);
    for (i = 0; i < 64; i++) {
        unsigned int nb = (unsigned int)(b[i / 2] >> (4 * (1 - (i & 1)))) & 15;
        if (started) jac_dbl4(&jacc);
        if (nb) {
            jac_to_proj(&acc, &jacc);
            sv_p256_ge_add(&acc, &acc, &T->t[nb]);
            proj_to_jac(&jacc, &acc);
            started = 1;
        }
    }
    jac_to_proj(r, &jacc);
}

void sv_p256_ge_table_vartime(p256_ge_table *t, const p256_ge *P) {
    int i;
    sv_p256_ge_identity(&t->t[0]);
    t->t[1] = *P;
    for (i = 2; i < 16; i++) {
        if (i & 1) sv_p256_ge_add(&t->t[i], &t->t[i - 1], P);
        else sv_p256_ge_dbl(&t->t[i], &t->t[i / 2]);
    }
}

void sv_p256_ge_double_scalarmult_vartime(p256_ge *r, const uint8_t a[32], const p256_ge_table *P,
                                          const uint8_t b[32], const p256_ge_table *Q) {
    p256_ge acc;
    p256_jac jacc;
    int i, started = 0;
    sv_p256_ge_identity(&acc);
    proj_to_jac(&jacc, &acc);
    for (i = 0; i < 64; i++) {
        unsigned int na = (unsigned int)(a[i / 2] >> (4 * (1 - (i & 1)))) & 15;
        unsigned int nb = (unsigned int)(b[i / 2] >> (4 * (1 - (i & 1)))) & 15;
        if (started) jac_dbl4(&jacc);
        if (na || nb) {
            jac_to_proj(&acc, &jacc);
            if (na) sv_p256_ge_add(&acc, &acc, &P->t[na]);
            if (nb) sv_p256_ge_add(&acc, &acc, &Q->t[nb]);
            proj_to_jac(&jacc, &acc);
            started = 1;
        }
    }
    jac_to_proj(r, &jacc);
}
