"""The C core against independent oracles: the pure-Python reference (RFC text),
libsodium's edwards25519 primitives (PyNaCl's nacl.bindings) and hashlib."""

from __future__ import annotations

import hashlib

import nacl.bindings as sodium
import pytest
from hypothesis import given
from hypothesis import strategies as st

import vrf
from vrf import reference as R
from vrf._native import ffi, lib

SUITES = [vrf.Suite.EDWARDS25519_SHA512_TAI, vrf.Suite.EDWARDS25519_SHA512_ELL2]

seeds = st.binary(min_size=32, max_size=32)
alphas = st.binary(max_size=200)
scalars = st.integers(min_value=0, max_value=2**255 - 1)  # libsodium clears bit 255


def _out(n: int) -> object:
    return ffi.new(f"uint8_t[{n}]")


def c_scalarmult(n: bytes, p: bytes) -> bytes | None:
    out = _out(32)
    return bytes(out) if lib.seqvrf_debug_scalarmult(out, n, p) == 0 else None  # type: ignore[arg-type]


def c_base(n: bytes) -> bytes:
    out = _out(32)
    assert lib.seqvrf_debug_scalarmult_base(out, n) == 0
    return bytes(out)  # type: ignore[call-overload]


def point_from(seed: bytes) -> bytes:
    """A prime-order-subgroup point (libsodium's scalarmult rejects others)."""
    k = int.from_bytes(seed, "little") % (R.Q - 1) + 1  # never 0 mod q
    return sodium.crypto_scalarmult_ed25519_base_noclamp(k.to_bytes(32, "little"))


@given(seed=seeds, alpha=alphas, suite=st.sampled_from(SUITES))
def test_prove_and_verify_match_reference(seed: bytes, alpha: bytes, suite: vrf.Suite) -> None:
    sk = vrf.SecretKey(seed)
    pi = sk.prove(alpha, suite)
    assert pi == R.prove(seed, alpha, int(suite))
    beta = sk.public_key.verify(alpha, pi, suite)
    assert beta == R.verify(bytes(sk.public_key), alpha, pi, int(suite))
    h = _out(32)
    pk = bytes(sk.public_key)
    assert lib.seqvrf_debug_hash_to_curve(h, pk, alpha, len(alpha), int(suite)) == 0
    assert bytes(h) == R.point_to_string(R.encode_to_curve(int(suite), pk, alpha))  # type: ignore[call-overload]


@given(pk=st.binary(min_size=32, max_size=32), alpha=alphas, pi=st.binary(min_size=80, max_size=80),
       suite=st.sampled_from(SUITES))
def test_random_bytes_agree_with_reference(pk: bytes, alpha: bytes, pi: bytes, suite: vrf.Suite) -> None:
    ref_valid = R.validate_key(pk)
    assert (lib.seqvrf_validate_key(pk) == 0) == ref_valid
    decodes = R.string_to_point(pk) is not None
    try:
        vrf.PublicKey(pk, validate=False)
        c_decodes = True
    except vrf.InvalidKey:
        c_decodes = False
    assert c_decodes == decodes
    ref_beta = R.proof_to_hash(pi, int(suite))
    try:
        c_beta: bytes | None = vrf.proof_to_hash(pi, suite)
    except vrf.InvalidProof:
        c_beta = None
    assert c_beta == ref_beta
    beta = _out(64)
    rc = lib.seqvrf_verify(beta, pk, pi, alpha, len(alpha), int(suite), 1)
    assert rc != 0  # random bytes are never a valid proof
    assert R.verify(pk, alpha, pi, int(suite)) is None


