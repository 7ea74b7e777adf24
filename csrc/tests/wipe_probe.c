/*
 * wipe_probe.c -- heuristic check that prove, public_key and the expanded-key path
 * (secret_expand + prove_expanded + secret_wipe) leave no secrets on the stack.
 * After each call returns, a function with a large uninitialised (volatile) array overlays
 * the dead frames of the call; the probe searches it for any 8-byte run of the seed, the
 * scalar x (clamped or reduced), the nonce prefix or the nonce k, and counts the non-zero
 * bytes deeper than 4 KB below the caller (where the field and group formulas ran; vrf.c
 * scrubs that region).  Fails on any secret copy or more than 256 such bytes.
 * Stack-layout dependent (gcc -O0/-O1/-O2/-O3/-Os, x86-64 and aarch64 tested); not for sanitizer
 * builds.  run_wipe_probe.sh builds and runs it at every optimisation level.
 * Run with csrc/tests/run_wipe_probe.sh.
 */
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <stdio.h>
#include <string.h>
#include "seqvrf.h"

#define SCAN 196608 /* more than the largest scrub (128 KB at -O0) */
static uint8_t secrets[5][32];
static const char *names[5] = {"seed", "x", "prefix", "k", "x_unreduced"};

__attribute__((noinline)) static int scan(void) {
    volatile uint8_t buf[SCAN];  /* deliberately uninitialised: it overlays dead frames */
    int hits = 0;
    for (int s = 0; s < 5; s++)
        for (int off = 0; off + 8 <= SCAN; off++) {
            int eq = 1;
            for (int j = 0; j < 8 && eq; j++) eq = buf[off + j] == secrets[s][j + 8];
            if (eq) { printf("  found 8 bytes of %s at stack offset %d\n", names[s], off); hits++; break; }
        }
    int nz = 0, deep = 0;
    for (int off = 0; off < SCAN; off++) if (buf[off]) { nz++; if (off < SCAN - 4096) deep++; }
    printf("  nonzero bytes in the %d-byte region: %d (%d more than 4 KB below the caller)\n", SCAN, nz, deep);
    if (deep > 256) { printf("  too much residue below the caller\n"); hits++; }
    return hits;
}

/* The probe computes the secrets it looks for with the library's own SHA-512 (in main's
 * callees' frames); clear that region first so only the calls under test can leave residue. */
__attribute__((noinline)) static void clear_probe_stack(void) {
    volatile uint8_t buf[SCAN];
    for (int i = 0; i < SCAN; i++) buf[i] = 0;
    (void)buf[0];
}

__attribute__((noinline)) static int run(int which) {
    uint8_t pi[80], pk[32];
    static const uint8_t alpha[3] = {1, 2, 3};
    if (which == 0) { if (seqvrf_prove(pi, secrets[0], alpha, 3, 3) != 0) return -1; }
    else if (which == 1) { if (seqvrf_public_key(pk, secrets[0]) != 0) return -1; }
    else if (which == 3) {
        uint8_t bc[128];
        if (seqvrf_prove_batchcompat(bc, secrets[0], alpha, 3, SEQVRF_SUITE_EDWARDS25519_SHA512_ELL2) != 0) return -1;
    } else if (which == 4) {
        if (seqvrf_prove(pi, secrets[0], alpha, 3, SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_ELL2) != 0) return -1;
    } else {
        seqvrf_secret sk; /* in this frame: the wipe must clear it */
        if (seqvrf_secret_expand(&sk, secrets[0]) != 0) return -1;
        if (seqvrf_prove_expanded(pi, &sk, alpha, 3, 3) != 0) return -1;
        seqvrf_secret_wipe(&sk);
    }
    return 0;
}

/* The secrets of the fixed seed below, computed offline (python -c with vrf.reference) and
 * embedded: computing them here with the library's SHA-512 would leave them in main's
 * callee frames and callee-saved registers, which the calls under test then push. */
static const char *const secret_hex[5] = {
    "a5b89ff2d1340b6e4da0879af9dc33167548af82e1c4db3e1d7057aa89ecc326", /* seed */
    "4ffde991f80e97fe2d8cfdb402d7982e3ae01cd1ba0680b758634de52ef57e0e", /* x = clamped mod q */
    "1f4c745666810d1f11fa53a47b12e67303e1a3ccac75744124e21b4cfc3b6cb6", /* nonce prefix */
    "9ff63479fc554ce3a7093469a9adcd19318657173f6168ecc5a7b4261b628f09", /* k for alpha 010203, TAI */
    "f020b7627cfef2b65d9cd3e35bb8f3963ae01cd1ba0680b758634de52ef57e5e", /* x clamped, unreduced */
};

int main(void) {
    for (int s = 0; s < 5; s++)
        for (int i = 0; i < 32; i++) {
            unsigned int b;
            if (sscanf(secret_hex[s] + 2 * i, "%2x", &b) != 1) return 2;
            secrets[s][i] = (uint8_t)b;
        }
    for (int i = 0; i < 32; i++) if (secrets[0][i] != (uint8_t)(0xA5 ^ (i * 29))) return 2;
    int total = 0;
    clear_probe_stack();
    static const char *what[5] = {"seqvrf_prove", "seqvrf_public_key", "seqvrf_secret_expand + prove_expanded + wipe",
                                  "seqvrf_prove_batchcompat (ELL2; k differs, seed/x/prefix checked)",
                                  "seqvrf_prove draft-03 ELL2 (k differs, seed/x/prefix checked)"};
    for (int which = 0; which < 5; which++) {
        printf("%s:\n", what[which]);
        clear_probe_stack();
        if (run(which) != 0) return 2;
        total += scan();
    }
    printf("wipe_probe: %d secret copies left on the stack\n", total);
    return total ? 1 : 0;
}
