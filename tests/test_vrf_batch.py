"""Batch verification (seqvrf_verify_batch): same results as item-by-item verify, and its C argument checks."""

from __future__ import annotations

import random

import pytest

import vrf
from vrf import _lowlevel as ll
from vrf import batch
from vrf._native import ffi, lib

TAI = vrf.Suite.EDWARDS25519_SHA512_TAI
ELL2 = vrf.Suite.EDWARDS25519_SHA512_ELL2
# Small-order keys (y = 0 decodes to a point of order 4; y = 1 is the identity): parse only without validation.
SMALL_ORDER_KEYS = [bytes(32), b"\x01" + bytes(31)]
NOT_A_POINT = b"\x02" + bytes(31)  # y = 2 has no x on edwards25519


def _mixed_items(rng: random.Random, n: int, suite: vrf.Suite) -> list[batch.Item]:
    """Valid, tampered, wrong-suite, wrong-length, bad-key and other-key items, shuffled."""
    sks = [vrf.SecretKey(rng.randbytes(32)) for _ in range(4)]
    other = ELL2 if suite == TAI else TAI
    items: list[batch.Item] = []
    for i in range(n):
        sk = sks[i % len(sks)]
        alpha = rng.randbytes(rng.randrange(0, 80))
        pi = sk.prove(alpha, suite)
        key: vrf.PublicKey | bytes = sk.public_key if rng.random() < 0.5 else bytes(sk.public_key)
        kind = rng.randrange(10)
        if kind == 1:
            j = rng.randrange(80)
            pi = pi[:j] + bytes([pi[j] ^ (1 << rng.randrange(8))]) + pi[j + 1 :]
        elif kind == 2:
            pi = sk.prove(alpha, other)
        elif kind == 3:
            pi = pi[: rng.choice([0, 79])] if rng.random() < 0.5 else pi + b"\x00"
        elif kind == 4:
            key = rng.choice(SMALL_ORDER_KEYS + [NOT_A_POINT])
        elif kind == 5:
            key = vrf.PublicKey(rng.choice(SMALL_ORDER_KEYS), validate=False)
        elif kind == 6:
            key = sks[(i + 1) % len(sks)].public_key
        elif kind == 7:
            alpha += b"x"
        items.append((key, alpha, pi))
    return items


def _serial(items: list[batch.Item], suite: vrf.Suite) -> list[bytes | None]:
    out: list[bytes | None] = []
    for key, alpha, pi in items:
        try:
            pk = key if isinstance(key, vrf.PublicKey) else vrf.PublicKey(key)
            out.append(pk.verify(alpha, pi, suite))
        except (vrf.InvalidProof, vrf.InvalidKey):
            out.append(None)
    return out


@pytest.mark.parametrize("suite", [TAI, ELL2])
def test_batch_equals_per_item_verify(rng: random.Random, suite: vrf.Suite) -> None:
    items = _mixed_items(rng, 300, suite)
    serial = _serial(items, suite)
    assert any(b is None for b in serial) and any(b is not None for b in serial)
    for workers in (1, 2, 3):
        assert vrf.verify_many(items, suite=suite, workers=workers) == serial


@pytest.mark.parametrize("n_delta", ["zero", "one", "minus", "exact", "plus", "two_plus"])
def test_sub_chunk_boundaries(rng: random.Random, n_delta: str) -> None:
    size = batch.SUB_CHUNK
    n = {"zero": 0, "one": 1, "minus": size - 1, "exact": size, "plus": size + 1, "two_plus": 2 * size + 1}[n_delta]
    items = _mixed_items(rng, n, TAI)
    serial = _serial(items, TAI)
    assert batch._verify_chunk(batch._prepare(items), int(TAI)) == serial
    assert vrf.verify_many(items, suite=TAI, workers=1) == serial


def test_lowlevel_batch_none_keys_and_lengths(rng: random.Random) -> None:
    sk = vrf.SecretKey(rng.randbytes(32))
    parsed = ll.parse_public_key(bytes(sk.public_key), validate=True)
    pi = sk.prove(b"a", TAI)
    beta = vrf.proof_to_hash(pi)
    keys = [parsed, None, parsed, parsed]
    got = ll.verify_parsed_batch(keys, [b"a", b"a", b"a", b"b"], [pi, pi, pi[:79], pi], int(TAI))
    assert got == [beta, None, None, None]
    assert ll.verify_parsed_batch([], [], [], int(TAI)) == []
    with pytest.raises(vrf.InvalidInputType):
        ll.verify_parsed_batch([parsed], [], [pi], int(TAI))


# ---- the C function's own argument checks (the Python layer never sends these) ----