@given(seed=seeds, alpha=alphas, flip=st.integers(0, 80 * 8 - 1), suite=st.sampled_from(SUITES))
def test_single_bit_flips_agree_with_reference(seed: bytes, alpha: bytes, flip: int, suite: vrf.Suite) -> None:
    sk = vrf.SecretKey(seed)
    pi = bytearray(sk.prove(alpha, suite))
    pi[flip // 8] ^= 1 << (flip % 8)
    ref = R.verify(bytes(sk.public_key), alpha, bytes(pi), int(suite))
    try:
        got: bytes | None = sk.public_key.verify(alpha, bytes(pi), suite)
    except vrf.InvalidProof:
        got = None
    assert got == ref
    assert got is None  # a bit flip breaks c, s or Gamma


@given(seed=seeds)
def test_public_key_matches_libsodium(seed: bytes) -> None:
    pk, _ = sodium.crypto_sign_seed_keypair(seed)
    assert bytes(vrf.SecretKey(seed).public_key) == pk


@given(n=scalars, pseed=seeds)
def test_scalarmult_matches_libsodium(n: int, pseed: bytes) -> None:
    p = point_from(pseed)
    nb = n.to_bytes(32, "little")
    try:
        expected: bytes | None = sodium.crypto_scalarmult_ed25519_noclamp(nb, p)
    except Exception:  # libsodium refuses an identity result (n = 0 mod q)
        expected = None
    got = c_scalarmult(nb, p)
    if expected is None:
        assert n % R.Q == 0 and got == R.point_to_string(R.IDENTITY)
    else:
        assert got == expected


@given(n=scalars)
def test_scalarmult_base_matches_libsodium(n: int) -> None:
    nb = n.to_bytes(32, "little")
    if n % R.Q == 0:
        assert c_base(nb) == R.point_to_string(R.IDENTITY)
    else:
        assert c_base(nb) == sodium.crypto_scalarmult_ed25519_base_noclamp(nb)


@given(a=seeds, b=seeds)
def test_add_matches_libsodium(a: bytes, b: bytes) -> None:
    p, q = point_from(a), point_from(b)
    out = _out(32)
    assert lib.seqvrf_debug_add(out, p, q) == 0
    assert bytes(out) == sodium.crypto_core_ed25519_add(p, q)  # type: ignore[call-overload]


@given(a=st.integers(0, 2**256 - 1), b=st.integers(0, 2**256 - 1), pseed=seeds)
def test_double_scalarmult_matches_reference(a: int, b: int, pseed: bytes) -> None:
    p = point_from(pseed)
    out = _out(32)
    assert lib.seqvrf_debug_double_scalarmult_vartime(out, a.to_bytes(32, "little"), b.to_bytes(32, "little"), p) == 0
    pt = R.string_to_point(p)
    assert pt is not None
    want = R.point_add(R.scalar_mult(a % R.Q, R.B), R.scalar_mult(b % R.Q, pt))
    assert bytes(out) == R.point_to_string(want)  # type: ignore[call-overload]


@given(x=st.binary(min_size=64, max_size=64))
def test_scalar_reduce_matches_libsodium(x: bytes) -> None:
    out = _out(32)
    assert lib.seqvrf_debug_scalar_reduce64(out, x) == 0
    assert bytes(out) == sodium.crypto_core_ed25519_scalar_reduce(x)  # type: ignore[call-overload]


@given(a=st.integers(0, R.Q - 1), b=st.integers(0, R.Q - 1), c=st.integers(0, R.Q - 1))
def test_scalar_muladd_matches_libsodium(a: int, b: int, c: int) -> None:
    ab, bb, cb = (v.to_bytes(32, "little") for v in (a, b, c))
    out = _out(32)
    assert lib.seqvrf_debug_scalar_muladd(out, ab, bb, cb) == 0
    want = sodium.crypto_core_ed25519_scalar_add(sodium.crypto_core_ed25519_scalar_mul(ab, bb), cb)
    assert bytes(out) == want == ((a * b + c) % R.Q).to_bytes(32, "little")  # type: ignore[call-overload]


@given(msg=st.binary(max_size=600))
def test_sha512_matches_hashlib(msg: bytes) -> None:
    out = _out(64)
    assert lib.seqvrf_debug_sha512(out, msg, len(msg)) == 0
    assert bytes(out) == hashlib.sha512(msg).digest()  # type: ignore[call-overload]


@pytest.mark.parametrize("length", [0, 1, 111, 112, 127, 128, 129, 239, 240, 256, 1000])
def test_sha512_block_boundaries(length: int) -> None:
    msg = bytes(range(256)) * 4
    out = _out(64)
    assert lib.seqvrf_debug_sha512(out, msg[:length], length) == 0
    assert bytes(out) == hashlib.sha512(msg[:length]).digest()  # type: ignore[call-overload]


def test_c_rechecks_arguments() -> None:
    """The C layer rejects what Python would never pass: NULL pointers, unknown suites."""
    out = _out(80)
    seed = bytes(32)
    assert lib.seqvrf_prove(out, seed, b"", 0, 1) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_prove(out, seed, b"", 0, 5) == lib.SEQVRF_ERR_ARG
    assert bytes(out) == bytes(80)  # type: ignore[call-overload]
    assert lib.seqvrf_prove(ffi.NULL, seed, b"", 0, 3) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_prove(out, ffi.NULL, b"", 0, 3) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_prove(out, seed, ffi.NULL, 5, 3) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_prove(out, seed, ffi.NULL, 0, 3) == lib.SEQVRF_OK
    beta = _out(64)
    pk = bytes(vrf.SecretKey(seed).public_key)
    assert lib.seqvrf_verify(beta, pk, ffi.NULL, b"", 0, 3, 1) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_verify(beta, ffi.NULL, bytes(out), b"", 0, 3, 1) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_proof_to_hash(beta, bytes(out), 0) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_pubkey_parse(ffi.NULL, pk, 1) == lib.SEQVRF_ERR_ARG
    blank = ffi.new("seqvrf_pubkey *")  # never parsed: no magic tag
    assert lib.seqvrf_verify_parsed(beta, blank, bytes(out), b"", 0, 3) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_verify_parsed(beta, ffi.NULL, bytes(out), b"", 0, 3) == lib.SEQVRF_ERR_ARG
