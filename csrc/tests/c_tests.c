/*
 * c_tests.c -- C-level tests of the seqvrf core: the RFC 9381 edwards25519 vectors
 * (appendix B.3 / B.4, embedded below) and random prove/verify self-consistency.
 * Build and run: csrc/tests/run_c_tests.sh [seed]   (prints the PRNG seed it uses)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "seqvrf.h"

struct vec { int suite; const char *sk, *pk, *alpha, *h, *pi, *beta; };
static const struct vec VECS[] = {
    {3, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "", "91bbed02a99461df1ad4c6564a5f5d829d0b90cfc7903e7a5797bd658abf3318", "8657106690b5526245a92b003bb079ccd1a92130477671f6fc01ad16f26f723f26f8a57ccaed74ee1b190bed1f479d9727d2d0f9b005a6e456a35d4fb0daab1268a1b0db10836d9826a528ca76567805", "90cf1df3b703cce59e2a35b925d411164068269d7b2d29f3301c03dd757876ff66b71dda49d2de59d03450451af026798e8f81cd2e333de5cdf4f3e140fdd8ae"},
    {3, "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72", "5b659fc3d4e9263fd9a4ed1d022d75eaacc20df5e09f9ea937502396598dc551", "f3141cd382dc42909d19ec5110469e4feae18300e94f304590abdced48aed5933bf0864a62558b3ed7f2fea45c92a465301b3bbf5e3e54ddf2d935be3b67926da3ef39226bbc355bdc9850112c8f4b02", "eb4440665d3891d668e7e0fcaf587f1b4bd7fbfe99d0eb2211ccec90496310eb5e33821bc613efb94db5e5b54c70a848a0bef4553a41befc57663b56373a5031"},
    {3, "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82", "bf4339376f5542811de615e3313d2b36f6f53c0acfebb482159711201192576a", "9bc0f79119cc5604bf02d23b4caede71393cedfbb191434dd016d30177ccbf8096bb474e53895c362d8628ee9f9ea3c0e52c7a5c691b6c18c9979866568add7a2d41b00b05081ed0f58ee5e31b3a970e", "645427e5d00c62a23fb703732fa5d892940935942101e456ecca7bb217c61c452118fec1219202a0edcf038bb6373241578be7217ba85a2687f7a0310b2df19f"},
    {4, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "", "b8066ebbb706c72b64390324e4a3276f129569eab100c26b9f05011200c1bad9", "7d9c633ffeee27349264cf5c667579fc583b4bda63ab71d001f89c10003ab46f14adf9a3cd8b8412d9038531e865c341cafa73589b023d14311c331a9ad15ff2fb37831e00f0acaa6d73bc9997b06501", "9d574bf9b8302ec0fc1e21c3ec5368269527b87b462ce36dab2d14ccf80c53cccf6758f058c5b1c856b116388152bbe509ee3b9ecfe63d93c3b4346c1fbc6c54"},
    {4, "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72", "76ac3ccb86158a9104dff819b1ca293426d305fd76b39b13c9356d9b58c08e57", "47b327393ff2dd81336f8a2ef10339112401253b3c714eeda879f12c509072ef055b48372bb82efbdce8e10c8cb9a2f9d60e93908f93df1623ad78a86a028d6bc064dbfc75a6a57379ef855dc6733801", "38561d6b77b71d30eb97a062168ae12b667ce5c28caccdf76bc88e093e4635987cd96814ce55b4689b3dd2947f80e59aac7b7675f8083865b46c89b2ce9cc735"},
    {4, "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82", "13d2a8b5ca32db7e98094a61f656a08c6c964344e058879a386a947a4e189ed1", "926e895d308f5e328e7aa159c06eddbe56d06846abf5d98c2512235eaa57fdce35b46edfc655bc828d44ad09d1150f31374e7ef73027e14760d42e77341fe05467bb286cc2c9d7fde29120a0b2320d04", "121b7f9b9aaaa29099fc04a94ba52784d44eac976dd1a3cca458733be5cd090a7b5fbd148444f17f8daf1fb55cb04b1ae85a626e30a54b4b0f8abf4a43314a58"},
};

static size_t unhex(uint8_t *out, const char *s) {
    size_t n = strlen(s) / 2, i;
    for (i = 0; i < n; i++) {
        unsigned int b;
        if (sscanf(s + 2 * i, "%2x", &b) != 1) return 0;
        out[i] = (uint8_t)b;
    }
    return n;
}

static uint64_t rng_state;
static uint8_t rnd8(void) { /* xorshift64*, test only */
    rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
    return (uint8_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 56);
}

