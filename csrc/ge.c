/* ge.c -- edwards25519 group operations (see ge.h for the contract). */
#include "ge.h"
#include <string.h>
#include "fe_consts.h"
#include "sha512.h"

typedef struct { fe X, Y, Z; } ge_p2;
typedef struct { fe X, Y, Z, T; } ge_p1p1; /* completed: x = X/Z, y = Y/T */
typedef struct { fe ypx, ymx, xy2d; } ge_precomp; /* affine (y+x, y-x, 2dxy) */

#include "ge_tables.h"

/* ---------- conversions ---------- */

static void p3_to_p2(ge_p2 *r, const ge_p3 *p) { r->X = p->X; r->Y = p->Y; r->Z = p->Z; }

static void p1p1_to_p2(ge_p2 *r, const ge_p1p1 *p) {
    fe_mul(&r->X, &p->X, &p->T);
    fe_mul(&r->Y, &p->Y, &p->Z);
    fe_mul(&r->Z, &p->Z, &p->T);
}

static void p1p1_to_p3(ge_p3 *r, const ge_p1p1 *p) {
    fe_mul(&r->X, &p->X, &p->T);
    fe_mul(&r->Y, &p->Y, &p->Z);
    fe_mul(&r->Z, &p->Z, &p->T);
    fe_mul(&r->T, &p->X, &p->Y);
}

static void p3_to_cached(ge_cached *r, const ge_p3 *p) {
    fe_add_nc(&r->YpX, &p->Y, &p->X);
    fe_sub_nc(&r->YmX, &p->Y, &p->X);
    r->Z = p->Z;
    fe_mul(&r->T2d, &p->T, &FE_D2);
}

void sv_ge_identity(ge_p3 *h) {
    fe_0(&h->X); fe_1(&h->Y); fe_1(&h->Z); fe_0(&h->T);
}

static void p2_identity(ge_p2 *h) { fe_0(&h->X); fe_1(&h->Y); fe_1(&h->Z); }

/* ---------- doubling and addition (RFC 8032 5.1.4 formulas, a = -1) ---------- */

static void p2_dbl(ge_p1p1 *r, const ge_p2 *p) {
    fe A, B, C, H, t;
    fe_sq(&A, &p->X);
    fe_sq(&B, &p->Y);
    fe_sq(&C, &p->Z);
    fe_add_nc(&C, &C, &C);
    fe_add_nc(&H, &A, &B);
    fe_add_nc(&t, &p->X, &p->Y);
    fe_sq(&t, &t);
    fe_sub_nc(&r->X, &H, &t);    /* E */
    fe_sub_nc(&r->Z, &A, &B);    /* G */
    fe_add_nc(&r->T, &C, &r->Z); /* F = C + G */
    r->Y = H;
}

static void p3_dbl(ge_p1p1 *r, const ge_p3 *p) {
    ge_p2 q;
    p3_to_p2(&q, p);
    p2_dbl(r, &q);
}

/* r = p + q (sub = 0) or p - q (sub = 1); public choice of sub */
static void add_cached(ge_p1p1 *r, const ge_p3 *p, const ge_cached *q) {
    fe A, B, C, D;
    fe_sub_nc(&A, &p->Y, &p->X);
    fe_mul(&A, &A, &q->YmX);
    fe_add_nc(&B, &p->Y, &p->X);
    fe_mul(&B, &B, &q->YpX);
    fe_mul(&C, &p->T, &q->T2d);
    fe_mul(&D, &p->Z, &q->Z);
    fe_add_nc(&D, &D, &D);
    fe_sub_nc(&r->X, &B, &A);       /* E */
    fe_add_nc(&r->Y, &B, &A);       /* H */
    fe_add_nc(&r->Z, &D, &C);       /* G */
    fe_sub_nc(&r->T, &D, &C);       /* F */
}

static void sub_cached(ge_p1p1 *r, const ge_p3 *p, const ge_cached *q) {
    fe A, B, C, D;
    fe_sub_nc(&A, &p->Y, &p->X);
    fe_mul(&A, &A, &q->YpX);
    fe_add_nc(&B, &p->Y, &p->X);
    fe_mul(&B, &B, &q->YmX);
    fe_mul(&C, &p->T, &q->T2d);
    fe_mul(&D, &p->Z, &q->Z);
    fe_add_nc(&D, &D, &D);
    fe_sub_nc(&r->X, &B, &A);
    fe_add_nc(&r->Y, &B, &A);
    fe_sub_nc(&r->Z, &D, &C);
    fe_add_nc(&r->T, &D, &C);
}

