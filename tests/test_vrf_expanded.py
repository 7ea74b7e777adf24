"""The expanded secret key (seqvrf_secret): same proofs as the seed path and the
pure-Python reference, every argument re-checked in C, and wiped when done."""

from __future__ import annotations

import gc

import pytest
from hypothesis import given
from hypothesis import strategies as st

import vrf
from vrf import _lowlevel as ll
from vrf import reference as R
from vrf._native import ffi, lib
from vrf.errors import VRFError

SUITES = [vrf.Suite.EDWARDS25519_SHA512_TAI, vrf.Suite.EDWARDS25519_SHA512_ELL2]

seeds = st.binary(min_size=32, max_size=32)
alphas = st.binary(max_size=200)


def _seed_prove(seed: bytes, alpha: bytes, suite: int) -> bytes:
    """The C seed path (seqvrf_prove), which the library itself no longer calls."""
    out = ffi.new("uint8_t[80]")
    assert lib.seqvrf_prove(out, seed, alpha, len(alpha), suite) == lib.SEQVRF_OK
    return bytes(out)


def _seed_public_key(seed: bytes) -> bytes:
    out = ffi.new("uint8_t[32]")
    assert lib.seqvrf_public_key(out, seed) == lib.SEQVRF_OK
    return bytes(out)


def _words(p: object) -> list[int]:
    return list(ffi.cast("seqvrf_secret *", p).opaque)


@pytest.mark.parametrize("suite", SUITES, ids=["tai", "ell2"])
@given(seed=seeds, alpha=alphas)
def test_prove_expanded_matches_prove_and_reference(suite: vrf.Suite, seed: bytes, alpha: bytes) -> None:
    handle = ll.expand_secret(seed)
    pi = ll.prove_expanded(handle, alpha, int(suite))
    assert pi == _seed_prove(seed, alpha, int(suite))
    assert pi == R.prove(seed, alpha, int(suite))
    assert pi == vrf.SecretKey(seed).prove(alpha, suite)


@given(seed=seeds)
def test_secret_public_key_matches_seed_path(seed: bytes) -> None:
    handle = ll.expand_secret(seed)
    assert ll.secret_public_key(handle) == _seed_public_key(seed) == R.public_key(seed)


def test_secret_key_api_unchanged() -> None:
    seed = bytes(range(32))
    sk = vrf.SecretKey(seed)
    assert sk.to_bytes() == seed
    assert sk.public_key.to_bytes() == R.public_key(seed)
    pi = sk.prove(b"abc")
    assert sk.public_key.verify(b"abc", pi) == R.proof_to_hash(pi)
    assert vrf.SecretKey.from_pem(sk.to_pem()).prove(b"abc") == pi


def test_c_rechecks_expanded_arguments() -> None:
    """NULL pointers, unknown suites and a never-expanded struct are SEQVRF_ERR_ARG; outputs zeroed."""
    seed = bytes(32)
    sk = ffi.new("seqvrf_secret *")
    blank = ffi.new("seqvrf_secret *")  # never expanded: no magic tag
    assert lib.seqvrf_secret_expand(sk, seed) == lib.SEQVRF_OK
    pi = ffi.new("uint8_t[80]", b"\xaa" * 80)
    assert lib.seqvrf_prove_expanded(pi, blank, b"", 0, 3) == lib.SEQVRF_ERR_ARG
    assert bytes(pi) == bytes(80)
    pi = ffi.new("uint8_t[80]", b"\xaa" * 80)
    assert lib.seqvrf_prove_expanded(pi, ffi.NULL, b"", 0, 3) == lib.SEQVRF_ERR_ARG
    assert bytes(pi) == bytes(80)
    assert lib.seqvrf_prove_expanded(ffi.NULL, sk, b"", 0, 3) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_prove_expanded(pi, sk, b"", 0, 1) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_prove_expanded(pi, sk, b"", 0, 5) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_prove_expanded(pi, sk, ffi.NULL, 5, 3) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_prove_expanded(pi, sk, ffi.NULL, 0, 3) == lib.SEQVRF_OK
    assert bytes(pi) == R.prove(seed, b"", 3)
    pk = ffi.new("uint8_t[32]", b"\xaa" * 32)
    assert lib.seqvrf_secret_public_key(pk, blank) == lib.SEQVRF_ERR_ARG
    assert bytes(pk) == bytes(32)
    assert lib.seqvrf_secret_public_key(pk, ffi.NULL) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_secret_public_key(ffi.NULL, sk) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_secret_expand(ffi.NULL, seed) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_secret_expand(sk, ffi.NULL) == lib.SEQVRF_ERR_ARG
    assert _words(sk) == [0] * lib.SEQVRF_SECRET_WORDS  # zeroed on failure
    assert lib.seqvrf_prove_expanded(pi, sk, b"", 0, 3) == lib.SEQVRF_ERR_ARG
    lib.seqvrf_secret_wipe(ffi.NULL)  # ignored


def test_lowlevel_rejects_unexpanded_handle() -> None:
    with pytest.raises(VRFError, match="unexpected status"):
        ll.prove_expanded(ffi.new("seqvrf_secret *"), b"", 3)
    with pytest.raises(VRFError, match="unexpected status"):
        ll.secret_public_key(ffi.new("seqvrf_secret *"))


def test_wipe_zeroes_the_struct() -> None:
    sk = ffi.new("seqvrf_secret *")
    assert lib.seqvrf_secret_expand(sk, b"\x01" * 32) == lib.SEQVRF_OK
    assert any(_words(sk))
    lib.seqvrf_secret_wipe(sk)
    assert _words(sk) == [0] * lib.SEQVRF_SECRET_WORDS
    assert lib.seqvrf_prove_expanded(ffi.new("uint8_t[80]"), sk, b"", 0, 3) == lib.SEQVRF_ERR_ARG


def test_handle_destructor_is_the_wipe() -> None:
    """ffi.release runs the ffi.gc destructor of the handle expand_secret returns, now."""
    handle = ll.expand_secret(b"\x02" * 32)
    assert any(_words(handle))
    ffi.release(handle)  # calls seqvrf_secret_wipe; the memory stays alive while `handle` does
    assert _words(handle) == [0] * lib.SEQVRF_SECRET_WORDS


def test_collection_runs_the_wipe() -> None:
    """Built as expand_secret builds it: collecting the ffi.gc wrapper wipes the memory
    (kept alive here through the original ffi.new pointer so it can be inspected)."""
    raw = ffi.new("seqvrf_secret *")
    handle = ffi.gc(raw, lib.seqvrf_secret_wipe)
    assert lib.seqvrf_secret_expand(handle, b"\x03" * 32) == lib.SEQVRF_OK
    assert any(_words(raw))
    del handle
    gc.collect()
    assert _words(raw) == [0] * lib.SEQVRF_SECRET_WORDS
