"""Ed25519 verification (single and batch share the ZIP-215 cofactored rule), against
PyNaCl (libsodium) on valid signatures, and on the ZIP-215 edge cases where libsodium is
stricter (each difference shown on a concrete signature)."""

from __future__ import annotations

import os
import random

import nacl.exceptions
import nacl.signing
import pytest

import vrf
from vrf import reference as R


def nacl_ok(pk: bytes, msg: bytes, sig: bytes) -> bool:
    try:
        nacl.signing.VerifyKey(pk).verify(msg, sig)
        return True
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError):
        return False


def both(pk: bytes, msg: bytes, sig: bytes) -> bool:
    """Our single result; asserts batch (alone and inside a batch of valid ones) agrees."""
    single = vrf.ed25519_verify(pk, msg, sig)
    assert vrf.ed25519_verify_batch([(pk, msg, sig)]) == [single]
    assert R.ed25519_verify_zip215(pk, msg, sig) == single
    ok = [_valid(i) for i in range(5)]
    assert vrf.ed25519_verify_batch(ok[:2] + [(pk, msg, sig)] + ok[2:]) == [True, True, single, True, True, True]
    return single


_VALID: dict[int, tuple[bytes, bytes, bytes]] = {}


def _valid(i: int) -> tuple[bytes, bytes, bytes]:
    if i not in _VALID:
        sk = nacl.signing.SigningKey(bytes([i + 1]) * 32)
        msg = b"msg %d" % i
        _VALID[i] = (bytes(sk.verify_key), msg, sk.sign(msg).signature)
    return _VALID[i]


def sign_custom(
    seed: bytes, msg: bytes, r_extra: R.Point | None = None, a_enc: bytes | None = None
) -> tuple[bytes, bytes]:
    """RFC 8032 signing with optional torsion added to R and an optional other encoding of A
    (hashed as given).  Returns (A bytes, signature)."""
    a, prefix = R.expand_secret(seed)
    a_bytes = a_enc if a_enc is not None else R.point_to_string(R.scalar_mult(a, R.B))
    r = int.from_bytes(R._h(prefix + msg), "little") % R.Q
    big_r = R.scalar_mult(r, R.B)
    if r_extra is not None:
        big_r = R.point_add(big_r, r_extra)
    r_bytes = R.point_to_string(big_r)
    k = int.from_bytes(R._h(r_bytes + a_bytes + msg), "little") % R.Q
    s = (r + k * a) % R.Q
    return a_bytes, r_bytes + s.to_bytes(32, "little")


# Small-order points: canonical encodings and the non-canonical ones (y >= p, or x = 0 with
# the sign bit set).
SMALL_CANONICAL = [
    bytes.fromhex(h)
    for h in (
        "0100000000000000000000000000000000000000000000000000000000000000",  # identity
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
        "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    )
]
SMALL_NON_CANONICAL = [
    (R.P + 1).to_bytes(32, "little"),  # y = 1 as p + 1: the identity
    R.P.to_bytes(32, "little"),  # y = 0 as p: order 4
    bytes.fromhex("0100000000000000000000000000000000000000000000000000000000000080"),  # identity, sign 1
    bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),  # order 2, sign 1
]


def test_valid_signatures_agree_with_pynacl() -> None:
    seed = random.randrange(2**32)
    print("seed", seed)
    rng = random.Random(seed)
    items = []
    for i in range(40):
        sk = nacl.signing.SigningKey(rng.randbytes(32))
        msg = rng.randbytes(i)
        items.append((bytes(sk.verify_key), msg, sk.sign(msg).signature))
    assert all(nacl_ok(*it) for it in items)
    assert [vrf.ed25519_verify(*it) for it in items] == [True] * 40
    assert vrf.ed25519_verify_batch(items) == [True] * 40
    # corrupt a few: both libraries reject, batch finds exactly those
    bad = list(items)
    for j in (3, 17, 39):
        pk, msg, sig = bad[j]
        bad[j] = (pk, msg + b"!", sig)
    pk, msg, sig = bad[8]
    bad[8] = (pk, msg, sig[:40] + bytes([sig[40] ^ 4]) + sig[41:])
    expect = [j not in (3, 8, 17, 39) for j in range(40)]
    assert [nacl_ok(*it) for it in bad] == expect
    assert vrf.ed25519_verify_batch(bad) == expect
    assert [vrf.ed25519_verify(*it) for it in bad] == expect


