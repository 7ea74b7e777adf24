/*
 * fuzz_vrf.c -- libFuzzer harness for the seqvrf C core (decode, validate, verify,
 * proof_to_hash, hash to curve and the group primitives), with native coverage.
 * Build and run: fuzz/c/run.sh [seconds]   (clang with -fsanitize=fuzzer,address,undefined)
 *
 * Input: op byte, then the op's data (zero-padded when short).  Beyond "no crash, no
 * sanitizer report", it checks that the API's paths agree:
 *   - seqvrf_verify == seqvrf_pubkey_parse + seqvrf_verify_parsed (status and beta)
 *   - a verified proof's beta == seqvrf_proof_to_hash's beta
 *   - validate_key == pubkey_parse(validate=1) status; outputs zeroed on failure
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "seqvrf.h"

#define CHECK(c) do { if (!(c)) { __builtin_trap(); } } while (0)

static int is_zero(const uint8_t *p, size_t n) {
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++) d |= p[i];
    return d == 0;
}

static void take(uint8_t *out, size_t n, const uint8_t **data, size_t *size) {
    size_t k = *size < n ? *size : n;
    memset(out, 0, n);
    memcpy(out, *data, k);
    *data += k;
    *size -= k;
}

/* Op bytes: 0x00..0xBF edwards25519 (op & 1 TAI / ELL2, op & 2 validate, op & 0x40 the
 * draft-03 suites 0x103/0x104, op & 0x80 s < q in verify; (op >> 2) % 6 picks the operation).
 * 0x40 and 0x80 together would be 0xC0.., which is P-256's range: a draft-03 verify reaches
 * s < q instead when s's own top bit is set (it is then cleared with the rest of the nibble).
 * P-256 suites: op bytes 0xC0..0xFF.  (op >> 2) & 3 picks
 * the operation, op & 1 the suite (TAI / SSWU).
 *   0: verify pk(33) || pi(81) || alpha: one-call == parse + verify_parsed, a verified beta
 *      equals proof_to_hash's, beta zeroed on failure (op & 2: clear s's top bit, s < q)
 *   1: key validation == parse status; a valid key re-encodes to itself (1 * P)
 *   2: proof_to_hash: OK or ERR_PROOF, beta zeroed on failure
 *   3: hash to curve on an arbitrary salt and alpha gives a valid point; the group
 *      primitives on arbitrary encodings agree with each other */
