"""Fuzz target genesis: GenesisFile.from_json (audit genesis file).
Allowed errors: election.ElectionError subclasses; see fuzz/_election.py for the checks."""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports():
    import _election as E  # noqa: N812

from election.chain.formats import GenesisFile  # noqa: E402

TestOneInput = E.json_target(GenesisFile.from_json)

if __name__ == "__main__":
    E.run(TestOneInput)
