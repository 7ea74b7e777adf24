"""``seqvrf simulate``: exit codes, --json, files that ``seqvrf audit`` accepts."""

from __future__ import annotations

import json

from election.cli import main

ARGS = ["--validators", "8", "--epochs", "2", "--epoch-length", "24", "--quiet"]


def test_simulate_then_audit(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    assert main(["simulate", *ARGS, "--out", str(out)]) == 0
    assert "slots filled" in capsys.readouterr().out
    assert main(["audit", str(out / "genesis.json"), str(out / "history.jsonl")]) == 0


def test_simulate_json(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["simulate", *ARGS, "--out", str(tmp_path), "--json", "--faults", "none"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["format"] == "seqvrf-sim-summary" and s["audit"]["ok"] and s["slots"]["fraction_filled"] == 1.0
    assert json.loads((tmp_path / "summary.json").read_text()) == s


def test_simulate_bad_usage(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["simulate", *ARGS, "--out", str(tmp_path), "--faults", "quake"]) == 2
    assert "unknown fault kind" in capsys.readouterr().err
    assert main(["simulate", "--validators", "2", "--out", str(tmp_path), "--quiet"]) == 2
    assert main(["simulate", *ARGS, "--out", str(tmp_path), "--stake", str(tmp_path / "missing")]) == 2
