/*
 * sha512.h -- FIPS 180-4 SHA-512, streaming.  Internal to the seqvrf C core.
 * Contract: init/update/final; update accepts any length (NULL allowed when len == 0);
 * final writes 64 bytes and wipes the context.  Constant time in the data.
 */
#ifndef SEQVRF_SHA512_H
#define SEQVRF_SHA512_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t h[8];
    uint64_t total;    /* bytes processed (messages < 2^61 bytes) */
    size_t fill;
    uint8_t buf[128];
} sv_sha512_ctx;

void sv_sha512_init(sv_sha512_ctx *c);
void sv_sha512_update(sv_sha512_ctx *c, const uint8_t *data, size_t len);
void sv_sha512_final(sv_sha512_ctx *c, uint8_t out[64]);
void sv_sha512(uint8_t out[64], const uint8_t *data, size_t len);

/* secure wipe (not removable by the optimizer) */
void sv_wipe(void *p, size_t n);

#endif
