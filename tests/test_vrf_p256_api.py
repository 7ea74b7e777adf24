"""The P-256 public API: key objects, conversions through ``cryptography``, suites,
input coercion and secret hygiene; and that the edwards25519 API did not change."""

from __future__ import annotations

import pickle
import traceback

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

import vrf
from vrf import reference as ref

SCALAR = bytes(range(1, 33))
SK = vrf.P256SecretKey(SCALAR)
TAI, SSWU = vrf.Suite.P256_SHA256_TAI, vrf.Suite.P256_SHA256_SSWU


def test_suite_members() -> None:
    assert int(TAI) == 0x01 and int(SSWU) == 0x02
    assert vrf.Suite(1) is TAI and vrf.Suite(2) is SSWU
    assert TAI.rfc_name == "ECVRF-P256-SHA256-TAI" and SSWU.rfc_name == "ECVRF-P256-SHA256-SSWU"
    assert vrf.Suite.EDWARDS25519_SHA512_TAI.rfc_name == "ECVRF-EDWARDS25519-SHA512-TAI"
    assert vrf.Suite.EDWARDS25519_SHA512_ELL2.rfc_name == "ECVRF-EDWARDS25519-SHA512-ELL2"
    assert vrf.DEFAULT_SUITE is vrf.Suite.EDWARDS25519_SHA512_TAI  # unchanged
    assert vrf.DEFAULT_P256_SUITE is TAI


def test_sizes() -> None:
    assert (vrf.PROOF_BYTES, vrf.OUTPUT_BYTES, vrf.PUBLIC_KEY_BYTES, vrf.SEED_BYTES) == (80, 64, 32, 32)
    assert (vrf.P256_PROOF_BYTES, vrf.P256_OUTPUT_BYTES, vrf.P256_PUBLIC_KEY_BYTES) == (81, 32, 33)
    assert vrf.P256_SECRET_KEY_BYTES == 32
    for suite in (TAI, SSWU):
        pi = SK.prove(b"a", suite)
        assert len(pi) == 81 and len(SK.public_key.verify(b"a", pi, suite)) == 32


