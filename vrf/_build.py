"""cffi build script: compiles csrc/ into the extension module ``vrf._native``.

The cdef below mirrors csrc/seqvrf.h (cffi cannot parse the attributes there).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cffi import FFI

ROOT = Path(__file__).resolve().parent.parent
CSRC = ROOT / "csrc"

CDEF = """
#define SEQVRF_OK 0
#define SEQVRF_ERR_ARG -1
#define SEQVRF_ERR_KEY -2
#define SEQVRF_ERR_PROOF -3
#define SEQVRF_PUBKEY_WORDS 256
typedef struct seqvrf_pubkey { uint64_t opaque[256]; } seqvrf_pubkey;
#define SEQVRF_SECRET_WORDS 32
typedef struct seqvrf_secret { uint64_t opaque[32]; } seqvrf_secret;

int seqvrf_secret_expand(seqvrf_secret *out, const uint8_t seed[32]);
int seqvrf_prove_expanded(uint8_t pi[80], const seqvrf_secret *sk, const uint8_t *alpha, size_t alpha_len,
                          int suite);
int seqvrf_secret_public_key(uint8_t pk[32], const seqvrf_secret *sk);
void seqvrf_secret_wipe(seqvrf_secret *sk);

int seqvrf_public_key(uint8_t pk[32], const uint8_t seed[32]);
int seqvrf_prove(uint8_t pi[80], const uint8_t seed[32], const uint8_t *alpha, size_t alpha_len, int suite);
int seqvrf_validate_key(const uint8_t pk[32]);
int seqvrf_pubkey_parse(seqvrf_pubkey *out, const uint8_t pk[32], int validate);
int seqvrf_verify_parsed(uint8_t beta[64], const seqvrf_pubkey *pk, const uint8_t pi[80],
                         const uint8_t *alpha, size_t alpha_len, int suite);
int seqvrf_verify_batch(uint8_t *betas, int *statuses, const seqvrf_pubkey *const *keys, const uint8_t *proofs,
                        const uint8_t *alphas, const size_t *alpha_offsets, size_t n, int suite);
int seqvrf_verify(uint8_t beta[64], const uint8_t pk[32], const uint8_t pi[80],
                  const uint8_t *alpha, size_t alpha_len, int suite, int validate);
int seqvrf_proof_to_hash(uint8_t beta[64], const uint8_t pi[80], int suite);

int seqvrf_debug_hash_to_curve(uint8_t h[32], const uint8_t pk[32], const uint8_t *alpha, size_t alpha_len, int suite);
int seqvrf_debug_scalarmult(uint8_t out[32], const uint8_t n[32], const uint8_t p[32]);
int seqvrf_debug_scalarmult_base(uint8_t out[32], const uint8_t n[32]);
int seqvrf_debug_double_scalarmult_vartime(uint8_t out[32], const uint8_t a[32], const uint8_t b[32],
                                           const uint8_t p[32]);
int seqvrf_debug_add(uint8_t out[32], const uint8_t p[32], const uint8_t q[32]);
int seqvrf_debug_scalar_reduce64(uint8_t out[32], const uint8_t x[64]);
int seqvrf_debug_scalar_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32], const uint8_t c[32]);
int seqvrf_debug_sha512(uint8_t out[64], const uint8_t *msg, size_t len);

/* ---- P-256 suites (csrc/vrf_p256.c) ---- */
#define SEQVRF_P256_PUBKEY_WORDS 256
typedef struct seqvrf_p256_pubkey { uint64_t opaque[256]; } seqvrf_p256_pubkey;
#define SEQVRF_P256_SECRET_WORDS 12
typedef struct seqvrf_p256_secret { uint64_t opaque[12]; } seqvrf_p256_secret;

int seqvrf_p256_secret_expand(seqvrf_p256_secret *out, const uint8_t sk[32]);
int seqvrf_p256_prove_expanded(uint8_t pi[81], const seqvrf_p256_secret *sk, const uint8_t *alpha, size_t alpha_len,
                               int suite);
int seqvrf_p256_secret_public_key(uint8_t pk[33], const seqvrf_p256_secret *sk);
void seqvrf_p256_secret_wipe(seqvrf_p256_secret *sk);
int seqvrf_p256_public_key(uint8_t pk[33], const uint8_t sk[32]);
int seqvrf_p256_prove(uint8_t pi[81], const uint8_t sk[32], const uint8_t *alpha, size_t alpha_len, int suite);
int seqvrf_p256_validate_key(const uint8_t pk[33]);
int seqvrf_p256_pubkey_parse(seqvrf_p256_pubkey *out, const uint8_t pk[33]);
int seqvrf_p256_verify_parsed(uint8_t beta[32], const seqvrf_p256_pubkey *pk, const uint8_t pi[81],
                              const uint8_t *alpha, size_t alpha_len, int suite);
