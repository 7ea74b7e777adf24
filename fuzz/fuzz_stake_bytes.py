"""Fuzz target stake_bytes: StakeTable.from_bytes (canonical binary encoding).
Allowed errors: election.ElectionError subclasses; see fuzz/_election.py for the checks."""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports():
    import _election as E  # noqa: N812

    import election

TestOneInput = E.bytes_target(election.StakeTable.from_bytes)

if __name__ == "__main__":
    E.run(TestOneInput)
