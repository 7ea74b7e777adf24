/*
 * batch.h -- random-linear-combination batch verification engine.  Internal to seqvrf.
 *
 * Contract (variable time: every input is public)
 *   A batch of n items, each contributing per_item points P with scalars a (mod q) and a
 *   share bsc of the base-point scalar, is accepted on a range [lo, hi) when
 *       [8]( (sum bsc) * B + sum a_j * P_j ) = O.
 *   The callers (ECVRF batch-compatible proofs, Ed25519) build each item's terms from
 *   random coefficients, so a range holding an invalid item passes with probability about
 *   2^-128 or less.  sv_rlc_verify bisects failing ranges and decides single items with the
 *   caller's exact (one-by-one) rule, dropping the items that fail it.
 *   All memory is caller-provided scratch (sv_rlc_layout), no heap.
 */
#ifndef SEQVRF_BATCH_H
#define SEQVRF_BATCH_H
#include <stddef.h>
#include <stdint.h>
#include "ge.h"

typedef struct {
    uint8_t bsc[32]; /* this item's share of the B scalar (mod q) */
    uint8_t aux[32]; /* caller data (the VRF keeps the encoding of 8*Gamma here) */
    int ok;          /* decoded and not (yet) found invalid */
} sv_rlc_item;

typedef struct {
    sv_rlc_item *items;
    ge_p3 *pts;        /* per_item points per item */
    uint8_t (*sc)[32]; /* one scalar per point */
    void *msm;
    size_t msm_len;
    size_t per_item;
} sv_rlc;

/* Bytes of scratch for n items (0 if n is absurdly large).  With x != NULL, also carve
 * scratch (at least that many bytes) into x's arrays. */
size_t sv_rlc_layout(sv_rlc *x, void *scratch, size_t n, size_t per_item);
/* Mark item i invalid and zero its terms (points become the identity, scalars 0). */
void sv_rlc_drop(sv_rlc *x, size_t i);
/* 1 iff the combination over the live items of [lo, hi) holds. */
int sv_rlc_range_ok(const sv_rlc *x, size_t lo, size_t hi);
/* Decide every live item of [lo, hi): exact(ctx, i) is the one-by-one rule (1 = valid). */
typedef int (*sv_rlc_exact_fn)(const void *ctx, size_t i);
void sv_rlc_verify(sv_rlc *x, size_t n, sv_rlc_exact_fn exact, const void *ctx);
/* 1 iff [a, a+an) and [b, b+bn) share a byte (NULL or empty ranges never do). */
int sv_overlaps(const void *a, size_t an, const void *b, size_t bn);
/* out = a*b mod q; out = a + b mod q */
void sv_sc_mul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);
void sv_sc_add(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);
#endif
