"""Fuzz the C verify path through the public API: PublicKey parsing, verify and
proof_to_hash on arbitrary bytes.

Input layout (from the fuzzer's bytes): 1 control byte (suite, key validation, s masking),
32 key bytes, 80 proof bytes, the rest is alpha; short inputs are also passed whole
as a key and as a proof so the length checks get exercised.
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

SUITES = (vrf.Suite(3), vrf.Suite(4))


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris convention
    if len(data) < 113:
        for fn in (lambda: vrf.PublicKey(data), lambda: vrf.proof_to_hash(data)):
            try:
                fn()
            except vrf.VRFError:
                pass
        return
    ctl, pk_b, proof, alpha = data[0], data[1:33], data[33:113], data[113:]
    if ctl & 8:  # make s < 2^252 < q so most proofs get past decoding into the full verify
        proof = proof[:79] + bytes([proof[79] & 0x0F])
    suite = SUITES[ctl & 1]
    validate = bool(ctl & 2)
    try:
        beta_unverified = vrf.proof_to_hash(proof, suite)
        check(len(beta_unverified) == 64, "proof_to_hash length")
    except vrf.InvalidProof:
        beta_unverified = None
    try:
        pk = vrf.PublicKey(pk_b, validate=validate)
    except vrf.InvalidKey:
        return
    check(bytes(pk) == pk_b, "PublicKey does not keep its encoding")
    try:
        beta = pk.verify(alpha, proof, suite, validate_key=bool(ctl & 4))
    except (vrf.InvalidProof, vrf.InvalidKey):
        return
    # A proof accepted by verify must decode, and verify's beta is proof_to_hash's.
    check(beta_unverified is not None and beta == beta_unverified, "verify beta != proof_to_hash beta")


if __name__ == "__main__":
    main(TestOneInput)
