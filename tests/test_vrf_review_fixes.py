"""Regression tests for the external review's findings (one section per finding)."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import vrf
from vrf import _lowlevel as ll
from vrf import reference as R
from vrf._native import ffi, lib
from vrf.suites import P256_SUITES

TAI = vrf.Suite.EDWARDS25519_SHA512_TAI
ELL2 = vrf.Suite.EDWARDS25519_SHA512_ELL2
# the edwards25519 suites, RFC and draft-03 (the P-256 suites have their own C functions and
# key classes, and seqvrf.h makes the aliasing promise of section 4 for edwards25519 only)
ALL_SUITES = [s for s in vrf.Suite if s not in P256_SUITES]
ROOT = Path(__file__).resolve().parent.parent

SK = vrf.SecretKey(bytes(range(32)))
PK = SK.public_key


# ---- 1. bytes subclasses with a lying __len__ -------------------------------------------


class Liar(bytes):
    """A bytes subclass whose __len__ lies (the review's heap-buffer-overflow vector)."""

    claimed = 0

    def __len__(self) -> int:
        return self.claimed


def liar(data: bytes, claimed: int) -> bytes:
    out = Liar(data)
    out.claimed = claimed
    return out


def test_as_bytes_returns_exact_bytes_with_the_real_length() -> None:
    for value in (liar(b"abc", 80), bytearray(b"abc"), memoryview(b"xabcx")[1:4]):
        out = ll.as_bytes(value, "x")
        assert type(out) is bytes and out == b"abc" and len(out) == 3
    plain = b"abc"
    assert ll.as_bytes(plain, "x") is plain


@pytest.mark.parametrize("suite", [TAI, ELL2])
def test_lying_proof_length_is_rejected_not_read_past(suite: vrf.Suite) -> None:
    short = liar(b"\x01" * 8, 80)  # claims 80, holds 8: C must never see it as 80 bytes
    with pytest.raises(vrf.InvalidProof, match="got 8"):
        PK.verify(b"a", short, suite)
    assert vrf.verify_many([(PK, b"a", short)], suite, workers=1) == [None]
    assert vrf.verify_batch([(PK, b"a", short)], suite) == [None]
    with pytest.raises(vrf.InvalidProof):
        vrf.proof_to_hash(short, suite)


def test_lying_key_and_seed_lengths_are_rejected() -> None:
    with pytest.raises(vrf.InvalidKey, match="got 8"):
        vrf.PublicKey(liar(bytes(8), 32))
    with pytest.raises(vrf.InvalidKey, match="got 8"):
        vrf.SecretKey(liar(bytes(8), 32))
    assert vrf.verify_many([(liar(bytes(8), 32), b"a", bytes(80))], TAI, workers=1) == [None]


@pytest.mark.parametrize("suite", [TAI, ELL2])
def test_lying_alpha_length_uses_the_real_buffer(suite: vrf.Suite) -> None:
    proof = SK.prove(b"abc", suite)
    beta = PK.verify(b"abc", proof, suite)
    # claims 100,000 bytes: before the fix C read that far past the 3-byte buffer
    assert PK.verify(liar(b"abc", 100_000), proof, suite) == beta
    assert SK.prove(liar(b"abc", 100_000), suite) == proof
    assert vrf.verify_many([(PK, liar(b"abc", 100_000), proof)], suite, workers=1) == [beta]


# ---- 2. to_pem passwords -------------------------------------------------------------------


def test_to_pem_rejects_an_empty_password() -> None:
    for empty in (b"", bytearray()):
        with pytest.raises(vrf.InvalidKey, match="non-empty"):
            SK.to_pem(password=empty)


def test_to_pem_rejects_a_str_password_with_a_type_error() -> None:
    with pytest.raises(vrf.InvalidInputType, match="password must be bytes, got str"):
        SK.to_pem(password="hunter2")  # type: ignore[arg-type]
    with pytest.raises(vrf.InvalidInputType):
        vrf.SecretKey.from_pem(SK.to_pem(b"pw"), password="pw")  # type: ignore[arg-type]


def test_to_pem_encrypts_with_bytes_like_passwords() -> None:
    for pw in (b"pw", bytearray(b"pw"), memoryview(b"pw")):
        pem = SK.to_pem(password=pw)  # type: ignore[arg-type]
        assert b"ENCRYPTED" in pem
        assert vrf.SecretKey.from_pem(pem, b"pw").to_bytes() == SK.to_bytes()
        with pytest.raises(vrf.InvalidKey):
            vrf.SecretKey.from_pem(pem)  # encrypted: no password is an error, not a silent load
    assert b"ENCRYPTED" not in SK.to_pem()


# ---- 3. from_pem with an algorithm cryptography does not know ----------------------------


def _tlv(tag: int, body: bytes) -> bytes:
    assert len(body) < 128
    return bytes([tag, len(body)]) + body


_UNKNOWN_OID = _tlv(6, bytes([0x2B, 6, 1, 4, 1, 0x86, 0x8D, 0x1F, 1]))  # 1.3.6.1.4.1.99999.1


def _pem(label: str, der: bytes) -> bytes:
    return f"-----BEGIN {label}-----\n".encode() + base64.encodebytes(der) + f"-----END {label}-----\n".encode()


def test_from_pem_maps_unknown_key_oid_to_invalid_key() -> None:
    pkcs8 = _tlv(0x30, _tlv(2, b"\0") + _tlv(0x30, _UNKNOWN_OID) + _tlv(4, _tlv(4, bytes(32))))
    with pytest.raises(vrf.InvalidKey, match="Unknown key type"):
        vrf.SecretKey.from_pem(_pem("PRIVATE KEY", pkcs8))
    spki = _tlv(0x30, _tlv(0x30, _UNKNOWN_OID) + _tlv(3, b"\0" + bytes(32)))
    with pytest.raises(vrf.InvalidKey, match="Unknown key type"):
        vrf.PublicKey.from_pem(_pem("PUBLIC KEY", spki))


# ---- 4. C API: outputs may alias inputs ------------------------------------------------------


@pytest.mark.parametrize("suite", [int(s) for s in ALL_SUITES])
def test_prove_output_may_alias_alpha_and_seed(suite: int) -> None:
    seed = os.urandom(32)
    alpha = os.urandom(32)
    expected = vrf.SecretKey(seed).prove(alpha, vrf.Suite(suite))
    buf = ffi.new("uint8_t[80]", alpha)  # pi and alpha share memory
    assert lib.seqvrf_prove(buf, seed, buf, 32, suite) == lib.SEQVRF_OK
    assert bytes(buf) == expected
    buf = ffi.new("uint8_t[80]", seed)  # pi and seed share memory
    assert lib.seqvrf_prove(buf, buf, alpha, 32, suite) == lib.SEQVRF_OK
    assert bytes(buf) == expected
    sk = ffi.new("seqvrf_secret *")
    assert lib.seqvrf_secret_expand(sk, seed) == lib.SEQVRF_OK
    buf = ffi.new("uint8_t[80]", alpha)
    assert lib.seqvrf_prove_expanded(buf, sk, buf, 32, suite) == lib.SEQVRF_OK
    assert bytes(buf) == expected


def test_secret_expand_and_public_key_may_alias_the_seed() -> None:
    seed = os.urandom(32)
    sk = ffi.new("seqvrf_secret *")
    raw = ffi.cast("uint8_t *", sk)
    ffi.memmove(raw, seed, 32)
    assert lib.seqvrf_secret_expand(sk, raw) == lib.SEQVRF_OK
    pk = ffi.new("uint8_t[32]")
    assert lib.seqvrf_secret_public_key(pk, sk) == lib.SEQVRF_OK
    assert bytes(pk) == vrf.SecretKey(seed).public_key.to_bytes()
    buf = ffi.new("uint8_t[32]", seed)
    assert lib.seqvrf_public_key(buf, buf) == lib.SEQVRF_OK
    assert bytes(buf) == bytes(pk)


@pytest.mark.parametrize("suite", [int(s) for s in ALL_SUITES])
def test_verify_and_proof_to_hash_output_may_alias_the_proof(suite: int) -> None:
    proof = SK.prove(b"x", vrf.Suite(suite))
    beta = PK.verify(b"x", proof, vrf.Suite(suite))
    buf = ffi.new("uint8_t[80]", proof)
    assert lib.seqvrf_verify(buf, PK.to_bytes(), buf, b"x", 1, suite, 1) == lib.SEQVRF_OK
    assert bytes(buf)[:64] == beta
    buf = ffi.new("uint8_t[80]", proof)
    assert lib.seqvrf_verify_parsed(buf, PK._parsed, buf, b"x", 1, suite) == lib.SEQVRF_OK
    assert bytes(buf)[:64] == beta
    buf = ffi.new("uint8_t[80]", proof)
    assert lib.seqvrf_proof_to_hash(buf, buf, suite) == lib.SEQVRF_OK
    assert bytes(buf)[:64] == beta


def test_batch_rejects_outputs_overlapping_inputs() -> None:
    proofs = ffi.new("uint8_t[]", SK.prove(b"a") + SK.prove(b"b"))
    keys = ffi.new("seqvrf_pubkey *[]", [PK._parsed, PK._parsed])
    offsets = ffi.new("size_t[]", [0, 1, 2])
    statuses = ffi.new("int[]", 2)
    betas = ffi.new("uint8_t[]", 128)
    assert lib.seqvrf_verify_batch(betas, statuses, keys, proofs, b"ab", offsets, 2, 3) == lib.SEQVRF_OK
    assert list(statuses) == [lib.SEQVRF_OK] * 2
    # betas over the proofs: rejected before anything is read or written per item
    assert lib.seqvrf_verify_batch(proofs, statuses, keys, proofs, b"ab", offsets, 2, 3) == lib.SEQVRF_ERR_ARG
    assert list(statuses) == [lib.SEQVRF_ERR_ARG] * 2
    # statuses over the offsets
    assert lib.seqvrf_verify_batch(betas, ffi.cast("int *", offsets), keys, proofs, b"ab", offsets, 2, 3) == (
        lib.SEQVRF_ERR_ARG
    )


# ---- 5. RFC 9381 5.4.1.1 step 5: retry when H is the identity ---------------------------------

SMALL_ORDER = [
    bytes.fromhex(h)
    for h in (
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    )
]


def test_c_tai_candidate_rejects_small_order_strings() -> None:
    out = ffi.new("uint8_t[32]")
    for enc in SMALL_ORDER:
        assert R.string_to_point(enc) is not None  # they decode ...
        assert lib.seqvrf_debug_tai_candidate(out, enc) == lib.SEQVRF_ERR_PROOF  # ... but H = O: next ctr
        assert bytes(out) == bytes(32)
    good = PK.to_bytes()
    assert lib.seqvrf_debug_tai_candidate(out, good) == lib.SEQVRF_OK
    assert bytes(out) == R.point_to_string(R.scalar_mult(8, R.string_to_point(good)))  # type: ignore[arg-type]
    assert lib.seqvrf_debug_tai_candidate(out, (2).to_bytes(32, "little")) == lib.SEQVRF_ERR_PROOF  # off curve


def test_reference_tai_loop_skips_identity() -> None:
    tries: list[int] = []

    def fake_hash(ctr: int) -> bytes:
        tries.append(ctr)
        return (SMALL_ORDER[ctr] if ctr < len(SMALL_ORDER) else PK.to_bytes()) + bytes(32)

    h, ctr = R._tai_loop(fake_hash)
    assert ctr == len(SMALL_ORDER) and tries == list(range(len(SMALL_ORDER) + 1))
    assert not R.point_equal(h, R.IDENTITY)


# ---- 6. the stack scrub covers unoptimised builds -------------------------------------------


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_wipe_probe_passes_at_O0() -> None:
    r = subprocess.run(["sh", str(ROOT / "csrc/tests/run_wipe_probe.sh"), "-O0"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 secret copies left" in r.stdout