static void add_precomp(ge_p1p1 *r, const ge_p3 *p, const ge_precomp *q) {
    fe A, B, C, D;
    fe_sub_nc(&A, &p->Y, &p->X);
    fe_mul(&A, &A, &q->ymx);
    fe_add_nc(&B, &p->Y, &p->X);
    fe_mul(&B, &B, &q->ypx);
    fe_mul(&C, &p->T, &q->xy2d);
    fe_add_nc(&D, &p->Z, &p->Z);
    fe_sub_nc(&r->X, &B, &A);
    fe_add_nc(&r->Y, &B, &A);
    fe_add_nc(&r->Z, &D, &C);
    fe_sub_nc(&r->T, &D, &C);
}

static void sub_precomp(ge_p1p1 *r, const ge_p3 *p, const ge_precomp *q) {
    fe A, B, C, D;
    fe_sub_nc(&A, &p->Y, &p->X);
    fe_mul(&A, &A, &q->ypx);
    fe_add_nc(&B, &p->Y, &p->X);
    fe_mul(&B, &B, &q->ymx);
    fe_mul(&C, &p->T, &q->xy2d);
    fe_add_nc(&D, &p->Z, &p->Z);
    fe_sub_nc(&r->X, &B, &A);
    fe_add_nc(&r->Y, &B, &A);
    fe_sub_nc(&r->Z, &D, &C);
    fe_add_nc(&r->T, &D, &C);
}

void sv_ge_add(ge_p3 *r, const ge_p3 *p, const ge_p3 *q) {
    ge_cached c;
    ge_p1p1 t;
    p3_to_cached(&c, q);
    add_cached(&t, p, &c);
    p1p1_to_p3(r, &t);
}

void sv_ge_mul8(ge_p3 *r, const ge_p3 *p) {
    ge_p1p1 t;
    ge_p2 q;
    p3_dbl(&t, p);
    p1p1_to_p2(&q, &t);
    p2_dbl(&t, &q);
    p1p1_to_p2(&q, &t);
    p2_dbl(&t, &q);
    p1p1_to_p3(r, &t);
}

/* public input */
int sv_ge_is_identity_vartime(const ge_p3 *p) {
    return fe_is_zero(&p->X) && fe_eq(&p->Y, &p->Z);
}

/* ---------- encoding / decoding ---------- */

int sv_ge_decode(ge_p3 *h, const uint8_t s[32]) {
    uint8_t t[32];
    unsigned int diff = 0, sign, xzero, ok;
    fe y, u, v, x, y2, one;
    int i;
    fe_frombytes(&y, s);
    fe_tobytes(t, &y);
    for (i = 0; i < 31; i++) diff |= (unsigned int)(t[i] ^ s[i]);
    diff |= (unsigned int)(t[31] ^ (s[31] & 0x7f));
    sign = s[31] >> 7;
    fe_sq(&y2, &y);
    fe_1(&one);
    fe_sub(&u, &y2, &one);        /* y^2 - 1 */
    fe_mul(&v, &y2, &FE_D);
    fe_add(&v, &v, &one);         /* d y^2 + 1 */
    ok = (unsigned int)fe_sqrt_ratio(&x, &u, &v);
    xzero = (unsigned int)fe_is_zero(&x);
    fe_cneg(&x, (unsigned int)fe_is_negative(&x) ^ sign);
    h->X = x;
    h->Y = y;
    fe_1(&h->Z);
    fe_mul(&h->T, &x, &y);
    return (int)(ok & (diff == 0) & !(xzero & sign));
}

void sv_ge_encode(uint8_t s[32], const ge_p3 *h) {
    fe zi, x, y;
    fe_invert(&zi, &h->Z);
    fe_mul(&x, &h->X, &zi);
    fe_mul(&y, &h->Y, &zi);
    fe_tobytes(s, &y);
    s[31] ^= (uint8_t)(fe_is_negative(&x) << 7);
}

