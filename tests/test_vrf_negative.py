"""Every RFC 9381 rejection rule, one mutation each, on the C core and the reference."""

from __future__ import annotations

import pytest

import vrf
from vrf import reference as R

TAI = vrf.Suite.EDWARDS25519_SHA512_TAI
ELL2 = vrf.Suite.EDWARDS25519_SHA512_ELL2
SUITES = [TAI, ELL2]

P = R.P
Q = R.Q

# The eight points of small order (the torsion subgroup), canonically encoded.
SMALL_ORDER = [
    bytes.fromhex(h)
    for h in (
        "0100000000000000000000000000000000000000000000000000000000000000",  # identity
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # (0, -1), order 2
        "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
        "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
    )
]


def enc_y(y: int, sign: int = 0) -> bytes:
    return (y | (sign << 255)).to_bytes(32, "little")


def _not_on_curve() -> bytes:
    for y in range(2, 1000):
        if R.string_to_point(enc_y(y)) is None:
            return enc_y(y)
    raise AssertionError("unreachable")


# Encodings that must never decode: y >= p (non-canonical), x = 0 with the sign bit set,
# and a y with no matching x.
NON_CANONICAL = {
    "y=p (non-canonical 0)": enc_y(P),
    "y=p+1 (non-canonical identity)": enc_y(P + 1),
    "y=2^255-1": enc_y(2**255 - 1),
    "identity with sign bit": enc_y(1, 1),
    "(0,-1) with sign bit": enc_y(P - 1, 1),
    "not on curve": _not_on_curve(),
}


@pytest.fixture(scope="module")
def good() -> tuple[vrf.SecretKey, bytes]:
    sk = vrf.SecretKey(bytes(range(32)))
    return sk, b"seqvrf negative tests"


def test_small_order_points_really_are_small_order() -> None:
    assert len(set(SMALL_ORDER)) == 8
    for enc in SMALL_ORDER:
        pt = R.string_to_point(enc)
        assert pt is not None
        assert R.point_equal(R.scalar_mult(8, pt), R.IDENTITY)


@pytest.mark.parametrize("enc", SMALL_ORDER, ids=[e.hex()[:8] + e.hex()[-2:] for e in SMALL_ORDER])
def test_small_order_public_keys_rejected(enc: bytes, good: tuple[vrf.SecretKey, bytes]) -> None:
    with pytest.raises(vrf.InvalidKey, match="small order"):
        vrf.PublicKey(enc)
    pk = vrf.PublicKey(enc, validate=False)  # decodes, but is not a valid VRF key
    with pytest.raises(vrf.InvalidKey):
        pk.validate()
    with pytest.raises(vrf.InvalidKey):
        pk.verify(b"x", good[0].prove(b"x"))
    assert not R.validate_key(enc)
    assert vrf.verify_many([(enc, b"x", good[0].prove(b"x"))], workers=1) == [None]


