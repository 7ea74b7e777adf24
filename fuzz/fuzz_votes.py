"""Fuzz target votes: TimeoutVote and TimeoutCertificate, from_bytes and from_json (first byte picks).
Allowed errors: election.ElectionError subclasses; see fuzz/_election.py for the checks."""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports():
    import _election as E  # noqa: N812

    import election

_T = [
    E.bytes_target(election.TimeoutVote.from_bytes),
    E.json_target(election.TimeoutVote.from_json, election.TimeoutVote.from_bytes),
    E.bytes_target(election.TimeoutCertificate.from_bytes),
    E.json_target(election.TimeoutCertificate.from_json, election.TimeoutCertificate.from_bytes),
]


def TestOneInput(data: bytes) -> None:  # noqa: N802
    if not data:
        return
    _T[data[0] % 4](data[1:])

if __name__ == "__main__":
    E.run(TestOneInput)