void sv_ge_encode_batch(uint8_t (*s)[32], const ge_p3 *const *pts, size_t n) {
    fe acc[8], inv, zi, x, y;
    size_t i;
    if (n == 0 || n > 8) return;
    acc[0] = pts[0]->Z;
    for (i = 1; i < n; i++) fe_mul(&acc[i], &acc[i - 1], &pts[i]->Z);
    fe_invert(&inv, &acc[n - 1]);
    for (i = n; i-- > 0;) {
        if (i > 0) {
            fe_mul(&zi, &inv, &acc[i - 1]);
            fe_mul(&inv, &inv, &pts[i]->Z);
        } else {
            zi = inv;
        }
        fe_mul(&x, &pts[i]->X, &zi);
        fe_mul(&y, &pts[i]->Y, &zi);
        fe_tobytes(s[i], &y);
        s[i][31] ^= (uint8_t)(fe_is_negative(&x) << 7);
    }
}

/* ---------- constant-time scalar multiplication ---------- */

/* e[i] in [-8, 8], a = sum e[i] 16^i; requires a < 2^255 */
static void recode16(int8_t e[64], const uint8_t a[32]) {
    int i, carry = 0;
    for (i = 0; i < 32; i++) {
        e[2 * i] = (int8_t)(a[i] & 15);
        e[2 * i + 1] = (int8_t)((a[i] >> 4) & 15);
    }
    for (i = 0; i < 63; i++) {
        int v = e[i] + carry;
        carry = (v + 8) >> 4; /* v + 8 >= 0 */
        e[i] = (int8_t)(v - (carry << 4));
    }
    e[63] = (int8_t)(e[63] + carry);
}

static unsigned int ct_eq(unsigned int a, unsigned int b) {
    return (unsigned int)(((uint32_t)(a ^ b) - 1U) >> 31);
}

/* t = b * (table entry), table[j] = (j+1) * P, b in [-8, 8].  Every entry is read and
 * combined with a mask: no secret-dependent branch or index.  The structs are arrays of
 * uint64_t limbs, read here as flat uint64_t arrays (NW words per entry). */
#define PRECOMP_WORDS 15
#define CACHED_WORDS 20

/* acc[w] |= src[w] & m for w < n; 2-lane vectors where GCC vector extensions exist */
#if defined(__GNUC__) && !defined(SEQVRF_NO_VECTOR_EXT)
typedef uint64_t sv_v2u64 __attribute__((vector_size(16)));
static inline void masked_or(uint64_t *acc, const uint64_t *src, uint64_t m, unsigned int n) {
    const sv_v2u64 mv = {m, m};
    unsigned int w;
    for (w = 0; w + 2 <= n; w += 2) {
        sv_v2u64 a, s;
        memcpy(&a, acc + w, 16);
        memcpy(&s, src + w, 16);
        a |= s & mv;
        memcpy(acc + w, &a, 16);
    }
    if (w < n) acc[w] |= src[w] & m;
}
#else
static inline void masked_or(uint64_t *acc, const uint64_t *src, uint64_t m, unsigned int n) {
    unsigned int w;
    for (w = 0; w < n; w++) acc[w] |= src[w] & m;
}
#endif

static void select_precomp(ge_precomp *t, const ge_precomp tab[8], int8_t b) {
    const unsigned int bneg = ((unsigned int)(int)b) >> 31;
    const unsigned int babs = (((unsigned int)(int)b) ^ (0U - bneg)) + bneg;
    const uint64_t *src = &tab[0].ypx.v[0];
    uint64_t acc[PRECOMP_WORDS], m;
    unsigned int j, w;
    fe n;
    m = (uint64_t)0 - (uint64_t)ct_eq(babs, 0);
    for (w = 0; w < PRECOMP_WORDS; w++) acc[w] = 0;
    acc[0] = m & 1; /* identity: (1, 1, 0) */
    acc[5] = m & 1;
    for (j = 0; j < 8; j++) {
        m = (uint64_t)0 - (uint64_t)ct_eq(babs, j + 1);
        masked_or(acc, src + j * PRECOMP_WORDS, m, PRECOMP_WORDS);
    }
    /* conditional negation: swap y+x / y-x, negate 2dxy */
    m = (uint64_t)0 - (uint64_t)bneg;
    for (w = 0; w < 5; w++) {
        const uint64_t d = (acc[w] ^ acc[5 + w]) & m;
        t->ypx.v[w] = acc[w] ^ d;
        t->ymx.v[w] = acc[5 + w] ^ d;
        t->xy2d.v[w] = acc[10 + w];
    }
    fe_neg(&n, &t->xy2d);
    fe_cmov(&t->xy2d, &n, bneg);
}

