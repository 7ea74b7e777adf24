"""The public vrf API: keys, PEM, derivation, repr hygiene, verify_many."""

from __future__ import annotations

import pickle
import threading

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from nacl.signing import SigningKey

import vrf

TAI = vrf.Suite.EDWARDS25519_SHA512_TAI
ELL2 = vrf.Suite.EDWARDS25519_SHA512_ELL2


def test_suite_enum() -> None:
    assert int(TAI) == 3 and int(ELL2) == 4
    assert vrf.DEFAULT_SUITE is TAI
    assert TAI.rfc_name == "ECVRF-EDWARDS25519-SHA512-TAI"
    assert ELL2.rfc_name == "ECVRF-EDWARDS25519-SHA512-ELL2"


def test_public_key_equals_ed25519_public_key(rng) -> None:  # type: ignore[no-untyped-def]
    for _ in range(20):
        seed = rng.randbytes(32)
        pk = bytes(vrf.SecretKey(seed).public_key)
        assert pk == bytes(SigningKey(seed).verify_key)
        assert pk == ed25519.Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )


def test_generate_gives_distinct_working_keys() -> None:
    a, b = vrf.SecretKey.generate(), vrf.SecretKey.generate()
    assert a.to_bytes() != b.to_bytes()
    assert a.public_key.verify(b"m", a.prove(b"m")) == vrf.proof_to_hash(a.prove(b"m"))


def test_prove_is_deterministic_and_suites_differ() -> None:
    sk = vrf.SecretKey(b"\x07" * 32)
    assert sk.prove(b"a") == sk.prove(b"a")
    assert sk.prove(b"a", TAI) != sk.prove(b"a", ELL2)
    assert sk.public_key.verify(b"a", sk.prove(b"a", ELL2), ELL2) == vrf.proof_to_hash(sk.prove(b"a", ELL2), ELL2)


def test_empty_and_long_alpha() -> None:
    sk = vrf.SecretKey(b"\x09" * 32)
    for alpha in (b"", bytes(100_000)):
        for suite in (TAI, ELL2):
            pi = sk.prove(alpha, suite)
            assert sk.public_key.verify(alpha, pi, suite) == vrf.proof_to_hash(pi, suite)


def test_secret_key_never_in_repr_or_pickle() -> None:
    seed = bytes.fromhex("aa" * 32)
    sk = vrf.SecretKey(seed)
    for text in (repr(sk), str(sk), f"{sk!r}", f"{sk}"):
        assert "aa" * 16 not in text
        assert bytes(sk.public_key).hex() in text
    with pytest.raises(TypeError):
        pickle.dumps(sk)


def test_pem_round_trip_plain_and_encrypted() -> None:
    sk = vrf.SecretKey(b"\x11" * 32)
    pem = sk.to_pem()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert vrf.SecretKey.from_pem(pem).to_bytes() == sk.to_bytes()
    enc = sk.to_pem(password=b"hunter2")
    assert b"ENCRYPTED" in enc
    assert vrf.SecretKey.from_pem(enc, password=b"hunter2").to_bytes() == sk.to_bytes()
    with pytest.raises(vrf.InvalidKey):
        vrf.SecretKey.from_pem(enc, password=b"wrong")
    with pytest.raises(vrf.InvalidKey):
        vrf.SecretKey.from_pem(b"not a pem")
    pub = sk.public_key.to_pem()
    assert vrf.PublicKey.from_pem(pub) == sk.public_key
    with pytest.raises(vrf.InvalidKey):
        vrf.PublicKey.from_pem(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")


def test_pem_of_other_key_type_rejected() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1())
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(vrf.InvalidKey, match="Ed25519"):
        vrf.SecretKey.from_pem(pem)
    pub = other.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(vrf.InvalidKey, match="Ed25519"):
        vrf.PublicKey.from_pem(pub)


