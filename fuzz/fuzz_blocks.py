"""Fuzz target blocks: the slot-safety parsers. The first byte picks one:
0 SignedBlock.from_bytes, 1 SignedHeader.from_bytes, 2 evidence_from_bytes, 3 SignedBlock.from_json.
Allowed errors: election.ElectionError subclasses; accepted input must round-trip exactly."""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports():
    import _election as E  # noqa: N812
    from _common import check

    from election.rules.blocks import SignedBlock
    from election.rules.evidence import evidence_from_bytes, evidence_to_bytes
    from election.rules.headers import SignedHeader

_BLOCK = E.bytes_target(SignedBlock.from_bytes)
_HEADER = E.bytes_target(SignedHeader.from_bytes)
_JSON = E.json_target(SignedBlock.from_json, SignedBlock.from_bytes)


def _evidence(data: bytes) -> None:
    try:
        ev = evidence_from_bytes(data)
    except E.ALLOWED:
        return
    check(evidence_to_bytes(ev) == data, f"evidence_from_bytes accepted a non-canonical encoding: {data.hex()}")


def TestOneInput(data: bytes) -> None:  # noqa: N802
    op, rest = data[:1], data[1:]
    if op == b"\x00":
        _BLOCK(rest)
    elif op == b"\x01":
        _HEADER(rest)
    elif op == b"\x02":
        _evidence(rest)
    else:
        _JSON(rest)


if __name__ == "__main__":
    E.run(TestOneInput)
