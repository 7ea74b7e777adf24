"""Replay the audit, history and genesis seed corpora (fuzz/corpus/) without atheris: each
input ends in a result or a typed election.ElectionError, never another exception, and the
hostile seeds (a long gap, a slot at 2^64 - 1, CRLF, a leading space, no final newline, an
over-long certificate line, an empty file, oversized configs) do what docs/audit.md says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import election
from election import ElectionConfig, GenesisFile
from election.chain.formats import parse_history_line, read_history
from election.dev.keys import dev_table

CORPUS = Path(__file__).resolve().parents[1] / "fuzz" / "corpus"
_TABLE, _ = dev_table([10, 20, 30, 40], b"fuzz")
_TABLE2, _ = dev_table([11, 21, 31, 41], b"fuzz")
# The genesis of fuzz/fuzz_audit.py.
GENESIS = GenesisFile(ElectionConfig(b"fuzz-chain", epoch_length=8, backups=2, seed_cutoff=6),
                      bytes(range(32)), ((0, _TABLE), (2, _TABLE2)))


def _inputs(target: str) -> list[bytes]:
    files = sorted((CORPUS / target).iterdir())
    assert files
    return [f.read_bytes() for f in files]


def test_audit_corpus() -> None:
    outcomes = []
    for data in _inputs("audit"):
        try:
            report = election.audit(GENESIS, data.splitlines(keepends=True), workers=1)
        except election.ElectionError as exc:
            outcomes.append(type(exc).__name__)
            continue
        json.loads(report.to_json())
        outcomes.append("ok" if report.ok else ",".join(sorted(report.invalid_by_code)) or "empty")
    # The hostile seeds reach the rules they were written for.
    assert "epoch_gap" in ",".join(outcomes) and "empty" in outcomes and "MalformedHistory" in outcomes
    assert outcomes.count("ok") >= 3


def test_history_corpus() -> None:
    for data in _inputs("history"):
        try:
            records = list(read_history(data.splitlines(keepends=True)))
        except election.ElectionError:
            records = []
        for rec in records:
            assert parse_history_line(rec.to_line("hex"), rec.line) == rec


def test_genesis_corpus() -> None:
    reasons = []
    for data in _inputs("genesis"):
        try:
            g = GenesisFile.from_json(data)
        except election.ElectionError as exc:
            reasons.append(str(exc))
            continue
        assert GenesisFile.from_json(g.to_json()) == g
    assert any("epoch_length" in r and str(2**20) in r for r in reasons)


@pytest.mark.parametrize("target", ["audit", "history", "genesis"])
def test_seeds_are_small(target: str) -> None:
    assert all(len(d) < 100_000 for d in _inputs(target))
