"""Batch verification of batch-compatible proofs: the MSM against the reference, results
equal to one-by-one verification (mixed keys and inputs, bad items anywhere), the need for
random coefficients, and the C argument checks."""

from __future__ import annotations

import os
import random

import pytest

import vrf
from vrf import _lowlevel as ll
from vrf import reference as R
from vrf._native import ffi, lib

ELL2 = vrf.Suite.EDWARDS25519_SHA512_ELL2
TAI = vrf.Suite.EDWARDS25519_SHA512_TAI
KEYS = [vrf.SecretKey(bytes([i + 1]) * 32) for i in range(6)]


def _msm(scalars: list[int], points: list[bytes]) -> bytes:
    n = len(points)
    size = lib.seqvrf_debug_msm_scratch_bytes(n)
    scratch = ffi.new("uint8_t[]", size)
    out = ffi.new("uint8_t[32]")
    sc = b"".join(s.to_bytes(32, "little") for s in scalars)
    assert lib.seqvrf_debug_msm(out, sc if n else ffi.NULL, b"".join(points) if n else ffi.NULL, n, scratch,
                                size) == lib.SEQVRF_OK
    return bytes(out)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 17, 64, 300])
def test_msm_matches_reference(n: int) -> None:
    seed = random.randrange(2**32)
    print("seed", seed)
    rng = random.Random(seed)
    pts = [R.scalar_mult(rng.randrange(1, R.Q), R.B) for _ in range(n)]
    # scalars: full range, small, zero, q - 1, and 2^256 - 1 (not reduced)
    scalars = [rng.choice([rng.randrange(2**256), rng.randrange(2**128), 0, R.Q - 1, 2**256 - 1, 1]) for _ in range(n)]
    want = R.IDENTITY
    for s, p in zip(scalars, pts, strict=True):
        want = R.point_add(want, R.scalar_mult(s, p))
    assert _msm(scalars, [R.point_to_string(p) for p in pts]) == R.point_to_string(want)


def test_msm_rejects_short_scratch_and_bad_points() -> None:
    out = ffi.new("uint8_t[32]")
    p = R.point_to_string(R.B)
    size = lib.seqvrf_debug_msm_scratch_bytes(1)
    assert lib.seqvrf_debug_msm(out, bytes(32), p, 1, ffi.new("uint8_t[]", size - 1), size - 1) == lib.SEQVRF_ERR_ARG
    assert lib.seqvrf_debug_msm(out, bytes(32), (2).to_bytes(32, "little"), 1, ffi.new("uint8_t[]", size),
                                size) == lib.SEQVRF_ERR_KEY


def _items(n: int, rng: random.Random) -> list[tuple[vrf.PublicKey, bytes, bytes]]:
    out = []
    for i in range(n):
        sk = KEYS[i % len(KEYS)]
        alpha = rng.randbytes(rng.randrange(0, 20))
        out.append((sk.public_key, alpha, sk.prove(alpha, ELL2, batch_compatible=True)))
    return out


def _single(items: list[tuple[vrf.PublicKey, bytes, bytes]]) -> list[bytes | None]:
    out: list[bytes | None] = []
    for pk, alpha, proof in items:
        try:
            out.append(pk.verify(alpha, proof, ELL2))
        except (vrf.InvalidProof, vrf.InvalidKey):
            out.append(None)
    return out


def test_batch_equals_single_with_bad_items_anywhere() -> None:
    seed = random.randrange(2**32)
    print("seed", seed)
    rng = random.Random(seed)
    items = _items(40, rng)
    good = _single(items)
    assert None not in good
    assert vrf.verify_batch(items, ELL2) == good
    for trial in range(4):
        bad = list(items)
        for j in rng.sample(range(40), trial * 3 + 1):
            pk, alpha, proof = bad[j]
            mode = rng.randrange(3)
            if mode == 0:
                bad[j] = (pk, alpha + b"?", proof)
            elif mode == 1:
                bad[j] = (KEYS[(j + 1) % len(KEYS)].public_key, alpha, proof)  # wrong key
            else:
                s = (int.from_bytes(proof[96:], "little") + 1) % R.Q
                bad[j] = (pk, alpha, proof[:96] + s.to_bytes(32, "little"))
        assert vrf.verify_batch(bad, ELL2) == _single(bad)
        assert vrf.verify_many(bad, ELL2, workers=2) == _single(bad)


def test_all_bad_and_mixed_lengths() -> None:
    rng = random.Random(5)
    items = _items(8, rng)
    bad = [(pk, a + b"x", p) for pk, a, p in items]
    assert vrf.verify_batch(bad, ELL2) == [None] * 8
    mixed = [(pk, a, KEYS[i % len(KEYS)].prove(a, ELL2) if i % 2 else p) for i, (pk, a, p) in enumerate(items)]
    assert vrf.verify_batch(mixed, ELL2) == _single(items)
    small = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
    with_bad_key = [(small, b"a", items[0][2]), *items[1:3], (items[0][0].to_bytes(), items[0][1], items[0][2][:127])]
    assert vrf.verify_batch(with_bad_key, ELL2) == [None, *_single(items[1:3]), None]
    assert vrf.verify_batch([], ELL2) == []
    # TAI proofs through verify_batch: one by one, same answers as verify_many
    tai = [(k.public_key, b"t", k.prove(b"t", TAI)) for k in KEYS]
    assert vrf.verify_batch(tai, TAI) == vrf.verify_many(tai, TAI, workers=1)


