"""Fuzz target history: history JSON Lines: read_history over the lines, and parse_history_line on each JSON variant.
Allowed errors: election.ElectionError subclasses; see fuzz/_election.py for the checks."""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports():
    import _election as E  # noqa: N812

from election.chain.formats import parse_history_line, read_history  # noqa: E402

_line = E.json_target(lambda t: parse_history_line(t, 1), to_json=lambda r: r.to_line())


def TestOneInput(data: bytes) -> None:  # noqa: N802
    try:
        records = list(read_history(data.splitlines(keepends=True)))
    except E.ALLOWED:
        records = []
    for rec in records:
        E.check(parse_history_line(rec.to_line('hex'), rec.line) == rec, 'history hex round trip')
    for line in data.splitlines()[:4]:
        _line(line)

if __name__ == "__main__":
    E.run(TestOneInput)
