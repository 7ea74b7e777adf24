/* p256_sc.c -- scalars mod the P-256 group order q (see p256_sc.h).  The Montgomery
 * multiplication is the one the field layer uses (p256_fe.h), with q's constants. */
#include "p256_sc.h"
#include "p256_fe.h"
#include "sha512.h" /* sv_wipe */

static const uint64_t Q[4] = {0xf3b9cac2fc632551ULL, 0xbce6faada7179e84ULL, 0xffffffffffffffffULL,
                              0xffffffff00000000ULL};
static const uint64_t Q_N0 = 0xccd1c8aaee00bc4fULL; /* -q^-1 mod 2^64 */
static const uint64_t Q_R2[4] = {0x83244c95be79eea2ULL, 0x4699799c49bd6fa6ULL, 0x2845b2392b6bec59ULL,
                                 0x66e12d94f3d95620ULL}; /* 2^512 mod q */

int sv_p256_sc_is_canonical(const uint8_t s[32]) {
    uint64_t x[4];
    sv_p256_load_be(x, s);
    return (int)sv_mod4_lt(x, Q);
}

int sv_p256_sc_is_valid_secret(const uint8_t s[32]) {
    uint64_t x[4], d;
    sv_p256_load_be(x, s);
    d = x[0] | x[1] | x[2] | x[3];
    d = (d | (0 - d)) >> 63; /* 1 iff nonzero */
    d &= sv_mod4_lt(x, Q);
    sv_wipe(x, sizeof x);
    return (int)d;
}

static void reduce_limbs(uint64_t r[4], const uint64_t x[4]) {
    sv_mod4_sub(r, x, Q, Q); /* x - q, plus q back if that borrows: x mod q for x < 2q */
}

void sv_p256_sc_reduce(uint8_t out[32], const uint8_t s[32]) {
    uint64_t x[4];
    sv_p256_load_be(x, s);
    reduce_limbs(x, x);
    sv_p256_store_be(out, x);
    sv_wipe(x, sizeof x);
}

void sv_p256_sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32], const uint8_t c[32]) {
    uint64_t x[4], y[4], z[4], t[4];
    sv_p256_load_be(x, a);
    sv_p256_load_be(y, b);
    sv_p256_load_be(z, c);
    reduce_limbs(x, x);
    sv_mont4_mul(t, x, y, Q, Q_N0);    /* a*b/R */
    sv_mont4_mul(t, t, Q_R2, Q, Q_N0); /* a*b */
    sv_mod4_add(t, t, z, Q);
    sv_p256_store_be(out, t);
    sv_wipe(x, sizeof x);
    sv_wipe(y, sizeof y);
    sv_wipe(z, sizeof z);
    sv_wipe(t, sizeof t);
}
