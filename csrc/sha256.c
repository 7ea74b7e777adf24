/* sha256.c -- FIPS 180-4 SHA-256 and RFC 2104 HMAC-SHA-256 (see sha256.h). */
#include "sha256.h"
#include <string.h>
#include "sha512.h" /* sv_wipe */

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr32(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static uint32_t load32_be(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void store32_be(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static void compress(uint32_t h[8], const uint8_t blk[64]) {
    uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
    int i;
    for (i = 0; i < 16; i++) w[i] = load32_be(blk + 4 * i);
    for (i = 16; i < 64; i++) {
        uint32_t s0 = rotr32(w[i - 15], 7) ^ rotr32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr32(w[i - 2], 17) ^ rotr32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    for (i = 0; i < 64; i++) {
        t1 = hh + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    sv_wipe(w, sizeof w);
}

void sv_sha256_init(sv_sha256_ctx *c) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, iv, sizeof iv);
    c->total = 0;
    c->fill = 0;
    memset(c->buf, 0, sizeof c->buf);
}

void sv_sha256_update(sv_sha256_ctx *c, const uint8_t *data, size_t len) {
    if (len == 0) return;
    c->total += len;
    if (c->fill > 0) {
        size_t take = 64 - c->fill;
        if (take > len) take = len;
        memcpy(c->buf + c->fill, data, take);
        c->fill += take;
        data += take;
        len -= take;
        if (c->fill < 64) return;
        compress(c->h, c->buf);
        c->fill = 0;
    }
    while (len >= 64) {
        compress(c->h, data);
        data += 64;
        len -= 64;
    }
    if (len > 0) {
        memcpy(c->buf, data, len);
        c->fill = len;
    }
}

void sv_sha256_final(sv_sha256_ctx *c, uint8_t out[32]) {
    uint64_t bits = c->total * 8;
    int i;
    c->buf[c->fill++] = 0x80;
    if (c->fill > 56) {
        memset(c->buf + c->fill, 0, 64 - c->fill);
        compress(c->h, c->buf);
        c->fill = 0;
    }
    memset(c->buf + c->fill, 0, 56 - c->fill);
    for (i = 0; i < 8; i++) c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    compress(c->h, c->buf);
    for (i = 0; i < 8; i++) store32_be(out + 4 * i, c->h[i]);
    sv_wipe(c, sizeof *c);
}

void sv_sha256(uint8_t out[32], const uint8_t *data, size_t len) {
    sv_sha256_ctx c;
    sv_sha256_init(&c);
    sv_sha256_update(&c, data, len);
    sv_sha256_final(&c, out);
}

/* RFC 2104: H((K ^ opad) || H((K ^ ipad) || m)), K zero-padded to the 64-byte block. */
void sv_hmac256_init(sv_hmac256_ctx *c, const uint8_t *key, size_t key_len) {
    uint8_t k[64], pad[64];
    int i;
    memset(k, 0, sizeof k);
    if (key_len > 64) sv_sha256(k, key, key_len);
    else if (key_len > 0) memcpy(k, key, key_len);
    for (i = 0; i < 64; i++) pad[i] = (uint8_t)(k[i] ^ 0x36);
    sv_sha256_init(&c->inner);
    sv_sha256_update(&c->inner, pad, 64);
    for (i = 0; i < 64; i++) pad[i] = (uint8_t)(k[i] ^ 0x5c);
    sv_sha256_init(&c->outer);
    sv_sha256_update(&c->outer, pad, 64);
    sv_wipe(k, sizeof k);
    sv_wipe(pad, sizeof pad);
}

void sv_hmac256_update(sv_hmac256_ctx *c, const uint8_t *data, size_t len) {
    sv_sha256_update(&c->inner, data, len);
}

void sv_hmac256_final(sv_hmac256_ctx *c, uint8_t out[32]) {
    uint8_t ih[32];
    sv_sha256_final(&c->inner, ih);
    sv_sha256_update(&c->outer, ih, 32);
    sv_sha256_final(&c->outer, out);
    sv_wipe(ih, sizeof ih);
    sv_wipe(c, sizeof *c);
}