@pytest.mark.parametrize("name", sorted(NON_CANONICAL))
def test_non_canonical_public_keys_rejected(name: str) -> None:
    enc = NON_CANONICAL[name]
    with pytest.raises(vrf.InvalidKey, match="canonical"):
        vrf.PublicKey(enc)
    with pytest.raises(vrf.InvalidKey):
        vrf.PublicKey(enc, validate=False)
    assert R.string_to_point(enc) is None


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("name", sorted(NON_CANONICAL))
def test_non_canonical_gamma_rejected(name: str, suite: vrf.Suite, good: tuple[vrf.SecretKey, bytes]) -> None:
    sk, alpha = good
    pi = NON_CANONICAL[name] + sk.prove(alpha, suite)[32:]
    with pytest.raises(vrf.InvalidProof):
        sk.public_key.verify(alpha, pi, suite)
    with pytest.raises(vrf.InvalidProof):
        vrf.proof_to_hash(pi, suite)
    assert R.verify(bytes(sk.public_key), alpha, pi, int(suite)) is None
    assert R.proof_to_hash(pi, int(suite)) is None


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("s", [Q, Q + 1, 2**256 - 1, Q + (Q // 2)], ids=["q", "q+1", "2^256-1", "1.5q"])
def test_s_not_below_q_rejected(s: int, suite: vrf.Suite, good: tuple[vrf.SecretKey, bytes]) -> None:
    sk, alpha = good
    pi = sk.prove(alpha, suite)
    bad = pi[:48] + s.to_bytes(32, "little")
    with pytest.raises(vrf.InvalidProof):
        sk.public_key.verify(alpha, bad, suite)
    with pytest.raises(vrf.InvalidProof):
        vrf.proof_to_hash(bad, suite)
    assert R.decode_proof(bad) is None


@pytest.mark.parametrize("suite", SUITES)
def test_s_plus_q_of_valid_proof_rejected(suite: vrf.Suite, good: tuple[vrf.SecretKey, bytes]) -> None:
    # s + q is the same scalar mod q: accepting it would make proofs malleable in s.
    sk, alpha = good
    pi = sk.prove(alpha, suite)
    s = int.from_bytes(pi[48:], "little")
    bad = pi[:48] + (s + Q).to_bytes(32, "little")
    assert s + Q < 2**256
    with pytest.raises(vrf.InvalidProof):
        sk.public_key.verify(alpha, bad, suite)


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("part", ["gamma", "c", "s"])
def test_tampered_proof_rejected(part: str, suite: vrf.Suite, good: tuple[vrf.SecretKey, bytes]) -> None:
    sk, alpha = good
    pi = bytearray(sk.prove(alpha, suite))
    offset = {"gamma": 0, "c": 32, "s": 48}[part]
    pi[offset] ^= 0x01
    with pytest.raises(vrf.InvalidProof):
        sk.public_key.verify(alpha, bytes(pi), suite)
    assert R.verify(bytes(sk.public_key), alpha, bytes(pi), int(suite)) is None


@pytest.mark.parametrize("suite", SUITES)
def test_identity_gamma_rejected(suite: vrf.Suite, good: tuple[vrf.SecretKey, bytes]) -> None:
    sk, alpha = good
    pi = SMALL_ORDER[0] + sk.prove(alpha, suite)[32:]
    with pytest.raises(vrf.InvalidProof):
        sk.public_key.verify(alpha, pi, suite)


@pytest.mark.parametrize("suite", SUITES)
def test_wrong_alpha_key_or_suite_rejected(suite: vrf.Suite, good: tuple[vrf.SecretKey, bytes]) -> None:
    sk, alpha = good
    pi = sk.prove(alpha, suite)
    other = vrf.SecretKey(bytes(31) + b"\x01").public_key
    with pytest.raises(vrf.InvalidProof):
        sk.public_key.verify(alpha + b"!", pi, suite)
    with pytest.raises(vrf.InvalidProof):
        other.verify(alpha, pi, suite)
    with pytest.raises(vrf.InvalidProof):
        sk.public_key.verify(alpha, pi, TAI if suite == ELL2 else ELL2)


@pytest.mark.parametrize("suite", SUITES)
def test_small_order_component_on_gamma_changes_proof_not_beta(
    suite: vrf.Suite, good: tuple[vrf.SecretKey, bytes]
) -> None:
    # RFC 9381 proofs are not unique: Gamma + T for T of order 8 has the same 8*Gamma,
    # so the same beta. Patching Gamma alone breaks c, but a prover who knows x can pick
    # c mod 8 in advance and succeed after about 8 tries: only beta is unique, never use
    # proof bytes as identifiers.
    sk, alpha = good
    pi = sk.prove(alpha, suite)
    gamma = R.string_to_point(pi[:32])
    t = R.string_to_point(SMALL_ORDER[4])
    assert gamma is not None and t is not None
    shifted = R.point_to_string(R.point_add(gamma, t)) + pi[32:]
    assert shifted != pi
    assert vrf.proof_to_hash(shifted, suite) == vrf.proof_to_hash(pi, suite)
    with pytest.raises(vrf.InvalidProof):
        sk.public_key.verify(alpha, shifted, suite)


@pytest.mark.parametrize("n", [0, 31, 33, 64])
def test_wrong_key_lengths(n: int) -> None:
    with pytest.raises(vrf.InvalidKey, match=f"32 bytes, got {n}"):
        vrf.PublicKey(bytes(n))
    with pytest.raises(vrf.InvalidKey, match=f"32 bytes, got {n}"):
        vrf.SecretKey(bytes(n))


@pytest.mark.parametrize("n", [0, 79, 81, 160])
def test_wrong_proof_lengths(n: int, good: tuple[vrf.SecretKey, bytes]) -> None:
    sk, alpha = good
    with pytest.raises(vrf.InvalidProof, match=f"80 bytes, got {n}"):
        sk.public_key.verify(alpha, bytes(n))
    with pytest.raises(vrf.InvalidProof, match=f"80 bytes, got {n}"):
        vrf.proof_to_hash(bytes(n))
    assert vrf.verify_many([(sk.public_key, alpha, bytes(n))], workers=1) == [None]


@pytest.mark.parametrize("bad", ["text", 12, None, 3.5, [1, 2]])
def test_wrong_types_raise_typed_errors(bad: object, good: tuple[vrf.SecretKey, bytes]) -> None:
    sk, alpha = good
    pi = sk.prove(alpha)
    with pytest.raises(vrf.InvalidInputType):
        vrf.PublicKey(bad)  # type: ignore[arg-type]
    with pytest.raises(vrf.InvalidInputType):
        vrf.SecretKey(bad)  # type: ignore[arg-type]
    with pytest.raises(vrf.InvalidInputType):
        sk.prove(bad)  # type: ignore[arg-type]
    with pytest.raises(vrf.InvalidInputType):
        sk.public_key.verify(bad, pi)  # type: ignore[arg-type]
    with pytest.raises(vrf.InvalidInputType):
        sk.public_key.verify(alpha, bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # InvalidInputType is a TypeError too
        vrf.proof_to_hash(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("suite", [0, 1, 2, 5, 255, -1, True, "TAI", None])
def test_unknown_suites_rejected(suite: object, good: tuple[vrf.SecretKey, bytes]) -> None:
    sk, alpha = good
    with pytest.raises(vrf.InvalidInputType, match="suite"):
        sk.prove(alpha, suite)  # type: ignore[arg-type]
    with pytest.raises(vrf.InvalidInputType, match="suite"):
        sk.public_key.verify(alpha, sk.prove(alpha), suite)  # type: ignore[arg-type]


def test_bytes_like_inputs_accepted(good: tuple[vrf.SecretKey, bytes]) -> None:
    sk, alpha = good
    pi = sk.prove(bytearray(alpha))
    assert pi == sk.prove(memoryview(alpha))
    assert sk.public_key.verify(memoryview(alpha), bytearray(pi)) == vrf.proof_to_hash(pi)