class _Call:
    """Arrays for a direct seqvrf_verify_batch call on n copies of one valid item."""

    def __init__(self, n: int, alpha: bytes = b"abc") -> None:
        sk = vrf.SecretKey(bytes(range(32)))
        self.key = ffi.new("seqvrf_pubkey *")
        assert lib.seqvrf_pubkey_parse(self.key, bytes(sk.public_key), 1) == lib.SEQVRF_OK
        self.beta = vrf.proof_to_hash(sk.prove(alpha, TAI))
        self.n = n
        self.betas = ffi.new("uint8_t[]", max(n, 1) * 64)
        ffi.memmove(self.betas, b"\xaa" * (max(n, 1) * 64), max(n, 1) * 64)
        self.statuses = ffi.new("int[]", [7] * max(n, 1))
        self.keys = ffi.new("seqvrf_pubkey *[]", [self.key] * max(n, 1))
        self.proofs = ffi.new("uint8_t[]", sk.prove(alpha, TAI) * max(n, 1))
        self.alphas = ffi.new("uint8_t[]", alpha * max(n, 1))
        self.offsets = ffi.new("size_t[]", [i * len(alpha) for i in range(max(n, 1) + 1)])

    def run(self, **override: object) -> int:
        args = {"betas": self.betas, "statuses": self.statuses, "keys": self.keys, "proofs": self.proofs,
                "alphas": self.alphas, "offsets": self.offsets, "n": self.n, "suite": 3}
        args.update(override)
        rc: int = lib.seqvrf_verify_batch(args["betas"], args["statuses"], args["keys"], args["proofs"],
                                          args["alphas"], args["offsets"], args["n"], args["suite"])
        return rc

    def status_list(self) -> list[int]:
        return [self.statuses[i] for i in range(self.n)]

    def betas_zeroed(self) -> bool:
        return ffi.buffer(self.betas, self.n * 64)[:] == bytes(self.n * 64)


def test_c_batch_valid_call() -> None:
    c = _Call(3)
    assert c.run() == lib.SEQVRF_OK
    assert c.status_list() == [lib.SEQVRF_OK] * 3
    assert ffi.buffer(c.betas, 3 * 64)[:] == c.beta * 3
    assert c.run(n=0) == lib.SEQVRF_OK
    assert c.run(n=0, betas=ffi.NULL, statuses=ffi.NULL, keys=ffi.NULL, proofs=ffi.NULL, alphas=ffi.NULL,
                 offsets=ffi.NULL) == lib.SEQVRF_OK


@pytest.mark.parametrize("which", ["betas", "keys", "proofs", "alphas", "offsets"])
def test_c_batch_null_arrays(which: str) -> None:
    c = _Call(3)
    assert c.run(**{which: ffi.NULL}) == lib.SEQVRF_ERR_ARG
    assert c.status_list() == [lib.SEQVRF_ERR_ARG] * 3
    if which != "betas":
        assert c.betas_zeroed()


def test_c_batch_null_statuses_and_empty_alphas() -> None:
    c = _Call(2)
    assert c.run(statuses=ffi.NULL) == lib.SEQVRF_ERR_ARG
    assert c.betas_zeroed()
    e = _Call(2, alpha=b"")  # every alpha empty: NULL alphas is allowed
    assert e.run(alphas=ffi.NULL) == lib.SEQVRF_OK
    assert e.status_list() == [lib.SEQVRF_OK] * 2


def test_c_batch_bad_offsets_and_suite() -> None:
    c = _Call(3)
    for offsets in ([0, 3, 2, 9], [1, 3, 6, 9]):
        assert c.run(offsets=ffi.new("size_t[]", offsets)) == lib.SEQVRF_ERR_ARG
        assert c.status_list() == [lib.SEQVRF_ERR_ARG] * 3 and c.betas_zeroed()
    for suite in (0, 5, -1):
        c = _Call(3)
        assert c.run(suite=suite) == lib.SEQVRF_ERR_ARG
        assert c.status_list() == [lib.SEQVRF_ERR_ARG] * 3 and c.betas_zeroed()
    c = _Call(3)
    assert c.run(suite=4) == lib.SEQVRF_OK  # a TAI proof under ELL2: each item fails, the call is fine
    assert c.status_list() == [lib.SEQVRF_ERR_PROOF] * 3 and c.betas_zeroed()


def test_c_batch_per_item_bad_keys() -> None:
    c = _Call(4)
    junk = ffi.new("seqvrf_pubkey *")  # zeroed: no magic tag
    c.keys[1] = ffi.NULL
    c.keys[2] = junk
    assert c.run() == lib.SEQVRF_OK
    assert c.status_list() == [lib.SEQVRF_OK, lib.SEQVRF_ERR_ARG, lib.SEQVRF_ERR_ARG, lib.SEQVRF_OK]
    out = ffi.buffer(c.betas, 4 * 64)[:]
    assert out == c.beta + bytes(128) + c.beta