def _cancelling_pair() -> list[tuple[vrf.PublicKey, bytes, bytes]]:
    """Two invalid proofs whose U-equation errors are +d*B and -d*B: a combination with equal
    coefficients sums them to zero, a random one does not."""
    d = 12345
    out = []
    for sk, alpha, shift in ((KEYS[0], b"p", d), (KEYS[1], b"q", -d)):
        seed = sk.to_bytes()
        x, _ = R.expand_secret(seed)
        y = R.string_to_point(sk.public_key.to_bytes())
        h = R.encode_to_curve(4, sk.public_key.to_bytes(), alpha)
        gamma = R.scalar_mult(x, h)
        k = R.nonce_generation(seed, R.point_to_string(h))
        u = R.scalar_mult((k + shift) % R.Q, R.B)  # wrong U
        v = R.scalar_mult(k, h)
        c = R.challenge_generation(4, [y, h, gamma, u, v])  # type: ignore[list-item]
        s = (k + c * x) % R.Q
        out.append((sk.public_key, alpha, R.point_to_string(gamma) + R.point_to_string(u) + R.point_to_string(v)
                    + s.to_bytes(32, "little")))
    return out


def test_random_coefficients_are_what_catches_cancelling_errors() -> None:
    pair = _cancelling_pair()
    assert _single(pair) == [None, None]
    keys = [pk._parsed for pk, _, _ in pair]
    alphas = [a for _, a, _ in pair]
    proofs = [p for _, _, p in pair]
    ones = (b"\x01" + bytes(15)) * 4  # z = w = 1 for both: the naive sum cancels
    fooled = ll.verify_batchcompat_batch(keys, alphas, proofs, 4, ones)
    assert fooled[0] is not None and fooled[1] is not None  # ... so fixed coefficients would be unsound
    assert ll.verify_batchcompat_batch(keys, alphas, proofs, 4, os.urandom(64)) == [None, None]
    assert vrf.verify_batch(pair, ELL2) == [None, None]


def test_c_batch_argument_checks() -> None:
    items = _items(3, random.Random(1))
    n = 3
    keys = ffi.new("seqvrf_pubkey *[]", [pk._parsed for pk, _, _ in items])
    proofs = ffi.new("uint8_t[]", b"".join(p for _, _, p in items))
    alphas = b"".join(a for _, a, _ in items)
    offs = [0]
    for _, a, _ in items:
        offs.append(offs[-1] + len(a))
    offsets = ffi.new("size_t[]", offs)
    betas = ffi.new("uint8_t[]", 64 * n)
    st = ffi.new("int[]", n)
    size = lib.seqvrf_verify_batchcompat_batch_scratch_bytes(n)
    scratch = ffi.new("uint8_t[]", size)
    coeffs = os.urandom(32 * n)

    def run(**kw: object) -> int:
        a: dict[str, object] = dict(betas=betas, st=st, keys=keys, proofs=proofs, alphas=alphas, offsets=offsets, n=n,
                                    suite=4, coeffs=coeffs, scratch=scratch, size=size)
        a.update(kw)
        rc: int = lib.seqvrf_verify_batchcompat_batch(a["betas"], a["st"], a["keys"], a["proofs"], a["alphas"],
                                                      a["offsets"], a["n"], a["suite"], a["coeffs"], a["scratch"],
                                                      a["size"])
        return rc

    assert run() == lib.SEQVRF_OK and list(st) == [0, 0, 0]
    for kw in ({"suite": 3}, {"coeffs": ffi.NULL}, {"scratch": ffi.NULL}, {"size": size - 1}, {"betas": proofs},
               {"scratch": proofs, "size": size}, {"keys": ffi.NULL}):
        assert run(**kw) == lib.SEQVRF_ERR_ARG, kw
        assert list(st) == [lib.SEQVRF_ERR_ARG] * 3
    assert run(n=0) == lib.SEQVRF_OK


def test_chunking_keeps_order_and_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls are split into chunks (fresh coefficients each); results stay in item order."""
    import vrf.batch
    import vrf.ed25519

    items = _items(11, random.Random(9))
    items[4] = (items[4][0], items[4][1] + b"!", items[4][2])
    monkeypatch.setattr(vrf.batch, "RLC_CHUNK", 3)
    assert vrf.verify_batch(items, ELL2) == _single(items)
    import nacl.signing

    sk = nacl.signing.SigningKey(bytes(32))
    sigs = [(bytes(sk.verify_key), b"%d" % i, sk.sign(b"%d" % i).signature) for i in range(7)]
    sigs[5] = (sigs[5][0], b"other", sigs[5][2])
    monkeypatch.setattr(vrf.ed25519, "BATCH_CHUNK", 2)
    assert vrf.ed25519_verify_batch(iter(sigs)) == [i != 5 for i in range(7)]