static void select_cached(ge_cached *t, const ge_cached tab[8], int8_t b) {
    const unsigned int bneg = ((unsigned int)(int)b) >> 31;
    const unsigned int babs = (((unsigned int)(int)b) ^ (0U - bneg)) + bneg;
    const uint64_t *src = &tab[0].YpX.v[0];
    uint64_t acc[CACHED_WORDS], m;
    unsigned int j, w;
    fe n;
    m = (uint64_t)0 - (uint64_t)ct_eq(babs, 0);
    for (w = 0; w < CACHED_WORDS; w++) acc[w] = 0;
    acc[0] = m & 1; /* identity: (1, 1, 1, 0) */
    acc[5] = m & 1;
    acc[10] = m & 1;
    for (j = 0; j < 8; j++) {
        m = (uint64_t)0 - (uint64_t)ct_eq(babs, j + 1);
        masked_or(acc, src + j * CACHED_WORDS, m, CACHED_WORDS);
    }
    m = (uint64_t)0 - (uint64_t)bneg;
    for (w = 0; w < 5; w++) {
        const uint64_t d = (acc[w] ^ acc[5 + w]) & m;
        t->YpX.v[w] = acc[w] ^ d;
        t->YmX.v[w] = acc[5 + w] ^ d;
        t->Z.v[w] = acc[10 + w];
        t->T2d.v[w] = acc[15 + w];
    }
    fe_neg(&n, &t->T2d);
    fe_cmov(&t->T2d, &n, bneg);
}

typedef char sv_precomp_flat[(sizeof(ge_precomp) == PRECOMP_WORDS * 8) ? 1 : -1];
typedef char sv_cached_flat[(sizeof(ge_cached) == CACHED_WORDS * 8) ? 1 : -1];

void sv_ge_scalarmult_base(ge_p3 *h, const uint8_t a[32]) {
    int8_t e[64];
    ge_precomp t;
    ge_p1p1 r;
    ge_p2 s;
    int i;
    recode16(e, a);
    sv_ge_identity(h);
    for (i = 1; i < 64; i += 2) {
        select_precomp(&t, GE_BASE[i / 2], e[i]);
        add_precomp(&r, h, &t);
        p1p1_to_p3(h, &r);
    }
    p3_dbl(&r, h);
    p1p1_to_p2(&s, &r);
    p2_dbl(&r, &s);
    p1p1_to_p2(&s, &r);
    p2_dbl(&r, &s);
    p1p1_to_p2(&s, &r);
    p2_dbl(&r, &s);
    p1p1_to_p3(h, &r);
    for (i = 0; i < 64; i += 2) {
        select_precomp(&t, GE_BASE[i / 2], e[i]);
        add_precomp(&r, h, &t);
        p1p1_to_p3(h, &r);
    }
    sv_wipe(e, sizeof e);
    sv_wipe(&t, sizeof t);
    sv_wipe(&r, sizeof r);
    sv_wipe(&s, sizeof s);
}

/* tab[k] = (k+1) * P, k < 8 (even multiples by doubling) */
static void multiples_table(ge_cached tab[8], const ge_p3 *P) {
    ge_p3 m[8];
    ge_p1p1 t;
    int k;
    m[0] = *P;
    p3_to_cached(&tab[0], P);
    for (k = 1; k < 8; k++) {
        if (k & 1) { /* (k+1) P = 2 * ((k+1)/2) P */
            p3_dbl(&t, &m[k / 2]);
        } else {     /* (k+1) P = k P + P */
            add_cached(&t, &m[k - 1], &tab[0]);
        }
        p1p1_to_p3(&m[k], &t);
        p3_to_cached(&tab[k], &m[k]);
    }
}

