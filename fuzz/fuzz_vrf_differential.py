"""Differential fuzzing: the C core (vrf) against the pure-Python reference (vrf.reference).

Modes, chosen by the first input byte:
  0  key decode + validate on 32 arbitrary bytes
  1  proof_to_hash (decode_proof) on 80 arbitrary bytes
  2  verify of a real proof after byte-level mutation (flip/set bytes in key, proof, alpha)
  3  verify of a real proof with Gamma / key shifted by a small-order point
  4  verify on fully arbitrary key, proof and alpha
  5  prove on a random seed and alpha (rare: the reference is slow)
Any disagreement (accept/reject or output bytes) raises Finding.
"""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import check, main  # noqa: E402

with atheris.instrument_imports():
    import vrf
    from vrf import _lowlevel as ll
    from vrf import reference as ref

SUITES = (3, 4)

# The 8 small-order points (encodings), generated from the reference's order-8 point.
def _small_order() -> list[bytes]:
    # y of a point of order 8 on edwards25519 (a root of the order-8 division polynomial)
    y8 = 0x7A03AC9277FDC74EC6CC392CFA53202A0F67100D760B3CBA4FD84D3D706A17C7
    t = ref.string_to_point(y8.to_bytes(32, "little"))
    assert t is not None
    pts, acc = [], ref.IDENTITY
    for _ in range(8):
        pts.append(ref.point_to_string(acc))
        acc = ref.point_add(acc, t)
    return pts


SMALL = _small_order()

# A few honest (pk, alpha, proof, suite) tuples made once by the C core (checked by the
# reference in tests/test_vrf_vectors.py and in mode 5 here).
BASES = []
for i in range(4):
    sk = vrf.SecretKey(bytes([i + 1]) * 32)
    alpha = bytes(range(i * 7))
    for suite in SUITES:
        BASES.append((sk.public_key.to_bytes(), alpha, sk.prove(alpha, vrf.Suite(suite)), suite))


def _c_verify(pk: bytes, alpha: bytes, pi: bytes, suite: int, validate: bool) -> bytes | None:
    try:
        key = vrf.PublicKey(pk, validate=validate)
        return key.verify(alpha, pi, vrf.Suite(suite), validate_key=validate)
    except (vrf.InvalidKey, vrf.InvalidProof):
        return None


def _compare_verify(pk: bytes, alpha: bytes, pi: bytes, suite: int, validate: bool) -> None:
    c = _c_verify(pk, alpha, pi, suite, validate)
    r = ref.verify(pk, alpha, pi, suite, validate)
    check(c == r, f"verify mismatch: pk={pk.hex()} pi={pi.hex()} alpha={alpha.hex()} suite={suite} "
                  f"validate={validate} c={c is not None} ref={r is not None}")


def TestOneInput(data: bytes) -> None:  # noqa: N802
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 5)
    suite = SUITES[fdp.ConsumeIntInRange(0, 1)]
    if mode == 0:
        pk = fdp.ConsumeBytes(32).ljust(32, b"\0")
        decodes = ref.string_to_point(pk) is not None
        try:
            vrf.PublicKey(pk, validate=False)
            c_decodes = True
        except vrf.InvalidKey:
            c_decodes = False
        check(c_decodes == decodes, f"decode mismatch on {pk.hex()}")
        check(ll.validate_key(pk) == ref.validate_key(pk), f"validate_key mismatch on {pk.hex()}")
    elif mode == 1:
        pi = fdp.ConsumeBytes(80).ljust(80, b"\0")
        try:
            c = vrf.proof_to_hash(pi, vrf.Suite(suite))
        except vrf.InvalidProof:
            c = None
        check(c == ref.proof_to_hash(pi, suite), f"proof_to_hash mismatch on {pi.hex()}")
    elif mode in (2, 3):
        pk, alpha, pi, suite = BASES[fdp.ConsumeIntInRange(0, len(BASES) - 1)]
        buf = bytearray(pk + pi)
        if mode == 2:
            for _ in range(fdp.ConsumeIntInRange(0, 4)):
                pos = fdp.ConsumeIntInRange(0, len(buf) - 1)
                buf[pos] = fdp.ConsumeIntInRange(0, 255)
            if fdp.ConsumeBool():
                alpha = alpha + fdp.ConsumeBytes(3)
        else:
            t = SMALL[fdp.ConsumeIntInRange(0, 7)]
            target = fdp.ConsumeIntInRange(0, 1) * 32  # 0: the key, 32: Gamma
            p = ref.string_to_point(bytes(buf[target:target + 32]))
            if p is not None:
                q = ref.string_to_point(t)
                assert q is not None
                buf[target:target + 32] = ref.point_to_string(ref.point_add(p, q))
        _compare_verify(bytes(buf[:32]), alpha, bytes(buf[32:]), suite, fdp.ConsumeBool())
    elif mode == 4:
        pk = fdp.ConsumeBytes(32).ljust(32, b"\0")
        pi = fdp.ConsumeBytes(80).ljust(80, b"\0")
        _compare_verify(pk, fdp.ConsumeBytes(64), pi, suite, fdp.ConsumeBool())
    else:
        if fdp.ConsumeIntInRange(0, 15):  # keep prove to ~1/16 of mode-5 inputs
            return
        seed = fdp.ConsumeBytes(32).ljust(32, b"\0")
        alpha = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 300))
        sk = vrf.SecretKey(seed)
        check(sk.public_key.to_bytes() == ref.public_key(seed), f"public_key mismatch for seed {seed.hex()}")
        pi = sk.prove(alpha, vrf.Suite(suite))
        check(pi == ref.prove(seed, alpha, suite), f"prove mismatch for seed {seed.hex()} alpha {alpha.hex()}")


if __name__ == "__main__":
    main(TestOneInput)