int seqvrf_p256_verify(uint8_t beta[32], const uint8_t pk[33], const uint8_t pi[81], const uint8_t *alpha,
                       size_t alpha_len, int suite);
int seqvrf_p256_proof_to_hash(uint8_t beta[32], const uint8_t pi[81], int suite);

int seqvrf_p256_debug_hash_to_curve(uint8_t h[33], const uint8_t pk[33], const uint8_t *alpha, size_t alpha_len,
                                    int suite);
int seqvrf_p256_debug_map_to_curve(uint8_t out[33], const uint8_t u[32]);
int seqvrf_p256_debug_nonce(uint8_t k[32], const uint8_t sk[32], const uint8_t h[33]);
int seqvrf_p256_debug_scalarmult(uint8_t out[33], const uint8_t n[32], const uint8_t p[33]);
int seqvrf_p256_debug_scalarmult_base(uint8_t out[33], const uint8_t n[32]);
int seqvrf_p256_debug_double_scalarmult_vartime(uint8_t out[33], const uint8_t a[32], const uint8_t p[33],
                                                const uint8_t b[32], const uint8_t q[33]);
int seqvrf_p256_debug_add(uint8_t out[33], const uint8_t p[33], const uint8_t q[33], int dbl);
int seqvrf_p256_debug_scalar_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32], const uint8_t c[32]);
int seqvrf_p256_debug_sha256(uint8_t out[32], const uint8_t *msg, size_t len);
int seqvrf_p256_debug_hmac_sha256(uint8_t out[32], const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len);
"""

# draft-03 suites, batch-compatible proofs, batch verification, Ed25519 (seqvrf.h, appended block)
CDEF += """
#define SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_TAI 259
#define SEQVRF_SUITE_DRAFT03_EDWARDS25519_SHA512_ELL2 260
#define SEQVRF_BATCHCOMPAT_PROOF_BYTES 128
int seqvrf_prove_batchcompat(uint8_t pi[128], const uint8_t seed[32], const uint8_t *alpha, size_t alpha_len,
                             int suite);
int seqvrf_prove_batchcompat_expanded(uint8_t pi[128], const seqvrf_secret *sk, const uint8_t *alpha,
                                      size_t alpha_len, int suite);
int seqvrf_verify_batchcompat_parsed(uint8_t beta[64], const seqvrf_pubkey *pk, const uint8_t pi[128],
                                     const uint8_t *alpha, size_t alpha_len, int suite);
int seqvrf_proof_to_hash_batchcompat(uint8_t beta[64], const uint8_t pi[128], int suite);
size_t seqvrf_verify_batchcompat_batch_scratch_bytes(size_t n);
int seqvrf_verify_batchcompat_batch(uint8_t *betas, int *statuses, const seqvrf_pubkey *const *keys,
                                    const uint8_t *proofs, const uint8_t *alphas, const size_t *alpha_offsets,
                                    size_t n, int suite, const uint8_t *coeffs, void *scratch, size_t scratch_len);
int seqvrf_ed25519_verify(const uint8_t pk[32], const uint8_t *msg, size_t msg_len, const uint8_t sig[64]);
size_t seqvrf_ed25519_verify_batch_scratch_bytes(size_t n);
int seqvrf_ed25519_verify_batch(int *statuses, const uint8_t *pks, const uint8_t *msgs, const size_t *msg_offsets,
                                const uint8_t *sigs, size_t n, const uint8_t *coeffs, void *scratch,
                                size_t scratch_len);
int seqvrf_debug_tai_candidate(uint8_t h[32], const uint8_t cand[32]);
size_t seqvrf_debug_msm_scratch_bytes(size_t n);
int seqvrf_debug_msm(uint8_t out[32], const uint8_t *scalars, const uint8_t *points, size_t n, void *scratch,
                     size_t scratch_len);
"""


def _sources() -> list[str]:
    # Relative paths keep setuptools happy; sorted for a reproducible build.
    return sorted(os.path.relpath(p, os.getcwd()) for p in CSRC.glob("*.c"))


def _extra_compile_args() -> list[str]:
    if sys.platform == "win32":
        return ["/O2"]
    args = ["-O2", "-std=c99", "-Wall", "-Wextra", "-Wno-unused-function"]
    # SEQVRF_CFLAGS lets CI build sanitizer variants without editing this file.
    args += os.environ.get("SEQVRF_CFLAGS", "").split()
    return args


def _extra_link_args() -> list[str]:
    return os.environ.get("SEQVRF_LDFLAGS", "").split()


ffibuilder = FFI()
ffibuilder.cdef(CDEF)
ffibuilder.set_source(
    "vrf._native",
    '#include "seqvrf.h"',
    sources=_sources(),
    include_dirs=[os.path.relpath(CSRC, os.getcwd())],
    extra_compile_args=_extra_compile_args(),
    extra_link_args=_extra_link_args(),
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