void sv_ge_scalarmult_multi(ge_p3 *r, const uint8_t (*a)[32], size_t n, const ge_p3 *P) {
    ge_cached tab[4][8], t[SV_MULTI_MAX];
    ge_p3 Pj, h[SV_MULTI_MAX];
    ge_p1p1 q[SV_MULTI_MAX];
    ge_p2 s[SV_MULTI_MAX];
    int8_t e[SV_MULTI_MAX][64];
    int j, k, rr;
    size_t idx;
    if (n > SV_MULTI_MAX) n = SV_MULTI_MAX;
    Pj = *P;
    for (j = 0; j < 4; j++) {
        multiples_table(tab[j], &Pj);
        if (j < 3) { /* Pj = 2^64 Pj */
            p3_to_p2(&s[0], &Pj);
            for (k = 0; k < 63; k++) {
                p2_dbl(&q[0], &s[0]);
                p1p1_to_p2(&s[0], &q[0]);
            }
            p2_dbl(&q[0], &s[0]);
            p1p1_to_p3(&Pj, &q[0]);
        }
    }
    /* the n accumulators are processed in lockstep so their independent
     * dependency chains overlap in the CPU */
    for (idx = 0; idx < n; idx++) {
        recode16(e[idx], a[idx]);
        sv_ge_identity(&h[idx]);
    }
    for (rr = 15; rr >= 0; rr--) {
        if (rr != 15) { /* s[idx] holds h[idx] as p2 (set by the last addition) */
            for (k = 0; k < 3; k++) {
                for (idx = 0; idx < n; idx++) {
                    p2_dbl(&q[idx], &s[idx]);
                    p1p1_to_p2(&s[idx], &q[idx]);
                }
            }
            for (idx = 0; idx < n; idx++) {
                p2_dbl(&q[idx], &s[idx]);
                p1p1_to_p3(&h[idx], &q[idx]);
            }
        }
        for (j = 0; j < 4; j++) {
            for (idx = 0; idx < n; idx++) {
                select_cached(&t[idx], tab[j], e[idx][16 * j + rr]);
                add_cached(&q[idx], &h[idx], &t[idx]);
                if (j == 3 && rr != 0) p1p1_to_p2(&s[idx], &q[idx]); /* next: doubling */
                else p1p1_to_p3(&h[idx], &q[idx]);
            }
        }
    }
    for (idx = 0; idx < n; idx++) r[idx] = h[idx];
    sv_wipe(e, sizeof e);
    sv_wipe(t, sizeof t);
    sv_wipe(q, sizeof q);
    sv_wipe(s, sizeof s);
    sv_wipe(h, sizeof h);
}

/* ---------- variable-time (public inputs only) ---------- */

/* width-w NAF of a 256-bit scalar; naf has 264 entries, digits odd, |d| < 2^(w-1) */
static void wnaf_vartime(int8_t naf[264], const uint8_t s[32], int w) {
    uint64_t x[6] = {0, 0, 0, 0, 0, 0};
    const uint64_t width = (uint64_t)1 << w, mask = width - 1;
    uint64_t carry = 0;
    int pos = 0, i;
    for (i = 0; i < 32; i++) x[i / 8] |= (uint64_t)s[i] << (8 * (i % 8));
    memset(naf, 0, 264);
    while (pos < 264) {
        const int idx = pos / 64, bi = pos % 64;
        uint64_t buf, window;
        if (bi < 64 - w) buf = x[idx] >> bi;
        else buf = (x[idx] >> bi) | (x[idx + 1] << (64 - bi));
        window = carry + (buf & mask);
        if ((window & 1) == 0) { pos += 1; continue; }
        if (window < width / 2) {
            carry = 0;
            naf[pos] = (int8_t)window;
        } else {
            carry = 1;
            naf[pos] = (int8_t)((int64_t)window - (int64_t)width);
        }
        pos += w;
    }
}

void sv_ge_odd_table_vartime(ge_cached t[8], const ge_p3 *P) {
    ge_p3 P2, acc;
    ge_p1p1 q;
    ge_cached c2;
    int i;
    p3_dbl(&q, P);
    p1p1_to_p3(&P2, &q);
    p3_to_cached(&c2, &P2);
    p3_to_cached(&t[0], P);
    acc = *P;
    for (i = 1; i < 8; i++) {
        add_cached(&q, &acc, &c2);
        p1p1_to_p3(&acc, &q);
        p3_to_cached(&t[i], &acc);
    }
}

typedef struct {
    const int8_t *naf;
    const ge_precomp *pre;   /* either pre or cached is set */
    const ge_cached *cached;
    int neg;
} straus_term;

