/*
 * ctime_test.c -- constant-time check of the secret-handling functions with valgrind.
 * The seed, and the expanded secret key, are marked undefined; memcheck then reports any
 * conditional branch or memory index that depends on them.  Outputs are declared defined
 * before they are inspected.  (vrf.c itself declassifies only what is public by protocol:
 * the public key and the expanded key's constant tag.)  The P-256 suites' secret paths are
 * checked the same way (scalar, expanded key, RFC 6979 nonce).
 * Run with csrc/tests/run_ctime.sh (must exit 0).
 */
#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>
#include "seqvrf.h"

int main(void) {
    uint8_t seed[32], pk[32], pk2[32], pi[80], pi2[80], beta[64];
    seqvrf_secret sk;
    static const uint8_t alpha[3] = {'a', 'b', 'c'};
    int suite, rc, i, fails = 0;
    for (i = 0; i < 32; i++) seed[i] = (uint8_t)(7 * i + 1);

    VALGRIND_MAKE_MEM_UNDEFINED(seed, sizeof seed);
    rc = seqvrf_public_key(pk, seed);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    VALGRIND_MAKE_MEM_DEFINED(pk, sizeof pk);
    if (rc != SEQVRF_OK) fails++;

    VALGRIND_MAKE_MEM_UNDEFINED(seed, sizeof seed);
    rc = seqvrf_secret_expand(&sk, seed);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    if (rc != SEQVRF_OK) fails++;

    VALGRIND_MAKE_MEM_UNDEFINED(&sk, sizeof sk);
    rc = seqvrf_secret_public_key(pk2, &sk);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    VALGRIND_MAKE_MEM_DEFINED(pk2, sizeof pk2);
    if (rc != SEQVRF_OK || memcmp(pk, pk2, 32) != 0) fails++;

    for (suite = SEQVRF_SUITE_EDWARDS25519_SHA512_TAI; suite <= SEQVRF_SUITE_EDWARDS25519_SHA512_ELL2; suite++) {
        VALGRIND_MAKE_MEM_UNDEFINED(seed, sizeof seed);
        rc = seqvrf_prove(pi, seed, alpha, sizeof alpha, suite);
        VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
        VALGRIND_MAKE_MEM_DEFINED(pi, sizeof pi);
        if (rc != SEQVRF_OK) fails++;
        /* verification works on public data only */
        if (seqvrf_verify(beta, pk, pi, alpha, sizeof alpha, suite, 1) != SEQVRF_OK) fails++;

        VALGRIND_MAKE_MEM_UNDEFINED(&sk, sizeof sk);
        rc = seqvrf_prove_expanded(pi2, &sk, alpha, sizeof alpha, suite);
        VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
        VALGRIND_MAKE_MEM_DEFINED(pi2, sizeof pi2);
        if (rc != SEQVRF_OK || memcmp(pi, pi2, 80) != 0) fails++;
    }
    /* draft-03 suites (same prove path, other hash to curve / challenge) */
    {
        static const int d03[2] = {SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_TAI,
                                   SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_ELL2};
        for (i = 0; i < 2; i++) {
            VALGRIND_MAKE_MEM_UNDEFINED(seed, sizeof seed);
            rc = seqvrf_prove(pi, seed, alpha, sizeof alpha, d03[i]);
            VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
            VALGRIND_MAKE_MEM_DEFINED(pi, sizeof pi);
            if (rc != SEQVRF_OK) fails++;
            if (seqvrf_verify(beta, pk, pi, alpha, sizeof alpha, d03[i], 1) != SEQVRF_OK) fails++;
            VALGRIND_MAKE_MEM_UNDEFINED(&sk, sizeof sk);
            rc = seqvrf_prove_expanded(pi2, &sk, alpha, sizeof alpha, d03[i]);
            VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
            VALGRIND_MAKE_MEM_DEFINED(pi2, sizeof pi2);
            if (rc != SEQVRF_OK || memcmp(pi, pi2, 80) != 0) fails++;
        }
    }
    /* batch-compatible proofs (Gamma || U || V || s) */
    {
        uint8_t bc[128], bc2[128];
        seqvrf_pubkey ppk;
        VALGRIND_MAKE_MEM_UNDEFINED(seed, sizeof seed);
        rc = seqvrf_prove_batchcompat(bc, seed, alpha, sizeof alpha, SEQVRF_SUITE_EDWARDS25519_SHA512_ELL2);
        VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
        VALGRIND_MAKE_MEM_DEFINED(bc, sizeof bc);
        if (rc != SEQVRF_OK) fails++;
        VALGRIND_MAKE_MEM_UNDEFINED(&sk, sizeof sk);
        rc = seqvrf_prove_batchcompat_expanded(bc2, &sk, alpha, sizeof alpha, SEQVRF_SUITE_EDWARDS25519_SHA512_ELL2);
        VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
        VALGRIND_MAKE_MEM_DEFINED(bc2, sizeof bc2);
        if (rc != SEQVRF_OK || memcmp(bc, bc2, 128) != 0) fails++;
        if (seqvrf_pubkey_parse(&ppk, pk, 1) != SEQVRF_OK ||
            seqvrf_verify_batchcompat_parsed(beta, &ppk, bc, alpha, sizeof alpha,
                                             SEQVRF_SUITE_EDWARDS25519_SHA512_ELL2) != SEQVRF_OK)
            fails++;
    }
    seqvrf_secret_wipe(&sk);
    VALGRIND_MAKE_MEM_DEFINED(seed, sizeof seed);

    {   /* P-256 suites: the scalar, the expanded key and (through prove) the RFC 6979 nonce
         * are secret; vrf_p256.c declassifies only the public key, the tag and the two
         * range verdicts (secret in [1, q-1], nonce candidate in range). */
        uint8_t x[32], ppk[33], ppk2[33], ppi[81], ppi2[81], pbeta[32], h[33], k[32];
        seqvrf_p256_secret psk;
        for (i = 0; i < 32; i++) x[i] = (uint8_t)(0x5a ^ (13 * i));
        VALGRIND_MAKE_MEM_UNDEFINED(x, sizeof x);
        rc = seqvrf_p256_public_key(ppk, x);
        VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
        VALGRIND_MAKE_MEM_DEFINED(ppk, sizeof ppk);
        if (rc != SEQVRF_OK) fails++;

        VALGRIND_MAKE_MEM_UNDEFINED(x, sizeof x);
        rc = seqvrf_p256_secret_expand(&psk, x);
        VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
        if (rc != SEQVRF_OK) fails++;
        VALGRIND_MAKE_MEM_UNDEFINED(&psk, sizeof psk);
        rc = seqvrf_p256_secret_public_key(ppk2, &psk);
        VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
        VALGRIND_MAKE_MEM_DEFINED(ppk2, sizeof ppk2);
        if (rc != SEQVRF_OK || memcmp(ppk, ppk2, 33) != 0) fails++;

        for (suite = SEQVRF_SUITE_P256_SHA256_TAI; suite <= SEQVRF_SUITE_P256_SHA256_SSWU; suite++) {
            VALGRIND_MAKE_MEM_UNDEFINED(x, sizeof x);
            rc = seqvrf_p256_prove(ppi, x, alpha, sizeof alpha, suite);
            VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
            VALGRIND_MAKE_MEM_DEFINED(ppi, sizeof ppi);
            if (rc != SEQVRF_OK) fails++;
            if (seqvrf_p256_verify(pbeta, ppk, ppi, alpha, sizeof alpha, suite) != SEQVRF_OK) fails++;

            VALGRIND_MAKE_MEM_UNDEFINED(&psk, sizeof psk);
            rc = seqvrf_p256_prove_expanded(ppi2, &psk, alpha, sizeof alpha, suite);
            VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
            VALGRIND_MAKE_MEM_DEFINED(ppi2, sizeof ppi2);
            if (rc != SEQVRF_OK || memcmp(ppi, ppi2, 81) != 0) fails++;

            /* the RFC 6979 nonce on its own */
            if (seqvrf_p256_debug_hash_to_curve(h, ppk, alpha, sizeof alpha, suite) != SEQVRF_OK) fails++;
            VALGRIND_MAKE_MEM_UNDEFINED(x, sizeof x);
            rc = seqvrf_p256_debug_nonce(k, x, h);
            VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
            VALGRIND_MAKE_MEM_DEFINED(k, sizeof k);
            if (rc != SEQVRF_OK) fails++;
        }
        seqvrf_p256_secret_wipe(&psk);
        VALGRIND_MAKE_MEM_DEFINED(x, sizeof x);
    }
    printf("ctime_test: %s\n", fails ? "FAILED" : "ok");
    return fails ? 1 : 0;
}
