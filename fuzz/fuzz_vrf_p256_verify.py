"""Fuzz the P-256 verify path through the public API: P256PublicKey parsing, verify and
proof_to_hash on arbitrary bytes, plus mutations of honest proofs, with the reference as
an oracle on a sample of inputs.

Input layout: 1 control byte, 33 key bytes, 81 proof bytes, the rest is alpha.
  ctl & 1     suite (TAI / SSWU)
  ctl & 2     clear the top bit of s, so most proofs get past decoding into the full verify
  ctl & 4     force the key prefix to 0x02/0x03, so more keys decode
  ctl & 0x10  XOR the key/proof/alpha bytes into an honest (key, proof, alpha) triple instead
  ctl & 0xA8  (all three bits) also run the pure-Python reference: same verdict and beta (slow)
  ctl & 0x40  which honest key (with 0x10)
Short inputs are also passed whole as a key and as a proof so the length checks get exercised.
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
    from vrf import reference as ref

SUITES = (vrf.Suite.P256_SHA256_TAI, vrf.Suite.P256_SHA256_SSWU)
_KEYS = [vrf.P256SecretKey((n * 0x1F2E3D4C5B6A7988 + 1).to_bytes(32, "big")) for n in (1, 2)]
HONEST = [(k.public_key.to_bytes(), k.prove(b"fuzz", s), b"fuzz") for k in _KEYS for s in SUITES]


def _xor(base: bytes, data: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(base, data.ljust(len(base), b"\x00"), strict=False))


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris convention
    if len(data) < 115:
        for fn in (lambda: vrf.P256PublicKey(data), lambda: vrf.proof_to_hash(data, SUITES[len(data) & 1])):
            try:
                fn()
            except vrf.VRFError:
                pass
        return
    ctl, pk_b, proof, alpha = data[0], data[1:34], data[34:115], data[115:]
    suite = SUITES[ctl & 1]
    if ctl & 0x10:
        hpk, hpi, halpha = HONEST[2 * ((ctl >> 6) & 1) + (ctl & 1)]  # same suite as ctl & 1
        pk_b, proof, alpha = _xor(hpk, pk_b), _xor(hpi, proof), _xor(halpha, alpha)
    if ctl & 2:
        proof = proof[:49] + bytes([proof[49] & 0x7F]) + proof[50:]
    if ctl & 4:
        pk_b = bytes([2 | (pk_b[0] & 1)]) + pk_b[1:]
    try:
        beta_unverified: bytes | None = vrf.proof_to_hash(proof, suite)
        check(beta_unverified is not None and len(beta_unverified) == 32, "proof_to_hash length")
    except vrf.InvalidProof:
        beta_unverified = None
    try:
        pk = vrf.P256PublicKey(pk_b)
    except vrf.InvalidKey:
        if ctl & 0xA8 == 0xA8:
            check(not ref.p256_validate_key(pk_b), "C rejects a key the reference accepts")
        return
    check(bytes(pk) == pk_b, "P256PublicKey does not keep its encoding")
    try:
        beta: bytes | None = pk.verify(alpha, proof, suite)
    except vrf.InvalidProof:
        beta = None
    if beta is not None:
        # A proof accepted by verify must decode, and verify's beta is proof_to_hash's.
        check(beta == beta_unverified, "verify beta != proof_to_hash beta")
    if ctl & 0xA8 == 0xA8:
        check(beta == ref.p256_verify(pk_b, alpha, proof, int(suite)), "C and reference disagree on verify")
        check(beta_unverified == ref.p256_proof_to_hash(proof, int(suite)), "C and reference disagree on beta")


if __name__ == "__main__":
    main(TestOneInput)