def test_derive_is_deterministic_and_domain_separated() -> None:
    ident = b"\x42" * 32
    a = vrf.SecretKey.derive(ident, b"chain-1/sequencer")
    assert a.to_bytes() == vrf.SecretKey.derive(ident, b"chain-1/sequencer").to_bytes()
    assert a.to_bytes() != vrf.SecretKey.derive(ident, b"chain-2/sequencer").to_bytes()
    assert a.to_bytes() != ident
    # Never the identity key itself, whose Ed25519 nonces must not meet the VRF's.
    assert a.public_key != vrf.SecretKey(ident).public_key
    with pytest.raises(vrf.InvalidKey, match="at least 32"):
        vrf.SecretKey.derive(b"short", b"x")
    with pytest.raises(vrf.InvalidKey, match="65535"):
        vrf.SecretKey.derive(ident, bytes(70000))


def test_public_key_equality_hash_and_bytes() -> None:
    pk = vrf.SecretKey(b"\x01" * 32).public_key
    same = vrf.PublicKey(bytes(pk))
    assert pk == same and hash(pk) == hash(same) and len({pk, same}) == 1
    assert pk.to_bytes() == bytes(pk)
    assert pk != vrf.SecretKey(b"\x02" * 32).public_key
    assert (pk == b"x") is False


def _items(n: int, suite: vrf.Suite) -> list[tuple[vrf.PublicKey | bytes, bytes, bytes]]:
    keys = [vrf.SecretKey(bytes([i]) * 32) for i in range(1, 5)]
    items: list[tuple[vrf.PublicKey | bytes, bytes, bytes]] = []
    for i in range(n):
        sk = keys[i % len(keys)]
        alpha = i.to_bytes(4, "big")
        pi = sk.prove(alpha, suite)
        if i % 7 == 3:
            pi = pi[:40] + bytes([pi[40] ^ 1]) + pi[41:]  # tamper c
        key: vrf.PublicKey | bytes = sk.public_key if i % 2 else bytes(sk.public_key)
        items.append((key, alpha, pi))
    return items


@pytest.mark.parametrize("suite", [TAI, ELL2])
def test_verify_many_matches_serial(suite: vrf.Suite) -> None:
    items = _items(120, suite)
    serial = []
    for key, alpha, pi in items:
        pk = key if isinstance(key, vrf.PublicKey) else vrf.PublicKey(key)
        try:
            serial.append(pk.verify(alpha, pi, suite))
        except vrf.InvalidProof:
            serial.append(None)
    assert sum(b is None for b in serial) == len([i for i in range(120) if i % 7 == 3])
    for workers in (1, 2, 4):
        assert vrf.verify_many(items, suite=suite, workers=workers) == serial
    assert vrf.verify_many(iter(items), suite=suite) == serial


def test_verify_many_from_several_threads_agrees() -> None:
    items = _items(80, TAI)
    expected = vrf.verify_many(items, workers=1)
    results: list[list[bytes | None]] = []
    lock = threading.Lock()

    def run() -> None:
        r = vrf.verify_many(items, workers=2)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r == expected for r in results)


def test_verify_many_bad_inputs() -> None:
    sk = vrf.SecretKey(b"\x05" * 32)
    pi = sk.prove(b"a")
    assert vrf.verify_many([]) == []
    assert vrf.verify_many([(b"\x00" * 31, b"a", pi)], workers=1) == [None]
    with pytest.raises(vrf.InvalidInputType):
        vrf.verify_many([(sk.public_key, "a", pi)])  # type: ignore[list-item]
    with pytest.raises(vrf.InvalidInputType):
        vrf.verify_many([(sk.public_key, b"a")])  # type: ignore[list-item]
    with pytest.raises(vrf.InvalidInputType):
        vrf.verify_many([(sk.public_key, b"a", pi)], workers=0)
    with pytest.raises(vrf.InvalidInputType):
        vrf.verify_many([(sk.public_key, b"a", pi)], suite=9)  # type: ignore[arg-type]