def test_s_must_be_canonical() -> None:
    pk, msg, sig = _valid(0)
    s = int.from_bytes(sig[32:], "little")
    high = sig[:32] + (s + R.Q).to_bytes(32, "little")  # same s mod L, not canonical
    assert not nacl_ok(pk, msg, high) and not both(pk, msg, high)
    assert not both(pk, msg, sig[:32] + bytes([0xFF]) * 32)


def test_off_curve_and_wrong_lengths_are_invalid() -> None:
    pk, msg, sig = _valid(1)
    off = (2).to_bytes(32, "little")
    assert not both(off, msg, sig)  # A not on the curve
    assert not both(pk, msg, off + sig[32:])  # R not on the curve
    assert vrf.ed25519_verify(pk[:31], msg, sig) is False
    assert vrf.ed25519_verify(pk, msg, sig + b"\0") is False
    assert vrf.ed25519_verify_batch([(pk[:31], msg, sig), (pk, msg, sig)]) == [False, True]
    with pytest.raises(vrf.InvalidInputType):
        vrf.ed25519_verify("pk", msg, sig)  # type: ignore[arg-type]
    with pytest.raises(vrf.InvalidInputType):
        vrf.ed25519_verify_batch([(pk, msg)])  # type: ignore[list-item]
    assert vrf.ed25519_verify_batch([]) == []


@pytest.mark.parametrize("a_enc", SMALL_CANONICAL + SMALL_NON_CANONICAL)
@pytest.mark.parametrize("r_enc", SMALL_CANONICAL + SMALL_NON_CANONICAL)
def test_small_order_a_and_r_with_s_zero(a_enc: bytes, r_enc: bytes) -> None:
    """ZIP-215: small-order A and R (canonical or not), s = 0: valid for every message
    under the cofactored rule.  libsodium rejects all of them (small-order blocklist)."""
    sig = r_enc + bytes(32)
    assert both(a_enc, b"zip215", sig)
    assert not nacl_ok(a_enc, b"zip215", sig)


def test_torsion_in_r_cofactored_vs_libsodium() -> None:
    t = R.string_to_point(SMALL_CANONICAL[3])
    assert t is not None
    pk, sig = sign_custom(bytes(32), b"hello", r_extra=t)
    assert both(pk, b"hello", sig)  # [8] kills the torsion
    assert not nacl_ok(pk, b"hello", sig)  # libsodium's check is cofactorless


def test_torsion_in_a_mixed_order_key() -> None:
    seed = bytes(range(32))
    a, _ = R.expand_secret(seed)
    t = R.string_to_point(SMALL_CANONICAL[3])
    a_mixed = R.point_to_string(R.point_add(R.scalar_mult(a, R.B), t))  # type: ignore[arg-type]
    pk, sig = sign_custom(seed, b"m", a_enc=a_mixed)
    assert both(pk, b"m", sig)
    assert not nacl_ok(pk, b"m", sig)


def test_non_canonical_r_encoding_of_a_valid_r() -> None:
    """R given as a non-canonical encoding of the same point: k hashes the bytes as given."""
    seed = bytes([7]) * 32
    a, _ = R.expand_secret(seed)
    pk = R.point_to_string(R.scalar_mult(a, R.B))
    # choose R = identity (r = 0 is not RFC 8032's r, but a valid equation): s = k*a
    for r_bytes in (SMALL_CANONICAL[0], SMALL_NON_CANONICAL[0], SMALL_NON_CANONICAL[2]):
        k = int.from_bytes(R._h(r_bytes + pk + b"m"), "little") % R.Q
        sig = r_bytes + (k * a % R.Q).to_bytes(32, "little")
        assert both(pk, b"m", sig)
        assert not nacl_ok(pk, b"m", sig)  # small-order R: rejected by libsodium


def test_batch_random_mix_matches_single() -> None:
    seed = random.randrange(2**32)
    print("seed", seed)
    rng = random.Random(seed)
    items = []
    for i in range(70):
        kind = rng.randrange(6)
        pk, msg, sig = _valid(i % 9)
        if kind == 1:
            msg += b"x"
        elif kind == 2:
            sig = rng.choice(SMALL_CANONICAL + SMALL_NON_CANONICAL) + bytes(32)
            pk = rng.choice(SMALL_CANONICAL + SMALL_NON_CANONICAL)
        elif kind == 3:
            sig = os.urandom(64)
        items.append((pk, msg, sig))
    single = [vrf.ed25519_verify(*it) for it in items]
    assert vrf.ed25519_verify_batch(items) == single
    assert single == [R.ed25519_verify_zip215(*it) for it in items]