static int fails = 0;
#define CHECK(cond, ...) do { if (!(cond)) { fails++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

#include "c_tests_p256.c"

int main(int argc, char **argv) {
    size_t i;
    int t;
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : (uint64_t)time(NULL);
    printf("c_tests: PRNG seed %llu\n", (unsigned long long)seed);
    rng_state = seed ? seed : 1;

    for (i = 0; i < sizeof VECS / sizeof VECS[0]; i++) {
        const struct vec *v = &VECS[i];
        uint8_t sk[32], pk[32], alpha[16], h[32], pi[80], beta[64], o32[32], o80[80], o64[64];
        size_t alen;
        seqvrf_pubkey ppk;
        seqvrf_secret esk;
        unhex(sk, v->sk); unhex(pk, v->pk); alen = unhex(alpha, v->alpha);
        unhex(h, v->h); unhex(pi, v->pi); unhex(beta, v->beta);
        CHECK(seqvrf_public_key(o32, sk) == 0 && !memcmp(o32, pk, 32), "vector %zu pk", i);
        CHECK(seqvrf_debug_hash_to_curve(o32, pk, alpha, alen, v->suite) == 0 && !memcmp(o32, h, 32), "vector %zu H", i);
        CHECK(seqvrf_prove(o80, sk, alpha, alen, v->suite) == 0 && !memcmp(o80, pi, 80), "vector %zu pi", i);
        CHECK(seqvrf_secret_expand(&esk, sk) == 0, "vector %zu expand", i);
        CHECK(seqvrf_secret_public_key(o32, &esk) == 0 && !memcmp(o32, pk, 32), "vector %zu expanded pk", i);
        CHECK(seqvrf_prove_expanded(o80, &esk, alpha, alen, v->suite) == 0 && !memcmp(o80, pi, 80),
              "vector %zu expanded pi", i);
        seqvrf_secret_wipe(&esk);
        CHECK(seqvrf_verify(o64, pk, pi, alpha, alen, v->suite, 1) == 0 && !memcmp(o64, beta, 64), "vector %zu verify", i);
        CHECK(seqvrf_pubkey_parse(&ppk, pk, 1) == 0, "vector %zu parse", i);
        CHECK(seqvrf_verify_parsed(o64, &ppk, pi, alpha, alen, v->suite) == 0 && !memcmp(o64, beta, 64),
              "vector %zu verify_parsed", i);
        CHECK(seqvrf_proof_to_hash(o64, pi, v->suite) == 0 && !memcmp(o64, beta, 64), "vector %zu proof_to_hash", i);
        pi[79] ^= 0x80; /* s >= q */
        CHECK(seqvrf_verify(o64, pk, pi, alpha, alen, v->suite, 1) == SEQVRF_ERR_PROOF, "vector %zu bad s", i);
        pi[79] ^= 0x80;
        CHECK(seqvrf_verify(o64, pk, pi, alpha, alen, v->suite == 3 ? 4 : 3, 1) == SEQVRF_ERR_PROOF, "vector %zu suite", i);
        CHECK(seqvrf_verify(o64, pk, pi, alpha, alen, 5, 1) == SEQVRF_ERR_ARG, "vector %zu bad suite", i);
    }

    {   /* batch vs single on the RFC vectors: all at once, with their own suites split by suite */
        enum { NV = sizeof VECS / sizeof VECS[0] };
        uint8_t pks[NV][32], pis[NV * 80], alphas[NV * 16], betas[NV * 64], want[64];
        size_t offs[NV + 1];
        int st[NV], suite;
        seqvrf_pubkey ppks[NV];
        const seqvrf_pubkey *kp[NV];
        for (suite = 3; suite <= 4; suite++) {
            size_t m = 0;
            offs[0] = 0;
            for (i = 0; i < NV; i++) {
                const struct vec *v = &VECS[i];
                if (v->suite != suite) continue;
                unhex(pks[m], v->pk);
                CHECK(seqvrf_pubkey_parse(&ppks[m], pks[m], 1) == 0, "batch parse %zu", i);
                kp[m] = &ppks[m];
                unhex(pis + 80 * m, v->pi);
                offs[m + 1] = offs[m] + unhex(alphas + offs[m], v->alpha);
                m++;
            }
            CHECK(m > 0 && seqvrf_verify_batch(betas, st, kp, pis, alphas, offs, m, suite) == SEQVRF_OK,
                  "batch suite %d", suite);
            for (i = 0, m = 0; i < NV; i++) {
                if (VECS[i].suite != suite) continue;
                unhex(want, VECS[i].beta);
                CHECK(st[m] == SEQVRF_OK && !memcmp(betas + 64 * m, want, 64), "batch vector %zu", i);
                m++;
            }
            pis[79] ^= 0x80; /* first item: s >= q; the rest still verify */
            CHECK(seqvrf_verify_batch(betas, st, kp, pis, alphas, offs, m, suite) == SEQVRF_OK &&
                  st[0] == SEQVRF_ERR_PROOF && (m < 2 || st[1] == SEQVRF_OK), "batch tampered suite %d", suite);
            CHECK(seqvrf_verify_batch(betas, st, kp, pis, alphas, offs, m, 5) == SEQVRF_ERR_ARG &&
                  st[0] == SEQVRF_ERR_ARG, "batch bad suite");
        }
    }

    for (t = 0; t < 40; t++) {
        uint8_t sk[32], pk[32], pk2[32], alpha[64], pi[80], pi2[80], beta[64], beta2[64];
        size_t alen = rnd8() % 64, k;
        int suite = 3 + (t & 1);
        seqvrf_pubkey ppk;
        seqvrf_secret esk;
        for (k = 0; k < 32; k++) sk[k] = rnd8();
        for (k = 0; k < alen; k++) alpha[k] = rnd8();
        CHECK(seqvrf_public_key(pk, sk) == 0, "random %d pk", t);
        CHECK(seqvrf_prove(pi, sk, alpha, alen, suite) == 0, "random %d prove", t);
        CHECK(seqvrf_secret_expand(&esk, sk) == 0 && seqvrf_secret_public_key(pk2, &esk) == 0 &&
              !memcmp(pk, pk2, 32), "random %d expanded pk", t);
        CHECK(seqvrf_prove_expanded(pi2, &esk, alpha, alen, suite) == 0 && !memcmp(pi, pi2, 80),
              "random %d prove_expanded", t);
        seqvrf_secret_wipe(&esk);
        CHECK(seqvrf_verify(beta, pk, pi, alpha, alen, suite, 1) == 0, "random %d verify", t);
        CHECK(seqvrf_proof_to_hash(beta2, pi, suite) == 0 && !memcmp(beta, beta2, 64), "random %d beta", t);
        CHECK(seqvrf_pubkey_parse(&ppk, pk, 1) == 0 &&
              seqvrf_verify_parsed(beta2, &ppk, pi, alpha, alen, suite) == 0 && !memcmp(beta, beta2, 64),
              "random %d parsed", t);
        pi[rnd8() % 80] ^= (uint8_t)(1u << (rnd8() % 8));
        CHECK(seqvrf_verify(beta, pk, pi, alpha, alen, suite, 1) != 0, "random %d tampered accepted", t);
    }
    {   /* argument checks */
        uint8_t b64[64], pk[32] = {0}, pi[80] = {0};
        seqvrf_pubkey junk;
        memset(&junk, 0, sizeof junk);
        CHECK(seqvrf_verify_parsed(b64, &junk, pi, NULL, 0, 3) == SEQVRF_ERR_ARG, "unparsed key");
        CHECK(seqvrf_verify(b64, pk, pi, NULL, 1, 3, 1) == SEQVRF_ERR_ARG, "NULL alpha with length");
        CHECK(seqvrf_validate_key(pk) == SEQVRF_ERR_KEY, "small-order key (y = 0)");
        pk[0] = 1; /* identity */
        CHECK(seqvrf_validate_key(pk) == SEQVRF_ERR_KEY, "identity key");
    }
    {   /* expanded-key argument checks: NULLs, unknown suite, never expanded, wiped */
        static const uint8_t zero80[80] = {0};
        uint8_t seed[32] = {0}, pk[32], pi[80];
        seqvrf_secret esk, blank;
        size_t w;
        int nonzero = 0;
        memset(&blank, 0, sizeof blank);
        CHECK(seqvrf_secret_expand(NULL, seed) == SEQVRF_ERR_ARG, "expand NULL out");
        memset(&esk, 0xAA, sizeof esk);
        CHECK(seqvrf_secret_expand(&esk, NULL) == SEQVRF_ERR_ARG, "expand NULL seed");
        for (w = 0; w < SEQVRF_SECRET_WORDS; w++) nonzero |= esk.opaque[w] != 0;
        CHECK(!nonzero, "expand zeroes its output on failure");
        CHECK(seqvrf_secret_expand(&esk, seed) == SEQVRF_OK, "expand");
        CHECK(seqvrf_prove_expanded(NULL, &esk, NULL, 0, 3) == SEQVRF_ERR_ARG, "prove_expanded NULL pi");
        memset(pi, 0xAA, 80);
        CHECK(seqvrf_prove_expanded(pi, NULL, NULL, 0, 3) == SEQVRF_ERR_ARG && !memcmp(pi, zero80, 80),
              "prove_expanded NULL key");
        memset(pi, 0xAA, 80);
        CHECK(seqvrf_prove_expanded(pi, &blank, NULL, 0, 3) == SEQVRF_ERR_ARG && !memcmp(pi, zero80, 80),
              "prove_expanded unexpanded key");
        CHECK(seqvrf_prove_expanded(pi, &esk, NULL, 1, 3) == SEQVRF_ERR_ARG, "prove_expanded NULL alpha");
        CHECK(seqvrf_prove_expanded(pi, &esk, NULL, 0, 5) == SEQVRF_ERR_ARG, "prove_expanded bad suite");
        CHECK(seqvrf_prove_expanded(pi, &esk, NULL, 0, 3) == SEQVRF_OK, "prove_expanded empty alpha");
        CHECK(seqvrf_secret_public_key(NULL, &esk) == SEQVRF_ERR_ARG, "secret_public_key NULL pk");
        CHECK(seqvrf_secret_public_key(pk, NULL) == SEQVRF_ERR_ARG, "secret_public_key NULL key");
        CHECK(seqvrf_secret_public_key(pk, &blank) == SEQVRF_ERR_ARG && !memcmp(pk, zero80, 32),
              "secret_public_key unexpanded key");
        seqvrf_secret_wipe(NULL); /* ignored */
        seqvrf_secret_wipe(&esk);
        nonzero = 0;
        for (w = 0; w < SEQVRF_SECRET_WORDS; w++) nonzero |= esk.opaque[w] != 0;
        CHECK(!nonzero, "wipe zeroes the key");
        CHECK(seqvrf_prove_expanded(pi, &esk, NULL, 0, 3) == SEQVRF_ERR_ARG, "prove_expanded wiped key");
    }
    /* ---- draft-03 vectors, batch-compatible vector, batch verification, Ed25519 ---- */
    {
        static const struct vec D03[] = {
            {SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_ELL2, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "", "1c5672d919cc0a800970cd7e05cb36ed27ed354c33519948e5a9eaf89aee12b7", "b6b4699f87d56126c9117a7da55bd0085246f4c56dbc95d20172612e9d38e8d7ca65e573a126ed88d4e30a46f80a666854d675cf3ba81de0de043c3774f061560f55edc256a787afe701677c0f602900", "5b49b554d05c0cd5a5325376b3387de59d924fd1e13ded44648ab33c21349a603f25b84ec5ed887995b33da5e3bfcb87cd2f64521c4c62cf825cffabbe5d31cc"},
        };
        uint8_t sk[32], pk[32], alpha[16], h[32], pi[80], beta[64], o32[32], o80[80], o64[64], bc[128];
        size_t alen;
        const struct vec *v = &D03[0];
        unhex(sk, v->sk); unhex(pk, v->pk); alen = unhex(alpha, v->alpha);
        unhex(h, v->h); unhex(pi, v->pi); unhex(beta, v->beta);
        CHECK(seqvrf_debug_hash_to_curve(o32, pk, alpha, alen, v->suite) == 0 && !memcmp(o32, h, 32), "draft03 H");
        CHECK(seqvrf_prove(o80, sk, alpha, alen, v->suite) == 0 && !memcmp(o80, pi, 80), "draft03 pi");
        CHECK(seqvrf_verify(o64, pk, pi, alpha, alen, v->suite, 1) == 0 && !memcmp(o64, beta, 64), "draft03 beta");
        /* batch-compatible: RFC 9381 example 19 re-encoded (batchcompat.json cardano-standard-10) */
        CHECK(seqvrf_prove_batchcompat(bc, sk, alpha, alen, 4) == 0, "batchcompat prove");
        {
            static const char *bc_hex = "7d9c633ffeee27349264cf5c667579fc583b4bda63ab71d001f89c10003ab46f762f5c178b68f0cddcc1157918edf45ec334ac8e8286601a3256c3bbf858edd94652eba1c4612e6fce762977a59420b451e12964adbe4fbecd58a7aeff5860afcafa73589b023d14311c331a9ad15ff2fb37831e00f0acaa6d73bc9997b06501";
            uint8_t want[128];
            seqvrf_pubkey ppk;
            unhex(want, bc_hex);
            CHECK(!memcmp(bc, want, 128), "batchcompat vector");
            CHECK(seqvrf_pubkey_parse(&ppk, pk, 1) == 0, "parse");
            CHECK(seqvrf_verify_batchcompat_parsed(o64, &ppk, bc, alpha, alen, 4) == 0, "batchcompat verify");
        }
    }
    {   /* batch verification: 24 random items, two made bad, against one-by-one */
        enum { N = 24 };
        static seqvrf_pubkey keys[4];
        static uint8_t proofs[N * 128], betas[N * 64], alphas[N * 4], coeffs[N * 32], scratch[1 << 20];
        const seqvrf_pubkey *kp[N];
        size_t offs[N + 1], need;
        int st[N], k, bad;
        uint8_t seeds[4][32], pkb[32];
        for (k = 0; k < 4; k++) {
            for (t = 0; t < 32; t++) seeds[k][t] = rnd8();
            CHECK(seqvrf_public_key(pkb, seeds[k]) == 0 && seqvrf_pubkey_parse(&keys[k], pkb, 1) == 0, "batch key");
        }
        for (i = 0; i < N; i++) {
            for (t = 0; t < 4; t++) alphas[4 * i + (size_t)t] = rnd8();
            offs[i] = 4 * i;
            kp[i] = &keys[i % 4];
            CHECK(seqvrf_prove_batchcompat(proofs + 128 * i, seeds[i % 4], alphas + 4 * i, 4, 4) == 0, "batch prove");
        }
        offs[N] = 4 * N;
        for (t = 0; t < N * 32; t++) coeffs[t] = rnd8();
        proofs[128 * 5 + 100] ^= 1;  /* s changed */
        alphas[4 * 17] ^= 1;         /* input changed */
        need = seqvrf_verify_batchcompat_batch_scratch_bytes(N);
        CHECK(need > 0 && need <= sizeof scratch, "batch scratch size");
        CHECK(seqvrf_verify_batchcompat_batch(betas, st, kp, proofs, alphas, offs, N, 4, coeffs, scratch, need) == 0,
              "batch call");
        for (i = 0; i < N; i++) {
            uint8_t b1[64];
            bad = seqvrf_verify_batchcompat_parsed(b1, kp[i], proofs + 128 * i, alphas + 4 * i, 4, 4) != 0;
            CHECK(bad == (i == 5 || i == 17), "batch single %zu", i);
            CHECK((st[i] != 0) == bad && (bad || !memcmp(b1, betas + 64 * i, 64)), "batch item %zu", i);
        }
        CHECK(seqvrf_verify_batchcompat_batch(betas, st, kp, proofs, alphas, offs, N, 4, coeffs, scratch, need - 1) ==
              SEQVRF_ERR_ARG, "batch short scratch");
    }
    {   /* Ed25519: RFC 8032 test 1 and 2, single and batch, and one corrupted */
        uint8_t pks[3 * 32], sigs[3 * 64], msgs[2] = {0x72, 0x72}, coeffs[3 * 16], scratch[1 << 16];
        size_t offs[4] = {0, 0, 1, 2};
        int st[3];
        unhex(pks, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        unhex(pks + 32, VECS[1].pk);
        unhex(pks + 64, VECS[1].pk);
        unhex(sigs, "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        unhex(sigs + 64, "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
        memcpy(sigs + 128, sigs + 64, 64);
        sigs[128 + 40] ^= 1;
        for (t = 0; t < 48; t++) coeffs[t] = rnd8();
        CHECK(seqvrf_ed25519_verify(pks, NULL, 0, sigs) == 0, "ed25519 test 1");
        CHECK(seqvrf_ed25519_verify(pks + 32, msgs, 1, sigs + 64) == 0, "ed25519 test 2");
        CHECK(seqvrf_ed25519_verify(pks + 64, msgs, 1, sigs + 128) == SEQVRF_ERR_PROOF, "ed25519 corrupted");
        CHECK(seqvrf_ed25519_verify_batch_scratch_bytes(3) <= sizeof scratch, "ed scratch");
        CHECK(seqvrf_ed25519_verify_batch(st, pks, msgs, offs, sigs, 3, coeffs, scratch, sizeof scratch) == 0 &&
              st[0] == 0 && st[1] == 0 && st[2] == SEQVRF_ERR_PROOF, "ed25519 batch");
    }
    p256_tests();
    printf("c_tests: %s (%d failures)\n", fails ? "FAILED" : "ok", fails);
    return fails ? 1 : 0;
}