static int p256_one_input(uint8_t op, const uint8_t *data, size_t size) {
    uint8_t pk[33], pi[81], beta[32], beta2[32], beta3[32], out[33], out2[33], a[32];
    static const uint8_t one[32] = {[31] = 1};
    static seqvrf_p256_pubkey parsed;
    int suite = (op & 1) ? SEQVRF_SUITE_P256_SHA256_SSWU : SEQVRF_SUITE_P256_SHA256_TAI;
    switch ((op >> 2) & 3) {
    case 0: {
        take(pk, 33, &data, &size);
        take(pi, 81, &data, &size);
        if (op & 2) pi[49] &= 0x7f;
        uint8_t *alpha = malloc(size ? size : 1);
        if (!alpha) return 0;
        memcpy(alpha, data, size);
        int rc1 = seqvrf_p256_verify(beta, pk, pi, alpha, size, suite);
        int rcp = seqvrf_p256_pubkey_parse(&parsed, pk);
        int rc2 = rcp == SEQVRF_OK ? seqvrf_p256_verify_parsed(beta2, &parsed, pi, alpha, size, suite) : rcp;
        CHECK(rc1 == rc2);
        if (rcp != SEQVRF_OK) CHECK(is_zero((const uint8_t *)&parsed, sizeof parsed));
        if (rc1 == SEQVRF_OK) {
            CHECK(memcmp(beta, beta2, 32) == 0);
            CHECK(seqvrf_p256_proof_to_hash(beta3, pi, suite) == SEQVRF_OK);
            CHECK(memcmp(beta, beta3, 32) == 0);
        } else {
            CHECK(is_zero(beta, 32));
        }
        free(alpha);
        break;
    }
    case 1: {
        take(pk, 33, &data, &size);
        int v = seqvrf_p256_validate_key(pk);
        CHECK(v == SEQVRF_OK || v == SEQVRF_ERR_KEY);
        CHECK(seqvrf_p256_pubkey_parse(&parsed, pk) == v);
        if (v == SEQVRF_OK) {
            CHECK(seqvrf_p256_debug_scalarmult(out, one, pk) == SEQVRF_OK);
            CHECK(memcmp(out, pk, 33) == 0);
        }
        break;
    }
    case 2: {
        take(pi, 81, &data, &size);
        int rc = seqvrf_p256_proof_to_hash(beta, pi, suite);
        CHECK(rc == SEQVRF_OK || rc == SEQVRF_ERR_PROOF);
        if (rc != SEQVRF_OK) CHECK(is_zero(beta, 32));
        break;
    }
    default: {
        take(pk, 33, &data, &size);
        take(a, 32, &data, &size);
        CHECK(seqvrf_p256_debug_hash_to_curve(out, pk, data, size, suite) == SEQVRF_OK);
        CHECK(seqvrf_p256_validate_key(out) == SEQVRF_OK);
        int r1 = seqvrf_p256_debug_scalarmult(out2, a, pk);
        int r2 = seqvrf_p256_debug_double_scalarmult_vartime(out2, a, pk, one, out);
        int r3 = seqvrf_p256_debug_add(out2, pk, out, 0);
        CHECK(r1 == r2 && r2 == r3);
        CHECK(r1 == seqvrf_p256_validate_key(pk));
        break;
    }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t op, pk[32], pi[80], beta[64], beta2[64], beta3[64], out[32], a[32], b[32], x64[64];
    seqvrf_pubkey parsed;
    if (size < 1) return 0;
    op = data[0];
    data++, size--;
    if (op >= 0xC0) return p256_one_input(op, data, size); /* see fuzz_p256 above */
    int suite = (op & 1) ? SEQVRF_SUITE_EDWARDS25519_SHA512_ELL2 : SEQVRF_SUITE_EDWARDS25519_SHA512_TAI;
    if (op & 0x40) suite |= 0x100; /* the draft-03 suites, 0x103 and 0x104 */
    int validate = (op >> 1) & 1;
    switch ((op >> 2) % 6) {
    case 0: { /* verify: pk || pi || alpha (rest, on the heap so ASan sees its exact size) */
        take(pk, 32, &data, &size);
        take(pi, 80, &data, &size);
        /* s < q: reach the full verification (draft-03 ops cannot also set 0x80, see above) */
        if ((op & 0x80) || ((op & 0x40) && (pi[79] & 0x80))) pi[79] &= 0x0f;
        uint8_t *alpha = malloc(size ? size : 1);
        if (!alpha) return 0;
        memcpy(alpha, data, size);
        int rc1 = seqvrf_verify(beta, pk, pi, alpha, size, suite, validate);
        int rcp = seqvrf_pubkey_parse(&parsed, pk, validate);
        int rc2 = rcp == SEQVRF_OK ? seqvrf_verify_parsed(beta2, &parsed, pi, alpha, size, suite) : rcp;
        CHECK(rc1 == rc2);
        if (rcp != SEQVRF_OK) CHECK(is_zero((const uint8_t *)&parsed, sizeof parsed));
        if (rc1 == SEQVRF_OK) {
            CHECK(memcmp(beta, beta2, 64) == 0);
            CHECK(seqvrf_proof_to_hash(beta3, pi, suite) == SEQVRF_OK);
            CHECK(memcmp(beta, beta3, 64) == 0);
        } else {
            CHECK(is_zero(beta, 64));
        }
        free(alpha);
        break;
    }
    case 1: { /* key decode / validation */
        take(pk, 32, &data, &size);
        int v = seqvrf_validate_key(pk);
        CHECK(v == SEQVRF_OK || v == SEQVRF_ERR_KEY);
        CHECK(seqvrf_pubkey_parse(&parsed, pk, 1) == v);
        break;
    }
    case 2: { /* proof_to_hash */
        take(pi, 80, &data, &size);
        int rc = seqvrf_proof_to_hash(beta, pi, suite);
        CHECK(rc == SEQVRF_OK || rc == SEQVRF_ERR_PROOF);
        if (rc != SEQVRF_OK) CHECK(is_zero(beta, 64));
        break;
    }
    case 3: { /* hash to curve with an arbitrary salt and alpha */
        take(pk, 32, &data, &size);
        int rc = seqvrf_debug_hash_to_curve(out, pk, data, size, suite);
        CHECK(rc == SEQVRF_OK || rc == SEQVRF_ERR_PROOF);
        break;
    }
    case 4: { /* group primitives on arbitrary encodings and scalars */
        take(a, 32, &data, &size);
        take(b, 32, &data, &size);
        take(pk, 32, &data, &size);
        int r1 = seqvrf_debug_add(out, a, pk);
        int r2 = seqvrf_debug_double_scalarmult_vartime(out, a, b, pk);
        int r3 = seqvrf_debug_scalarmult(out, a, pk);
        CHECK(r2 == r3);
        if (r2 == SEQVRF_OK) CHECK(r1 == seqvrf_debug_add(beta, pk, a));
        break;
    }
    default: { /* scalars */
        take(x64, 64, &data, &size);
        CHECK(seqvrf_debug_scalar_reduce64(out, x64) == SEQVRF_OK);
        CHECK(seqvrf_debug_scalar_muladd(a, x64, x64 + 32, out) == SEQVRF_OK);
        CHECK(seqvrf_debug_scalarmult_base(b, out) == SEQVRF_OK);
        break;
    }
    }
    return 0;
}
