"""Every rejection rule of the P-256 suites, one mutation per rule, through the public API
(and the C API's argument checks directly, with outputs zeroed on failure)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import vrf
from vrf import reference as ref
from vrf._native import ffi, lib

P, Q = ref.P256_P, ref.P256_Q
TAI, SSWU = vrf.Suite.P256_SHA256_TAI, vrf.Suite.P256_SHA256_SSWU
SUITES = [TAI, SSWU]
SK = vrf.P256SecretKey((0x1234567890ABCDEF << 100).to_bytes(32, "big"))
PK = SK.public_key
ALPHA = b"slot 42"


def _x_off_curve() -> int:
    x = 0
    while ref.p256_string_to_point(b"\x02" + x.to_bytes(32, "big")) is not None:
        x += 1
    return x


X_OFF = _x_off_curve()
G_X = ref.P256_GX.to_bytes(32, "big")

BAD_POINTS = {
    "prefix 00": b"\x00" + G_X,
    "prefix 01": b"\x01" + G_X,
    "prefix 04": b"\x04" + G_X,
    "prefix 05": b"\x05" + G_X,
    "prefix ff": b"\xff" + G_X,
    "identity, 33 zero bytes": bytes(33),
    "x = p": b"\x02" + P.to_bytes(32, "big"),
    "x = p + 1 (non-canonical 1)": b"\x03" + (P + 1).to_bytes(32, "big"),
    "x = 2^256 - 1": b"\x02" + (2**256 - 1).to_bytes(32, "big"),
    "x not on the curve": b"\x02" + X_OFF.to_bytes(32, "big"),
    "x not on the curve, odd": b"\x03" + X_OFF.to_bytes(32, "big"),
}


def _proof(suite: vrf.Suite) -> bytes:
    return SK.prove(ALPHA, suite)


def test_baseline_is_valid() -> None:
    for suite in SUITES:
        assert len(PK.verify(ALPHA, _proof(suite), suite)) == 32
    assert ref.p256_string_to_point(b"\x02" + G_X) is not None  # the mutations below start from a valid x


# ---- public keys ----


@pytest.mark.parametrize("name", sorted(BAD_POINTS))
def test_invalid_public_key_rejected(name: str) -> None:
    bad = BAD_POINTS[name]
    with pytest.raises(vrf.InvalidKey):
        vrf.P256PublicKey(bad)
    assert lib.seqvrf_p256_validate_key(bad) == lib.SEQVRF_ERR_KEY
    beta = ffi.new("uint8_t[32]", b"\xaa" * 32)
    assert lib.seqvrf_p256_verify(beta, bad, _proof(TAI), ALPHA, len(ALPHA), int(TAI)) == lib.SEQVRF_ERR_KEY
    assert bytes(beta) == bytes(32)
    assert not ref.p256_validate_key(bad)


@pytest.mark.parametrize("length", [0, 1, 32, 34, 65])
def test_public_key_wrong_length(length: int) -> None:
    with pytest.raises(vrf.InvalidKey, match="33 bytes"):
        vrf.P256PublicKey((b"\x02" + G_X + bytes(64))[:length])


def test_uncompressed_public_key_rejected() -> None:
    point = SK.to_cryptography().public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert len(point) == 65
    with pytest.raises(vrf.InvalidKey):
        vrf.P256PublicKey(point)


@pytest.mark.parametrize("value", ["02" * 33, 12345, None, [2] * 33, 1.5])
def test_public_key_wrong_type(value: object) -> None:
    with pytest.raises(vrf.InvalidInputType):
        vrf.P256PublicKey(value)  # type: ignore[arg-type]


# ---- secret keys ----


@pytest.mark.parametrize("x", [0, Q, Q + 1, 2**256 - 1])
def test_secret_scalar_out_of_range(x: int) -> None:
    raw = x.to_bytes(32, "big")
    with pytest.raises(vrf.InvalidKey) as info:
        vrf.P256SecretKey(raw)
    assert raw.hex() not in str(info.value)
    pk = ffi.new("uint8_t[33]", b"\xaa" * 33)
    assert lib.seqvrf_p256_public_key(pk, raw) == lib.SEQVRF_ERR_KEY and bytes(pk) == bytes(33)
    pi = ffi.new("uint8_t[81]", b"\xaa" * 81)
    assert lib.seqvrf_p256_prove(pi, raw, ALPHA, len(ALPHA), int(TAI)) == lib.SEQVRF_ERR_KEY
    assert bytes(pi) == bytes(81)


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_secret_scalar_wrong_length(length: int) -> None:
    with pytest.raises(vrf.InvalidKey, match="32 bytes"):
        vrf.P256SecretKey(b"\x01" * length)


@pytest.mark.parametrize("value", ["01" * 32, 7, None])
def test_secret_scalar_wrong_type(value: object) -> None:
    with pytest.raises(vrf.InvalidInputType):
        vrf.P256SecretKey(value)  # type: ignore[arg-type]


# ---- proofs ----


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("name", sorted(BAD_POINTS))
def test_invalid_gamma_rejected(name: str, suite: vrf.Suite) -> None:
    bad = BAD_POINTS[name] + _proof(suite)[33:]
    with pytest.raises(vrf.InvalidProof):
        PK.verify(ALPHA, bad, suite)
    with pytest.raises(vrf.InvalidProof):
        vrf.proof_to_hash(bad, suite)
    assert ref.p256_verify(PK.to_bytes(), ALPHA, bad, int(suite)) is None


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("s", [Q, Q + 1, 2**256 - 1])
def test_s_not_below_q_rejected(s: int, suite: vrf.Suite) -> None:
    bad = _proof(suite)[:49] + s.to_bytes(32, "big")
    with pytest.raises(vrf.InvalidProof):
        PK.verify(ALPHA, bad, suite)
    with pytest.raises(vrf.InvalidProof):
        vrf.proof_to_hash(bad, suite)


@pytest.mark.parametrize("suite", SUITES)
def test_c_too_long_rejected(suite: vrf.Suite) -> None:
    pi = _proof(suite)
    for bad in (pi[:33] + b"\x00" + pi[33:], pi[:33] + bytes(16) + pi[33:]):  # c of 17 and 32 bytes
        with pytest.raises(vrf.InvalidProof, match="81 bytes"):
            PK.verify(ALPHA, bad, suite)
        with pytest.raises(vrf.InvalidProof, match="81 bytes"):
            vrf.proof_to_hash(bad, suite)


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("length", [0, 1, 33, 80, 82, 97])
def test_proof_wrong_length(length: int, suite: vrf.Suite) -> None:
    bad = (_proof(suite) * 2)[:length]
    with pytest.raises(vrf.InvalidProof):
        PK.verify(ALPHA, bad, suite)
    with pytest.raises(vrf.InvalidProof):
        vrf.proof_to_hash(bad, suite)


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("part", ["gamma_sign", "gamma_x", "c", "s"])
def test_tampered_proof_rejected(part: str, suite: vrf.Suite) -> None:
    pi = bytearray(_proof(suite))
    if part == "gamma_sign":
        pi[0] ^= 1  # -Gamma: still a point, wrong one
    elif part == "gamma_x":
        pi[32] ^= 1
    elif part == "c":
        pi[40] ^= 0x80
    else:
        pi[80] ^= 1
    with pytest.raises(vrf.InvalidProof):
        PK.verify(ALPHA, bytes(pi), suite)


@pytest.mark.parametrize("suite", SUITES)
def test_every_byte_flip_rejected(suite: vrf.Suite) -> None:
    pi = _proof(suite)
    for i in range(81):
        bad = bytearray(pi)
        bad[i] ^= 0x01
        with pytest.raises(vrf.InvalidProof):
            PK.verify(ALPHA, bytes(bad), suite)


@pytest.mark.parametrize("suite", SUITES)
def test_wrong_alpha_key_or_suite_rejected(suite: vrf.Suite) -> None:
    pi = _proof(suite)
    other_key = vrf.P256SecretKey((5).to_bytes(32, "big")).public_key
    other_suite = SSWU if suite == TAI else TAI
    for fn in (
        lambda: PK.verify(ALPHA + b"!", pi, suite),
        lambda: PK.verify(b"", pi, suite),
        lambda: other_key.verify(ALPHA, pi, suite),
        lambda: PK.verify(ALPHA, pi, other_suite),
    ):
        with pytest.raises(vrf.InvalidProof):
            fn()


@pytest.mark.parametrize("suite", SUITES)
def test_identity_u_or_v_is_hashed_as_one_zero_byte(suite: vrf.Suite) -> None:
    """A prover that knows x can use the nonce k = 0 (U = V = identity).  RFC 9381 does not
    forbid it; the identity enters the challenge as SEC1's single 0x00 byte, in C and in
    the reference alike, and the proof verifies in both."""
    x = int.from_bytes(SK.to_bytes(), "big")
    pk = PK.to_bytes()
    h = ref.p256_encode_to_curve(int(suite), pk, ALPHA)
    gamma = ref.p256_mul(x, h)
    c = ref.p256_challenge_generation(int(suite), [ref.p256_string_to_point(pk), h, gamma, None, None])
    pi = ref.p256_point_to_string(gamma) + c.to_bytes(16, "big") + (c * x % Q).to_bytes(32, "big")
    assert ref.p256_verify(pk, ALPHA, pi, int(suite)) is not None
    assert PK.verify(ALPHA, pi, suite) == ref.p256_verify(pk, ALPHA, pi, int(suite)) == SK.public_key.verify(
        ALPHA, _proof(suite), suite
    )  # same beta as the honest proof: beta depends on Gamma only


# ---- types and suites ----


@pytest.mark.parametrize("suite", [vrf.Suite.EDWARDS25519_SHA512_TAI, vrf.Suite.EDWARDS25519_SHA512_ELL2, 3, 4])
def test_edwards_suite_on_p256_key_rejected(suite: object) -> None:
    with pytest.raises(vrf.InvalidInputType, match="not a P-256 suite"):
        SK.prove(ALPHA, suite)  # type: ignore[arg-type]
    with pytest.raises(vrf.InvalidInputType):
        PK.verify(ALPHA, _proof(TAI), suite)  # type: ignore[arg-type]


@pytest.mark.parametrize("suite", [0, 5, 99, -1, True, "P256_SHA256_TAI", None, 1.0])
def test_unknown_suite_rejected(suite: object) -> None:
    with pytest.raises(vrf.InvalidInputType):
        SK.prove(ALPHA, suite)  # type: ignore[arg-type]
    with pytest.raises(vrf.InvalidInputType):
        PK.verify(ALPHA, _proof(TAI), suite)  # type: ignore[arg-type]


@pytest.mark.parametrize("suite", SUITES)
def test_p256_suite_on_edwards_key_rejected(suite: vrf.Suite) -> None:
    sk = vrf.SecretKey(bytes(32))
    with pytest.raises(vrf.InvalidInputType, match="P-256 suite"):
        sk.prove(ALPHA, suite)
    with pytest.raises(vrf.InvalidInputType, match="P-256 suite"):
        sk.public_key.verify(ALPHA, bytes(80), suite)
    with pytest.raises(vrf.InvalidInputType, match="P-256 suite"):
        vrf.verify_many([(sk.public_key, ALPHA, bytes(80))], suite=suite)


def test_proof_of_one_curve_under_the_other() -> None:
    with pytest.raises(vrf.InvalidProof):  # 81 bytes under an edwards suite
        vrf.proof_to_hash(_proof(TAI), vrf.Suite.EDWARDS25519_SHA512_TAI)
    ed = vrf.SecretKey(bytes(32)).prove(ALPHA)
    with pytest.raises(vrf.InvalidProof):  # 80 bytes under a P-256 suite
        vrf.proof_to_hash(ed, TAI)


@pytest.mark.parametrize("bad", ["alpha", 42, None, ["x"]])
def test_wrong_input_types(bad: object) -> None:
    with pytest.raises(vrf.InvalidInputType):
        SK.prove(bad)  # type: ignore[arg-type]
    with pytest.raises(vrf.InvalidInputType):
        PK.verify(bad, _proof(TAI))  # type: ignore[arg-type]
    with pytest.raises(vrf.InvalidInputType):
        PK.verify(ALPHA, bad)  # type: ignore[arg-type]
    with pytest.raises(vrf.InvalidInputType):
        vrf.proof_to_hash(bad, TAI)  # type: ignore[arg-type]


# ---- the C API's own checks (NULLs, suites, unparsed handles), outputs zeroed ----


def test_c_arguments_rechecked() -> None:
    pi = _proof(TAI)
    pk = PK.to_bytes()
    beta = ffi.new("uint8_t[32]", b"\xaa" * 32)
    for suite in (0, 3, 4, 5, -1):
        assert lib.seqvrf_p256_verify(beta, pk, pi, ALPHA, len(ALPHA), suite) == lib.SEQVRF_ERR_ARG
        assert bytes(beta) == bytes(32)
        assert lib.seqvrf_p256_proof_to_hash(beta, pi, suite) == lib.SEQVRF_ERR_ARG
        out = ffi.new("uint8_t[81]", b"\xaa" * 81)
        assert lib.seqvrf_p256_prove(out, SK.to_bytes(), ALPHA, len(ALPHA), suite) == lib.SEQVRF_ERR_ARG
        assert bytes(out) == bytes(81)
    assert lib.seqvrf_p256_verify(beta, ffi.NULL, pi, ALPHA, len(ALPHA), 1) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_p256_verify(beta, pk, ffi.NULL, ALPHA, len(ALPHA), 1) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_p256_verify(beta, pk, pi, ffi.NULL, 5, 1) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_p256_verify(ffi.NULL, pk, pi, ALPHA, len(ALPHA), 1) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_p256_validate_key(ffi.NULL) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_p256_proof_to_hash(beta, ffi.NULL, 1) == lib.SEQVRF_ERR_ARG
    assert bytes(beta) == bytes(32)
    # handles that were never filled in
    blank_pk = ffi.new("seqvrf_p256_pubkey *")
    assert lib.seqvrf_p256_verify_parsed(beta, blank_pk, pi, ALPHA, len(ALPHA), 1) == lib.SEQVRF_ERR_ARG
    blank_sk = ffi.new("seqvrf_p256_secret *")
    out = ffi.new("uint8_t[81]", b"\xaa" * 81)
    assert lib.seqvrf_p256_prove_expanded(out, blank_sk, ALPHA, len(ALPHA), 1) == lib.SEQVRF_ERR_ARG
    assert bytes(out) == bytes(81)
    pko = ffi.new("uint8_t[33]", b"\xaa" * 33)
    assert lib.seqvrf_p256_secret_public_key(pko, blank_sk) == lib.SEQVRF_ERR_ARG and bytes(pko) == bytes(33)
    # an expanded secret that failed is zeroed and unusable
    sk = ffi.new("seqvrf_p256_secret *")
    assert lib.seqvrf_p256_secret_expand(sk, bytes(32)) == lib.SEQVRF_ERR_KEY
    assert bytes(ffi.buffer(sk)) == bytes(ffi.sizeof("seqvrf_p256_secret"))
    # alpha NULL with length 0 is the empty input
    beta2 = ffi.new("uint8_t[32]")
    assert lib.seqvrf_p256_prove(out, SK.to_bytes(), ffi.NULL, 0, 1) == lib.SEQVRF_OK
    assert lib.seqvrf_p256_verify(beta2, pk, out, ffi.NULL, 0, 1) == lib.SEQVRF_OK
    assert bytes(out) == SK.prove(b"")


def test_wiped_secret_cannot_prove() -> None:
    sk = ffi.new("seqvrf_p256_secret *")
    assert lib.seqvrf_p256_secret_expand(sk, SK.to_bytes()) == lib.SEQVRF_OK
    lib.seqvrf_p256_secret_wipe(sk)
    assert bytes(ffi.buffer(sk)) == bytes(ffi.sizeof("seqvrf_p256_secret"))
    out = ffi.new("uint8_t[81]")
    assert lib.seqvrf_p256_prove_expanded(out, sk, ALPHA, len(ALPHA), 1) == lib.SEQVRF_ERR_ARG


def test_ec_key_on_another_curve_rejected() -> None:
    k384 = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(vrf.InvalidKey):
        vrf.P256SecretKey.from_cryptography(k384)
    with pytest.raises(vrf.InvalidKey):
        vrf.P256PublicKey.from_cryptography(k384.public_key())
    pem = k384.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    with pytest.raises(vrf.InvalidKey):
        vrf.P256SecretKey.from_pem(pem)
    with pytest.raises(vrf.InvalidKey):
        vrf.P256PublicKey.from_pem(k384.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    ed_pem = vrf.SecretKey(bytes(32)).to_pem()
    with pytest.raises(vrf.InvalidKey):
        vrf.P256SecretKey.from_pem(ed_pem)
    with pytest.raises(vrf.InvalidKey):
        vrf.P256PublicKey.from_pem(vrf.SecretKey(bytes(32)).public_key.to_pem())
    for junk in (b"", b"-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----\n", b"\x30\x03\x02\x01\x00"):
        with pytest.raises(vrf.InvalidKey):
            vrf.P256PublicKey.from_pem(junk)
        with pytest.raises(vrf.InvalidKey):
            vrf.P256PublicKey.from_der(junk)
        with pytest.raises(vrf.InvalidKey):
            vrf.P256SecretKey.from_der(junk)
