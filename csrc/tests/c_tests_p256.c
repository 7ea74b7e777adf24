/*
 * c_tests_p256.c -- C-level tests of the P-256 suites: RFC 9381 Appendix B.1 / B.2 (every
 * example, with H and k), random prove/verify self-consistency, tampering, and the argument
 * checks.  Included by c_tests.c (it uses that file's CHECK, unhex and rnd8), so the build
 * scripts stay as they are.
 */

struct vec_p256 { int suite; const char *sk, *pk, *alpha, *h, *k, *pi, *beta; };
static const struct vec_p256 VECS_P256[] = {
    {1, "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
     "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
     "73616d706c65",
     "0272a877532e9ac193aff4401234266f59900a4a9e3fc3cfc6a4b7e467a15d06d4", "0d90591273453d2dc67312d39914e3a93e194ab47a58cd598886897076986f77",
     "035b5c726e8c0e2c488a107c600578ee75cb702343c153cb1eb8dec77f4b5071b4a53f0a46f018bc2c56e58d383f2305e0975972c26feea0eb122fe7893c15af376b33edf7de17c6ea056d4d82de6bc02f",
     "a3ad7b0ef73d8fc6655053ea22f9bede8c743f08bbed3d38821f0e16474b505e"},
    {1, "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
     "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
     "74657374",
     "02173119b4fff5e6f8afed4868a29fe8920f1b54c2cf89cc7b301d0d473de6b974", "5852353a868bdce26938cde1826723e58bf8cb06dd2fed475213ea6f3b12e961",
     "034dac60aba508ba0c01aa9be80377ebd7562c4a52d74722e0abae7dc3080ddb56c19e067b15a8a8174905b13617804534214f935b94c2287f797e393eb0816969d864f37625b443f30f1a5a33f2b3c854",
     "a284f94ceec2ff4b3794629da7cbafa49121972671b466cab4ce170aa365f26d"},
    {1, "2ca1411a41b17b24cc8c3b089cfd033f1920202a6c0de8abb97df1498d50d2c8",
     "03596375e6ce57e0f20294fc46bdfcfd19a39f8161b58695b3ec5b3d16427c274d",
     "4578616d706c65207573696e67204543445341206b65792066726f6d20417070656e646978204c2e342e32206f6620414e53492e58392d36322d32303035",
     "0258055c26c4b01d01c00fb57567955f7d39cd6f6e85fd37c58f696cc6b7aa761d", "5689e2e08e1110b4dda293ac21667eac6db5de4a46a519c73d533f69be2f4da3",
     "03d03398bf53aa23831d7d1b2937e005fb0062cbefa06796579f2a1fc7e7b8c667d091c00b0f5c3619d10ecea44363b5a599cadc5b2957e223fec62e81f7b4825fc799a771a3d7334b9186bdbee87316b1",
     "90871e06da5caa39a3c61578ebb844de8635e27ac0b13e829997d0d95dd98c19"},
    {2, "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
     "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
     "73616d706c65",
     "02b31973e872d4a097e2cfae9f37af9f9d73428fde74ac537dda93b5f18dbc5842", "e92820035a0a8afe132826c6312662b6ea733fc1a0d33737945016de54d02dd8",
     "0331d984ca8fece9cbb9a144c0d53df3c4c7a33080c1e02ddb1a96a365394c7888782fffde7b842c38c20c08de6ec6c2e7027a97000f2c9fa4425d5c03e639fb48fde58114d755985498d7eb234cf4aed9",
     "21e66dc9747430f17ed9efeda054cf4a264b097b9e8956a1787526ed00dc664b"},
    {2, "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
     "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
     "74657374",
     "03ccc747fa7318b9486ce4044adbbecaa084c27be6eda88eb7b7f3d688fd0968c7", "febc3451ea7639fde2cf41ffd03f463124ecb3b5a79913db1ed069147c8a7dea",
     "03f814c0455d32dbc75ad3aea08c7e2db31748e12802db23640203aebf1fa8db2743aad348a3006dc1caad7da28687320740bf7dd78fe13c298867321ce3b36b79ec3093b7083ac5e4daf3465f9f43c627",
     "8e7185d2b420e4f4681f44ce313a26d05613323837da09a69f00491a83ad25dd"},
    {2, "2ca1411a41b17b24cc8c3b089cfd033f1920202a6c0de8abb97df1498d50d2c8",
     "03596375e6ce57e0f20294fc46bdfcfd19a39f8161b58695b3ec5b3d16427c274d",
     "4578616d706c65207573696e67204543445341206b65792066726f6d20417070656e646978204c2e342e32206f6620414e53492e58392d36322d32303035",
     "022dd5150e5a2a24c66feab2f68532be1486e28e07f1b9a055cf38ccc16f6595ff", "8e29221f33564f3f66f858ba2b0c14766e1057adbd422c3e7d0d99d5e142b613",
     "039f8d9cdc162c89be2871cbcb1435144739431db7fab437ab7bc4e2651a9e99d5488405a11a6c7fc8defddd9e1573a563b7333aab4effe73ae9803274174c659269fd39b53e133dcd9e0d24f01288de9a",
     "4fbadf33b42a5f42f23a6f89952d2e634a6e3810f15878b46ef1bb85a04fe95a"},
};