static void straus_vartime(ge_p3 *r, const straus_term *tm, int nt) {
    ge_p2 acc;
    ge_p1p1 q;
    ge_p3 u;
    int i, j;
    for (i = 263; i >= 0; i--) {
        for (j = 0; j < nt; j++) if (tm[j].naf[i]) break;
        if (j < nt) break;
    }
    if (i < 0) { sv_ge_identity(r); return; }
    p2_identity(&acc);
    for (; i >= 0; i--) {
        p2_dbl(&q, &acc);
        for (j = 0; j < nt; j++) {
            int d = tm[j].naf[i];
            if (!d) continue;
            if (tm[j].neg) d = -d;
            p1p1_to_p3(&u, &q);
            if (tm[j].pre) {
                if (d > 0) add_precomp(&q, &u, &tm[j].pre[d / 2]);
                else sub_precomp(&q, &u, &tm[j].pre[(-d) / 2]);
            } else {
                if (d > 0) add_cached(&q, &u, &tm[j].cached[d / 2]);
                else sub_cached(&q, &u, &tm[j].cached[(-d) / 2]);
            }
        }
        if (i > 0) p1p1_to_p2(&acc, &q);
    }
    p1p1_to_p3(r, &q);
}

void sv_ge_double_scalarmult_vartime(ge_p3 *r, const uint8_t a[32], const uint8_t b[32], const ge_p3 *P) {
    int8_t na[264], nb[264];
    ge_cached tab[8];
    straus_term tm[2];
    wnaf_vartime(na, a, 8);
    wnaf_vartime(nb, b, 5);
    sv_ge_odd_table_vartime(tab, P);
    tm[0].naf = na; tm[0].pre = GE_BI; tm[0].cached = NULL; tm[0].neg = 0;
    tm[1].naf = nb; tm[1].pre = NULL; tm[1].cached = tab; tm[1].neg = 0;
    straus_vartime(r, tm, 2);
}

void sv_ge_vrf_u_vartime(ge_p3 *U, const uint8_t s[32], const uint8_t c[16], const ge_cached Ytab[8]) {
    uint8_t lo[32], hi[32], cc[32];
    int8_t nlo[264], nhi[264], nc[264];
    straus_term tm[3];
    memset(lo, 0, 32); memset(hi, 0, 32); memset(cc, 0, 32);
    memcpy(lo, s, 16);
    memcpy(hi, s + 16, 16);
    memcpy(cc, c, 16);
    wnaf_vartime(nlo, lo, 8);
    wnaf_vartime(nhi, hi, 8);
    wnaf_vartime(nc, cc, 5);
    tm[0].naf = nlo; tm[0].pre = GE_BI; tm[0].cached = NULL; tm[0].neg = 0;
    tm[1].naf = nhi; tm[1].pre = GE_B128I; tm[1].cached = NULL; tm[1].neg = 0;
    tm[2].naf = nc; tm[2].pre = NULL; tm[2].cached = Ytab; tm[2].neg = 1;
    straus_vartime(U, tm, 3);
}

void sv_ge_vrf_v_vartime(ge_p3 *V, const uint8_t s[32], const uint8_t c[16], const ge_p3 *H, const ge_p3 *G) {
    uint8_t cc[32];
    int8_t ns[264], nc[264];
    ge_cached th[8], tg[8];
    straus_term tm[2];
    memset(cc, 0, 32);
    memcpy(cc, c, 16);
    wnaf_vartime(ns, s, 5);
    wnaf_vartime(nc, cc, 5);
    sv_ge_odd_table_vartime(th, H);
    sv_ge_odd_table_vartime(tg, G);
    tm[0].naf = ns; tm[0].pre = NULL; tm[0].cached = th; tm[0].neg = 0;
    tm[1].naf = nc; tm[1].pre = NULL; tm[1].cached = tg; tm[1].neg = 1;
    straus_vartime(V, tm, 2);
}

/* ---------- ZIP-215 decoding, negation (public inputs) ---------- */

int sv_ge_decode_zip215_vartime(ge_p3 *h, const uint8_t s[32]) {
    /* RFC 8032 5.1.3 without its two canonicity checks (ZIP-215): y is taken mod p even if
     * the 255-bit value is >= p, and x = 0 with the sign bit set decodes to x = 0. */
    unsigned int sign;
    fe y, u, v, x, y2, one;
    fe_frombytes(&y, s);
    sign = s[31] >> 7;
    fe_sq(&y2, &y);
    fe_1(&one);
    fe_sub(&u, &y2, &one);
    fe_mul(&v, &y2, &FE_D);
    fe_add(&v, &v, &one);
    if (!fe_sqrt_ratio(&x, &u, &v)) return 0;
    fe_cneg(&x, (unsigned int)fe_is_negative(&x) ^ sign);
    h->X = x;
    h->Y = y;
    fe_1(&h->Z);
    fe_mul(&h->T, &x, &y);
    return 1;
}