def test_edwards_api_unchanged() -> None:
    # RFC 9381 example 16 (ECVRF-EDWARDS25519-SHA512-TAI), through the unchanged classes
    sk = vrf.SecretKey(bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
    assert sk.public_key.to_bytes().hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    pi = sk.prove(b"")
    assert pi.hex().startswith("8657106690b5526245a92b003bb079ccd1a92130477671f6fc01ad16f26f723f")
    assert vrf.proof_to_hash(pi) == sk.public_key.verify(b"", pi)
    assert len(vrf.proof_to_hash(pi)) == 64


def test_default_suite_is_tai() -> None:
    assert SK.prove(b"x") == SK.prove(b"x", TAI) != SK.prove(b"x", SSWU)
    assert SK.public_key.verify(b"x", SK.prove(b"x")) == vrf.proof_to_hash(SK.prove(b"x"), TAI)
    assert SK.prove(b"x", 1) == SK.prove(b"x", TAI)  # type: ignore[arg-type]  # the suite byte works too


def test_deterministic_and_input_dependent() -> None:
    assert SK.prove(b"x", SSWU) == SK.prove(b"x", SSWU)
    assert SK.prove(b"x", SSWU) != SK.prove(b"y", SSWU)
    assert SK.public_key.verify(b"x", SK.prove(b"x")) != SK.public_key.verify(b"y", SK.prove(b"y"))


def test_public_key_matches_cryptography() -> None:
    theirs = ec.derive_private_key(int.from_bytes(SCALAR, "big"), ec.SECP256R1()).public_key()
    assert SK.public_key.to_bytes() == theirs.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    assert SK.public_key.to_cryptography().public_numbers() == theirs.public_numbers()
    assert vrf.P256PublicKey.from_cryptography(theirs) == SK.public_key


def test_same_key_as_cryptography_ecdsa() -> None:
    # The converted keys are the same EC key: an ECDSA signature by one verifies under the other.
    # (Only as a check of the conversion: do not sign with a VRF key, see vrf.keys_p256.)
    sig = SK.to_cryptography().sign(b"m", ec.ECDSA(hashes.SHA256()))
    SK.public_key.to_cryptography().verify(sig, b"m", ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        SK.public_key.to_cryptography().verify(sig, b"n", ec.ECDSA(hashes.SHA256()))


def test_secret_pem_der_round_trips() -> None:
    for blob, loader in (
        (SK.to_pem(), vrf.P256SecretKey.from_pem),
        (SK.to_der(), vrf.P256SecretKey.from_der),
    ):
        back = loader(blob)
        assert back.to_bytes() == SCALAR and back.public_key == SK.public_key
    enc = SK.to_pem(b"pw")
    assert b"ENCRYPTED" in enc
    assert vrf.P256SecretKey.from_pem(enc, b"pw").to_bytes() == SCALAR
    assert vrf.P256SecretKey.from_der(SK.to_der(b"pw"), b"pw").to_bytes() == SCALAR
    with pytest.raises(vrf.InvalidKey):
        vrf.P256SecretKey.from_pem(enc, b"wrong")
    with pytest.raises(vrf.InvalidKey):
        vrf.P256SecretKey.from_pem(enc)
    # a SEC1 "EC PRIVATE KEY" PEM, as openssl ecparam writes, loads too
    sec1 = SK.to_cryptography().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    assert b"EC PRIVATE KEY" in sec1 and vrf.P256SecretKey.from_pem(sec1).to_bytes() == SCALAR
    # cryptography reads what we write
    loaded = serialization.load_pem_private_key(SK.to_pem(), None)
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    assert loaded.private_numbers().private_value == int.from_bytes(SCALAR, "big")


def test_public_pem_der_round_trips() -> None:
    pk = SK.public_key
    assert vrf.P256PublicKey.from_pem(pk.to_pem()) == pk
    assert vrf.P256PublicKey.from_der(pk.to_der()) == pk
    assert b"BEGIN PUBLIC KEY" in pk.to_pem()
    assert serialization.load_der_public_key(pk.to_der()).public_numbers() == (  # type: ignore[union-attr]
        pk.to_cryptography().public_numbers()
    )


def test_generate() -> None:
    keys = [vrf.P256SecretKey.generate() for _ in range(4)]
    assert len({k.to_bytes() for k in keys}) == 4
    for k in keys:
        assert 1 <= int.from_bytes(k.to_bytes(), "big") < ref.P256_Q
        assert k.public_key.to_bytes() == ref.p256_public_key(k.to_bytes())


def test_public_key_object() -> None:
    pk = SK.public_key
    same = vrf.P256PublicKey(pk.to_bytes())
    assert pk == same and hash(pk) == hash(same) and bytes(pk) == pk.to_bytes()
    assert pk != vrf.P256SecretKey((7).to_bytes(32, "big")).public_key
    assert pk != vrf.SecretKey(bytes(32)).public_key
    assert repr(pk) == f"vrf.P256PublicKey({pk.to_bytes().hex()!r})"


@pytest.mark.parametrize("wrap", [bytearray, memoryview, lambda b: memoryview(b"xx" + b + b"yy")[2:-2]])
def test_bytes_like_inputs(wrap: object) -> None:
    conv = wrap  # type: ignore[assignment]
    pi = SK.prove(b"alpha")
    assert vrf.P256SecretKey(conv(SCALAR)).to_bytes() == SCALAR  # type: ignore[operator]
    assert SK.prove(conv(b"alpha")) == pi  # type: ignore[operator]
    pk = vrf.P256PublicKey(conv(SK.public_key.to_bytes()))  # type: ignore[operator]
    assert pk.verify(conv(b"alpha"), conv(pi)) == vrf.proof_to_hash(conv(pi), TAI)  # type: ignore[operator]
    assert type(pk.to_bytes()) is bytes


class _Liar(bytes):
    """A bytes subclass whose __len__ and __bytes__ lie about its contents."""

    def __len__(self) -> int:
        return 81

    def __bytes__(self) -> bytes:
        return b"\x02" * 81


def test_bytes_subclass_cannot_lie_about_length() -> None:
    # The real contents (1 byte) are what gets checked: a wrong length, not an over-read.
    for short in (_Liar(b"\x02"), _Liar(b"")):
        with pytest.raises(vrf.InvalidKey):
            vrf.P256PublicKey(short)
        with pytest.raises(vrf.InvalidKey):
            vrf.P256SecretKey(short)
        with pytest.raises(vrf.InvalidProof):
            SK.public_key.verify(b"a", short)
        with pytest.raises(vrf.InvalidProof):
            vrf.proof_to_hash(short, TAI)
        # the edwards25519 classes share the coercion
        with pytest.raises(vrf.InvalidKey):
            vrf.PublicKey(short)
        with pytest.raises(vrf.InvalidKey):
            vrf.SecretKey(short)
    # and a subclass with honest contents works, as exact bytes
    pi = SK.prove(b"a")
    assert SK.public_key.verify(_Liar(b"a"), _Liar(pi)) == vrf.proof_to_hash(pi, TAI)
    assert type(vrf.P256PublicKey(_Liar(SK.public_key.to_bytes())).to_bytes()) is bytes


def _assert_clean(text: str) -> None:
    # the forms of the scalar are computed here, not held in the caller's frame (whose
    # locals a traceback with captured locals would show)
    for form in (SCALAR.hex(), SCALAR.hex().upper(), repr(SCALAR)[2:-1]):
        assert form not in text


def test_secret_hygiene() -> None:
    for text in (repr(SK), str(SK), f"{SK!r}", str([SK])):
        _assert_clean(text)
        assert SK.public_key.to_bytes().hex() in text
    with pytest.raises(TypeError):
        pickle.dumps(SK)
    with pytest.raises(TypeError):
        vars(SK)
    for bad in (lambda: SK.prove("text"), lambda: SK.prove(b"x", 3), lambda: SK.prove(None)):  # type: ignore[arg-type]
        with pytest.raises(vrf.VRFError) as info:
            bad()
        te = traceback.TracebackException.from_exception(info.value, capture_locals=True)
        _assert_clean("".join(te.format()))
    for raw in ((0).to_bytes(32, "big"), ref.P256_Q.to_bytes(32, "big"), SCALAR[:31]):
        with pytest.raises(vrf.InvalidKey) as err:
            vrf.P256SecretKey(raw)
        assert raw.hex() not in str(err.value)


def test_error_hierarchy() -> None:
    with pytest.raises(ValueError):
        vrf.P256PublicKey(bytes(33))
    with pytest.raises(ValueError):
        SK.public_key.verify(b"", bytes(81))
    with pytest.raises(TypeError):
        SK.prove("x")  # type: ignore[arg-type]


def test_verify_from_several_threads_agrees() -> None:
    """The C calls release the GIL and share nothing mutable: threads give the serial results."""
    from concurrent.futures import ThreadPoolExecutor

    keys = [vrf.P256SecretKey((i * 7919 + 3).to_bytes(32, "big")) for i in range(4)]
    items = [(k.public_key, bytes([i]), k.prove(bytes([i]), s), s) for i, k in enumerate(keys) for s in (TAI, SSWU)]
    serial = [pk.verify(a, pi, s) for pk, a, pi, s in items]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda it: it[0].verify(it[1], it[2], it[3]), items * 3))
    assert threaded == serial * 3
    assert len(set(serial)) == len(serial)


def test_public_key_validate_is_a_no_op() -> None:
    SK.public_key.validate()  # every instance decoded, and decoding is the whole of 5.4.5 here
    assert vrf.P256PublicKey(SK.public_key.to_bytes()).validate() is None


def test_p256_suites_are_not_election_suites() -> None:
    from election import ElectionConfig, InvalidConfig

    for suite in (TAI, SSWU, 1, 2):
        with pytest.raises(InvalidConfig, match="expected one of"):
            ElectionConfig(b"chain", suite=suite)  # type: ignore[arg-type]
    assert ElectionConfig(b"chain", suite=vrf.Suite.EDWARDS25519_SHA512_ELL2).suite == 4
