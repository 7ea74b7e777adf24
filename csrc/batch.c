/* batch.c -- random-linear-combination batch verification engine (see batch.h). */
#include "batch.h"
#include <string.h>
#include "sc.h"

static const uint8_t SC_ZERO[32] = {0};
static const uint8_t SC_ONE[32] = {1};

void sv_sc_mul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
    sv_sc_muladd(out, a, b, SC_ZERO);
}

void sv_sc_add(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
    sv_sc_muladd(out, a, SC_ONE, b);
}

int sv_overlaps(const void *a, size_t an, const void *b, size_t bn) {
    /* compared as integers: the objects may be unrelated, where pointer comparison proper
     * would be undefined */
    const uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    if (a == NULL || b == NULL || an == 0 || bn == 0) return 0;
    return x < y + bn && y < x + an;
}

static uint8_t *align64(uint8_t *p) {
    return (uint8_t *)(((uintptr_t)p + 63u) & ~(uintptr_t)63u);
}

size_t sv_rlc_layout(sv_rlc *x, void *scratch, size_t n, size_t per_item) {
    size_t np, a, b, c, m;
    uint8_t *p = (uint8_t *)scratch;
    if (n > ((size_t)1 << 32) || per_item == 0 || per_item > 8) return 0;
    np = n * per_item;
    a = 64 + n * sizeof(sv_rlc_item);
    b = 64 + np * sizeof(ge_p3);
    c = 64 + np * 32;
    m = sv_ge_msm_scratch_bytes(np);
    if (m == 0) return 0;
    if (x != NULL) {
        x->per_item = per_item;
        x->items = (sv_rlc_item *)(void *)align64(p);
        x->pts = (ge_p3 *)(void *)align64(p + a);
        x->sc = (uint8_t(*)[32])(void *)align64(p + a + b);
        x->msm = p + a + b + c;
        x->msm_len = m;
    }
    return a + b + c + m;
}

void sv_rlc_drop(sv_rlc *x, size_t i) {
    size_t j;
    x->items[i].ok = 0;
    memset(x->items[i].bsc, 0, 32);
    for (j = 0; j < x->per_item; j++) {
        sv_ge_identity(&x->pts[i * x->per_item + j]);
        memset(x->sc[i * x->per_item + j], 0, 32);
    }
}

int sv_rlc_range_ok(const sv_rlc *x, size_t lo, size_t hi) {
    uint8_t bsum[32];
    ge_p3 M, Bt, S, S8;
    size_t i;
    memset(bsum, 0, 32);
    for (i = lo; i < hi; i++)
        if (x->items[i].ok) sv_sc_add(bsum, bsum, x->items[i].bsc);
    if (!sv_ge_msm_vartime(&M, (const uint8_t(*)[32])x->sc[lo * x->per_item], &x->pts[lo * x->per_item],
                           (hi - lo) * x->per_item, x->msm, x->msm_len))
        return 0;
    sv_ge_scalarmult_base(&Bt, bsum);
    sv_ge_add(&S, &M, &Bt);
    sv_ge_mul8(&S8, &S);
    return sv_ge_is_identity_vartime(&S8);
}

/* Returns the number of items dropped in [lo, hi).  known_bad: the caller already knows
 * the combination over this range fails (so it is not evaluated again). */
static size_t bisect(sv_rlc *x, size_t lo, size_t hi, int known_bad, sv_rlc_exact_fn exact, const void *ctx) {
    size_t i, live = 0, mid, dropped;
    for (i = lo; i < hi; i++) live += (size_t)(x->items[i].ok != 0);
    if (live == 0) return 0;
    if (hi - lo == 1) {
        if (exact(ctx, lo)) return 0;
        sv_rlc_drop(x, lo);
        return 1;
    }
    if (!known_bad && sv_rlc_range_ok(x, lo, hi)) return 0;
    mid = lo + (hi - lo) / 2;
    dropped = bisect(x, lo, mid, 0, exact, ctx);
    /* the whole range failed: if the left half was clean, the right half must fail */
    return dropped + bisect(x, mid, hi, dropped == 0, exact, ctx);
}

void sv_rlc_verify(sv_rlc *x, size_t n, sv_rlc_exact_fn exact, const void *ctx) {
    (void)bisect(x, 0, n, 0, exact, ctx);
}