void sv_ge_neg(ge_p3 *r, const ge_p3 *p) {
    r->X = p->X;
    r->Y = p->Y;
    r->Z = p->Z;
    r->T = p->T;
    fe_neg(&r->X, &p->X);
    fe_neg(&r->T, &p->T);
}

/* ---------- multi-scalar multiplication, variable time (public inputs only) ----------
 *
 * Pippenger's bucket method with signed digits.  With window width w, every scalar is
 * recoded as sum d_j 2^(w j), d_j in [-2^(w-1), 2^(w-1)].  For each window j (from the
 * top), point P_i goes into bucket |d_ij| (negated if d_ij < 0); the window sum
 * sum_b b * S_b is then formed with two running sums (one addition each per bucket), and
 * the accumulator is doubled w times before the next window.  Cost per window: n mixed
 * additions (the points are affine, Z = 1) plus 2 * 2^(w-1) additions; w is chosen per call
 * from n to minimise the total.  Bernstein, Doumen, Lange, Oosterwijk, "Faster batch forgery
 * identification" (2012) and Bernstein et al., "High-speed high-security signatures"
 * (2011), section 5, describe the method for batch verification. */

#define MSM_MAX_W 12
#define MSM_WINDOWS(w) ((256 + (w) - 1) / (w) + 1)

static int msm_width(size_t n) {
    int w, best = 4;
    uint64_t best_cost = UINT64_MAX;
    for (w = 4; w <= MSM_MAX_W; w++) {
        /* 253-bit scalars: ceil(254 / w) windows of n additions and 2^w bucket additions */
        const uint64_t cost = (uint64_t)((253 + w) / w) * ((uint64_t)n + ((uint64_t)1 << w));
        if (cost < best_cost) { best_cost = cost; best = w; }
    }
    return best;
}

size_t sv_ge_msm_scratch_bytes(size_t n) {
    const int w = msm_width(n);
    const size_t buckets = (size_t)1 << (w - 1);
    if (n > ((size_t)1 << 40)) return 0; /* no such batch: keeps the arithmetic below exact */
    /* two 64-byte alignment pads: the start, and the buckets after the int16 digits */
    return 128 + n * sizeof(ge_precomp) + 2 * n * sizeof(fe) + n * (size_t)MSM_WINDOWS(w) * sizeof(int16_t) +
           buckets * (sizeof(ge_p3) + 1);
}

static void *align64(void *p) {
    return (void *)(((uintptr_t)p + 63u) & ~(uintptr_t)63u);
}

/* signed radix-2^w digits of a 256-bit little-endian scalar, nw = MSM_WINDOWS(w) of them */
static void msm_recode(int16_t *d, const uint8_t a[32], int w) {
    const int nw = MSM_WINDOWS(w);
    const int32_t half = (int32_t)1 << (w - 1), full = (int32_t)1 << w;
    int32_t carry = 0;
    int j;
    for (j = 0; j < nw; j++) {
        const int bit = j * w;
        int32_t v = 0;
        int k;
        for (k = 0; k < w; k++) {
            const int b = bit + k;
            if (b < 256) v |= (int32_t)((a[b >> 3] >> (b & 7)) & 1) << k;
        }
        v += carry;
        if (v > half) { /* v in (half, 2^w]: borrow from the next window */
            v -= full;
            carry = 1;
        } else if (v == full) {
            v = 0;
            carry = 1;
        } else {
            carry = 0;
        }
        d[j] = (int16_t)v;
    }
}

static void p3_add_p3(ge_p3 *r, const ge_p3 *p, const ge_p3 *q) {
    ge_cached c;
    ge_p1p1 t;
    p3_to_cached(&c, q);
    add_cached(&t, p, &c);
    p1p1_to_p3(r, &t);
}