static void p256_tests(void) {
    size_t i;
    int t;
    for (i = 0; i < sizeof VECS_P256 / sizeof VECS_P256[0]; i++) {
        const struct vec_p256 *v = &VECS_P256[i];
        uint8_t sk[32], pk[33], alpha[128], h[33], k[32], pi[81], beta[32], o33[33], o32[32], o81[81];
        size_t alen;
        seqvrf_p256_pubkey ppk;
        seqvrf_p256_secret esk;
        unhex(sk, v->sk); unhex(pk, v->pk); alen = unhex(alpha, v->alpha);
        unhex(h, v->h); unhex(k, v->k); unhex(pi, v->pi); unhex(beta, v->beta);
        CHECK(seqvrf_p256_public_key(o33, sk) == 0 && !memcmp(o33, pk, 33), "p256 vector %zu pk", i);
        CHECK(seqvrf_p256_debug_hash_to_curve(o33, pk, alpha, alen, v->suite) == 0 && !memcmp(o33, h, 33),
              "p256 vector %zu H", i);
        CHECK(seqvrf_p256_debug_nonce(o32, sk, h) == 0 && !memcmp(o32, k, 32), "p256 vector %zu k", i);
        CHECK(seqvrf_p256_prove(o81, sk, alpha, alen, v->suite) == 0 && !memcmp(o81, pi, 81), "p256 vector %zu pi", i);
        CHECK(seqvrf_p256_secret_expand(&esk, sk) == 0, "p256 vector %zu expand", i);
        CHECK(seqvrf_p256_secret_public_key(o33, &esk) == 0 && !memcmp(o33, pk, 33), "p256 vector %zu expanded pk", i);
        CHECK(seqvrf_p256_prove_expanded(o81, &esk, alpha, alen, v->suite) == 0 && !memcmp(o81, pi, 81),
              "p256 vector %zu expanded pi", i);
        seqvrf_p256_secret_wipe(&esk);
        CHECK(seqvrf_p256_verify(o32, pk, pi, alpha, alen, v->suite) == 0 && !memcmp(o32, beta, 32),
              "p256 vector %zu verify", i);
        CHECK(seqvrf_p256_pubkey_parse(&ppk, pk) == 0 &&
              seqvrf_p256_verify_parsed(o32, &ppk, pi, alpha, alen, v->suite) == 0 && !memcmp(o32, beta, 32),
              "p256 vector %zu verify_parsed", i);
        CHECK(seqvrf_p256_proof_to_hash(o32, pi, v->suite) == 0 && !memcmp(o32, beta, 32),
              "p256 vector %zu proof_to_hash", i);
        CHECK(seqvrf_p256_verify(o32, pk, pi, alpha, alen, 3 - v->suite) == SEQVRF_ERR_PROOF,
              "p256 vector %zu other suite", i);
        memset(o81, 0xff, 81); memcpy(o81, pi, 49); /* s = 2^256 - 1 >= q */
        CHECK(seqvrf_p256_verify(o32, pk, o81, alpha, alen, v->suite) == SEQVRF_ERR_PROOF, "p256 vector %zu s >= q", i);
        CHECK(seqvrf_p256_proof_to_hash(o32, o81, v->suite) == SEQVRF_ERR_PROOF, "p256 vector %zu p2h s >= q", i);
        CHECK(seqvrf_p256_verify(o32, pk, pi, alpha, alen, 3) == SEQVRF_ERR_ARG, "p256 vector %zu edwards suite", i);
    }
    for (t = 0; t < 24; t++) {
        uint8_t sk[32], pk[33], pk2[33], alpha[64], pi[81], pi2[81], beta[32], beta2[32];
        size_t alen = rnd8() % 64, j;
        int suite = 1 + (t & 1);
        seqvrf_p256_pubkey ppk;
        seqvrf_p256_secret esk;
        for (j = 0; j < 32; j++) sk[j] = rnd8();
        sk[0] &= 0x7f; /* < q */
        sk[31] |= 1;   /* != 0 */
        for (j = 0; j < alen; j++) alpha[j] = rnd8();
        CHECK(seqvrf_p256_public_key(pk, sk) == 0, "p256 random %d pk", t);
        CHECK(seqvrf_p256_prove(pi, sk, alpha, alen, suite) == 0, "p256 random %d prove", t);
        CHECK(seqvrf_p256_secret_expand(&esk, sk) == 0 && seqvrf_p256_secret_public_key(pk2, &esk) == 0 &&
              !memcmp(pk, pk2, 33), "p256 random %d expanded pk", t);
        CHECK(seqvrf_p256_prove_expanded(pi2, &esk, alpha, alen, suite) == 0 && !memcmp(pi, pi2, 81),
              "p256 random %d prove_expanded", t);
        seqvrf_p256_secret_wipe(&esk);
        CHECK(seqvrf_p256_verify(beta, pk, pi, alpha, alen, suite) == 0, "p256 random %d verify", t);
        CHECK(seqvrf_p256_proof_to_hash(beta2, pi, suite) == 0 && !memcmp(beta, beta2, 32), "p256 random %d beta", t);
        CHECK(seqvrf_p256_pubkey_parse(&ppk, pk) == 0 &&
              seqvrf_p256_verify_parsed(beta2, &ppk, pi, alpha, alen, suite) == 0 && !memcmp(beta, beta2, 32),
              "p256 random %d parsed", t);
        pi[rnd8() % 81] ^= (uint8_t)(1u << (rnd8() % 8));
        CHECK(seqvrf_p256_verify(beta, pk, pi, alpha, alen, suite) != 0, "p256 random %d tampered accepted", t);
    }
    {   /* rejection rules and argument checks; outputs zeroed on failure */
        static const uint8_t zero[81] = {0};
        uint8_t pk[33], sk[32], pi[81], b32[32];
        seqvrf_p256_pubkey junk;
        seqvrf_p256_secret esk;
        memset(&junk, 0, sizeof junk);
        memset(sk, 0, 32);
        CHECK(seqvrf_p256_public_key(pk, sk) == SEQVRF_ERR_KEY && !memcmp(pk, zero, 33), "p256 zero secret");
        memset(sk, 0xff, 32);
        CHECK(seqvrf_p256_public_key(pk, sk) == SEQVRF_ERR_KEY, "p256 secret >= q");
        memset(&esk, 0xaa, sizeof esk);
        CHECK(seqvrf_p256_secret_expand(&esk, sk) == SEQVRF_ERR_KEY, "p256 expand secret >= q");
        CHECK(seqvrf_p256_prove_expanded(pi, &esk, NULL, 0, 1) == SEQVRF_ERR_ARG && !memcmp(pi, zero, 81),
              "p256 failed expansion unusable");
        memset(pk, 0, 33);
        CHECK(seqvrf_p256_validate_key(pk) == SEQVRF_ERR_KEY, "p256 all-zero key");
        pk[0] = 4;
        CHECK(seqvrf_p256_validate_key(pk) == SEQVRF_ERR_KEY, "p256 prefix 04");
        memset(pk + 1, 0xff, 32); pk[0] = 2; /* x >= p */
        CHECK(seqvrf_p256_validate_key(pk) == SEQVRF_ERR_KEY, "p256 x >= p");
        CHECK(seqvrf_p256_pubkey_parse(&junk, pk) == SEQVRF_ERR_KEY, "p256 parse x >= p");
        memset(pi, 0, 81);
        memset(b32, 0xaa, 32);
        CHECK(seqvrf_p256_verify_parsed(b32, &junk, pi, NULL, 0, 1) == SEQVRF_ERR_ARG && !memcmp(b32, zero, 32),
              "p256 unparsed key");
        CHECK(seqvrf_p256_verify(b32, pk, pi, NULL, 1, 1) == SEQVRF_ERR_ARG, "p256 NULL alpha with length");
        CHECK(seqvrf_p256_proof_to_hash(b32, pi, 1) == SEQVRF_ERR_PROOF, "p256 p2h zero proof");
        CHECK(seqvrf_p256_proof_to_hash(NULL, pi, 1) == SEQVRF_ERR_ARG, "p256 p2h NULL beta");
        CHECK(seqvrf_p256_prove(NULL, sk, NULL, 0, 1) == SEQVRF_ERR_ARG, "p256 prove NULL pi");
        CHECK(seqvrf_p256_secret_expand(NULL, sk) == SEQVRF_ERR_ARG, "p256 expand NULL");
        seqvrf_p256_secret_wipe(NULL);
    }
}
