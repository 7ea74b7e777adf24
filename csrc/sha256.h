/*
 * sha256.h -- FIPS 180-4 SHA-256 and RFC 2104 HMAC-SHA-256, streaming.  Internal to the
 * seqvrf C core (used by the P-256 suites).
 * Contract: init/update/final; update accepts any length (NULL allowed when len == 0);
 * final writes 32 bytes and wipes the context.  Constant time in the data and the HMAC key
 * (no table lookups or branches on either).  Keys longer than 64 bytes are hashed first.
 */
#ifndef SEQVRF_SHA256_H
#define SEQVRF_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];
    uint64_t total; /* bytes processed */
    size_t fill;
    uint8_t buf[64];
} sv_sha256_ctx;

void sv_sha256_init(sv_sha256_ctx *c);
void sv_sha256_update(sv_sha256_ctx *c, const uint8_t *data, size_t len);
void sv_sha256_final(sv_sha256_ctx *c, uint8_t out[32]);
void sv_sha256(uint8_t out[32], const uint8_t *data, size_t len);

typedef struct {
    sv_sha256_ctx inner, outer;
} sv_hmac256_ctx;

void sv_hmac256_init(sv_hmac256_ctx *c, const uint8_t *key, size_t key_len);
void sv_hmac256_update(sv_hmac256_ctx *c, const uint8_t *data, size_t len);
void sv_hmac256_final(sv_hmac256_ctx *c, uint8_t out[32]); /* wipes the context */

#endif
