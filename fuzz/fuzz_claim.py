"""Fuzz target claim: LeaderClaim.from_bytes and LeaderClaim.from_json (first byte picks which).
Allowed errors: election.ElectionError subclasses; see fuzz/_election.py for the checks."""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports():
    import _election as E  # noqa: N812

    import election

_B = E.bytes_target(election.LeaderClaim.from_bytes)
_J = E.json_target(election.LeaderClaim.from_json, election.LeaderClaim.from_bytes)


def TestOneInput(data: bytes) -> None:  # noqa: N802
    if data[:1] == b'{' or data[:1] == b' ':
        _J(data)
    else:
        _B(data)

if __name__ == "__main__":
    E.run(TestOneInput)
