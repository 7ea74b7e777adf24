"""Fuzz target audit: election.audit over an arbitrary history file (its lines) for a fixed
development genesis (the one fuzz/make_corpus.py builds the history corpus from).

Allowed: an AuditReport (valid or not), or election.ElectionError (MalformedHistory for
malformed lines).  The report must render to JSON and text, and its JSON must parse.
Anything else is a finding.
"""

from __future__ import annotations

import json
import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports():
    import _election as E  # noqa: N812

    import election
    from election import ElectionConfig
    from election.chain.formats import GenesisFile
    from election.dev.keys import dev_table

_TABLE, _ = dev_table([10, 20, 30, 40], b"fuzz")
_TABLE2, _ = dev_table([11, 21, 31, 41], b"fuzz")
GENESIS = GenesisFile(ElectionConfig(b"fuzz-chain", epoch_length=8, backups=2, seed_cutoff=6),
                      bytes(range(32)), ((0, _TABLE), (2, _TABLE2)))


def TestOneInput(data: bytes) -> None:  # noqa: N802
    try:
        report = election.audit(GENESIS, data.splitlines(keepends=True), workers=1)
    except E.ALLOWED:
        return
    json.loads(report.to_json())
    E.check(isinstance(report.summary_text(), str), "summary_text")


if __name__ == "__main__":
    E.run(TestOneInput)
