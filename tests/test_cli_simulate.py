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


def test_simulate_plot_writes_pngs(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """--plot draws the three figures (matplotlib comes with the test extra)."""
    assert main(["simulate", *ARGS, "--out", str(tmp_path), "--plot"]) == 0
    out = capsys.readouterr().out
    for name in ("slots_per_epoch.png", "takeover_latency.png", "produced_vs_expected.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000, name
        assert name in out


def test_modes_and_target_fault_from_the_command_line(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    for mode, extra in (("windowed", ["--window", "4"]), ("secret", ["--proposers", "4"])):
        out = tmp_path / mode
        args = ["simulate", *ARGS, "--out", str(out), "--json", "--mode", mode, *extra,
                "--faults", "target:budget=2,lead=9"]
        assert main(args) == 0
        summary = json.loads(capsys.readouterr().out)
        assert summary["params"]["mode"] == mode and summary["config"]["mode"] == mode
        assert summary["audit"]["ok"] is True
        assert main(["audit", str(out / "genesis.json"), str(out / "history.jsonl")]) == 0
        assert f"mode: {mode}" in capsys.readouterr().out
    assert main(["simulate", *ARGS, "--out", str(tmp_path), "--mode", "secret", "--window", "5"]) == 2
