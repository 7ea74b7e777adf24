"""Fuzz batch verification and the draft-03 suites through the public API.

Input layout: 1 control byte, then items of (32 key bytes, 128 proof bytes, 1 alpha-length
byte, alpha).  Valid proofs (made here from a few fixed keys) are mixed in, some mutated by
the fuzzer's bytes, so the batch and bisection paths see both good and bad items.
Properties checked:
  * vrf.verify_batch (ELL2, 128-byte proofs) == PublicKey.verify one by one;
  * vrf.ed25519_verify_batch == ed25519_verify one by one (keys, messages, signatures cut
    from the same bytes);
  * draft-03 verify on the first 80 proof bytes: accepted => proof_to_hash gives its beta.
Allowed errors: vrf.VRFError subclasses.  Anything else (or a crash in C) is a finding.
"""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import check, main  # noqa: E402

with atheris.instrument_imports():
    import vrf

ELL2 = vrf.Suite.EDWARDS25519_SHA512_ELL2
DRAFT03 = (vrf.Suite.DRAFT03_EDWARDS25519_SHA512_TAI, vrf.Suite.DRAFT03_EDWARDS25519_SHA512_ELL2)
KEYS = [vrf.SecretKey(bytes([i + 1]) * 32) for i in range(3)]
GOOD = [(k.public_key.to_bytes(), b"a%d" % i, k.prove(b"a%d" % i, ELL2, batch_compatible=True))
        for i, k in enumerate(KEYS)]


def _one(pk: bytes, alpha: bytes, proof: bytes, suite: vrf.Suite) -> bytes | None:
    try:
        return vrf.PublicKey(pk).verify(alpha, proof, suite)
    except vrf.VRFError:
        return None


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris convention
    if not data:
        return
    ctl, rest = data[0], data[1:]
    items: list[tuple[bytes, bytes, bytes]] = []
    while len(rest) >= 161 and len(items) < 8:
        pk, proof, alen = rest[:32], rest[32:160], rest[160]
        alpha = rest[161 : 161 + alen]
        rest = rest[161 + alen :]
        if ctl & 1:  # start from a valid proof and xor in the fuzzer's bytes sparsely
            gpk, galpha, gproof = GOOD[len(items) % len(GOOD)]
            mask = bytes(b if i % 29 == ctl % 29 else 0 for i, b in enumerate(proof))
            proof = bytes(a ^ b for a, b in zip(gproof, mask, strict=True))
            pk, alpha = (gpk, galpha) if ctl & 2 else (pk, alpha)
        items.append((pk, alpha, proof))
    items += GOOD[: ctl % 4]
    want = [_one(pk, a, p, ELL2) for pk, a, p in items]
    got = vrf.verify_batch(items, ELL2)
    check(got == want, "verify_batch disagrees with one-by-one verify")
    # Ed25519: same bytes read as (key, message = alpha, signature = proof[:64])
    eds = [(pk, a, p[:64]) for pk, a, p in items]
    check(vrf.ed25519_verify_batch(eds) == [vrf.ed25519_verify(*e) for e in eds], "ed25519 batch != single")
    # draft-03 on the 80-byte prefix
    for pk, a, p in items[:2]:
        suite = DRAFT03[ctl >> 7]
        beta = _one(pk, a, p[:80], suite)
        if beta is not None:
            check(vrf.proof_to_hash(p[:80], suite) == beta, "draft-03 verify beta != proof_to_hash")


if __name__ == "__main__":
    main(TestOneInput)