int sv_ge_msm_vartime(ge_p3 *r, const uint8_t (*a)[32], const ge_p3 *P, size_t n, void *scratch,
                      size_t scratch_len) {
    const int w = msm_width(n), nw = MSM_WINDOWS(w);
    const size_t nb = (size_t)1 << (w - 1);
    ge_precomp *pc;
    fe *acc_z, *ys; /* acc_z: prefix products of Z, then the affine x of each point */
    int16_t *dig;
    ge_p3 *bucket;
    uint8_t *used;
    ge_p3 acc, sum, tot;
    ge_p1p1 t;
    ge_p2 q2;
    fe inv, zi, x, y;
    size_t i, b;
    int j, k, started = 0;
    if (scratch == NULL || scratch_len < sv_ge_msm_scratch_bytes(n) || sv_ge_msm_scratch_bytes(n) == 0) return 0;
    sv_ge_identity(r);
    if (n == 0) return 1;
    pc = (ge_precomp *)align64(scratch);
    acc_z = (fe *)(void *)(pc + n);
    ys = acc_z + n;
    dig = (int16_t *)(void *)(ys + n);
    bucket = (ge_p3 *)align64(dig + n * (size_t)nw);
    used = (uint8_t *)(void *)(bucket + nb);
    /* affine form of every point with one inversion (Montgomery's trick) */
    acc_z[0] = P[0].Z;
    for (i = 1; i < n; i++) fe_mul(&acc_z[i], &acc_z[i - 1], &P[i].Z);
    fe_invert(&inv, &acc_z[n - 1]);
    for (i = n; i-- > 0;) {
        if (i > 0) {
            fe_mul(&zi, &inv, &acc_z[i - 1]);
            fe_mul(&inv, &inv, &P[i].Z);
        } else {
            zi = inv;
        }
        fe_mul(&x, &P[i].X, &zi);
        fe_mul(&y, &P[i].Y, &zi);
        fe_add(&pc[i].ypx, &y, &x);
        fe_sub(&pc[i].ymx, &y, &x);
        fe_mul(&pc[i].xy2d, &x, &y);
        fe_mul(&pc[i].xy2d, &pc[i].xy2d, &FE_D2);
        acc_z[i] = x; /* acc_z[i] was last read at step i + 1 */
        ys[i] = y;
    }
    for (i = 0; i < n; i++) msm_recode(dig + i * (size_t)nw, a[i], w);
    sv_ge_identity(&acc);
    for (j = nw - 1; j >= 0; j--) {
        int any = 0;
        if (started) {
            p3_to_p2(&q2, &acc);
            for (k = 0; k < w; k++) {
                p2_dbl(&t, &q2);
                if (k + 1 < w) p1p1_to_p2(&q2, &t);
            }
            p1p1_to_p3(&acc, &t);
        }
        memset(used, 0, nb);
        for (i = 0; i < n; i++) {
            const int d = dig[i * (size_t)nw + (size_t)j];
            size_t idx;
            if (d == 0) continue;
            idx = (size_t)(d > 0 ? d : -d) - 1;
            if (!used[idx]) { /* first point of this bucket: a copy of +-P (affine), not an addition */
                ge_p3 *bk = &bucket[idx];
                bk->X = acc_z[i];
                bk->Y = ys[i];
                fe_1(&bk->Z);
                fe_mul(&bk->T, &acc_z[i], &ys[i]);
                if (d < 0) {
                    fe_neg(&bk->X, &bk->X);
                    fe_neg(&bk->T, &bk->T);
                }
                used[idx] = 1;
                any = 1;
                continue;
            }
            if (d > 0) add_precomp(&t, &bucket[idx], &pc[i]);
            else sub_precomp(&t, &bucket[idx], &pc[i]);
            p1p1_to_p3(&bucket[idx], &t);
            any = 1;
        }
        if (!any) continue;
        /* window sum: sum_b (b+1) * bucket[b] = sum over b of the running suffix sums */
        {
            int have_sum = 0, have_tot = 0;
            for (b = nb; b-- > 0;) {
                if (used[b]) {
                    if (have_sum) p3_add_p3(&sum, &sum, &bucket[b]);
                    else { sum = bucket[b]; have_sum = 1; }
                }
                if (have_sum) {
                    if (have_tot) p3_add_p3(&tot, &tot, &sum);
                    else { tot = sum; have_tot = 1; }
                }
            }
            if (started) p3_add_p3(&acc, &acc, &tot);
            else acc = tot;
            started = 1;
        }
    }
    if (started) {
        /* the doublings for the windows below the last non-empty one were done in the loop */
        *r = acc;
    }
    return 1;
}
