"""`seqvrf audit`: exit codes 0/1/2, the summary, --json, --workers, progress only on a terminal."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from audit_chain import GENESIS, build_records, dump, to_objs

from election.cli import main

RECORDS = build_records()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("audit")
    g, h = d / "genesis.json", d / "history.jsonl"
    GENESIS.save(g)
    h.write_text("".join(r.to_line() for r in RECORDS))
    return g, h


LAST_PRIMARY = max(i for i, r in enumerate(RECORDS) if r.claim.rank == 0)  # after the cutoff: no seed effect


def _tampered(tmp_path: Path) -> Path:
    objs = to_objs(RECORDS)
    i = LAST_PRIMARY
    p = bytearray(bytes.fromhex(objs[i]["claim"]["proof"]))
    p[10] ^= 4
    objs[i]["claim"]["proof"] = p.hex()
    path = tmp_path / "tampered.jsonl"
    path.write_text("".join(dump(objs)))
    return path


def test_valid_exit_0(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    g, h = files
    assert main(["audit", str(g), str(h)]) == 0
    out, err = capsys.readouterr()
    assert "PASS" in out and "validator" in out and "takeovers:" in out and "chi-square" in out
    assert err == ""  # not a terminal: no progress bar


def test_json_output(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    g, h = files
    assert main(["audit", str(g), str(h), "--json", "--workers", "1"]) == 0
    out, err = capsys.readouterr()
    d = json.loads(out)
    assert err == ""
    assert d["ok"] is True and d["format"] == "seqvrf-audit-report"
    assert d["blocks"] == {"total": len(RECORDS), "valid": len(RECORDS), "invalid": 0}
    assert set(d) >= {"range", "missed", "takeovers", "validators", "fairness", "seed_chain", "invalid_blocks"}
    assert d["seed_chain"][0]["seed"] == GENESIS.initial_seed.hex()
    assert sum(v["produced"] for v in d["validators"]) == len(RECORDS)
    assert 0 <= d["fairness"]["p_value"] <= 1


def test_violation_exit_1(files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g, _ = files
    bad = _tampered(tmp_path)
    assert main(["audit", str(g), str(bad)]) == 1
    out, _ = capsys.readouterr()
    assert "FAIL: 1 invalid block" in out and f"line {LAST_PRIMARY + 1} " in out and "[invalid_proof]" in out
    assert main(["audit", str(g), str(bad), "--json"]) == 1
    d = json.loads(capsys.readouterr().out)
    assert d["ok"] is False and d["invalid_blocks"][0]["line"] == LAST_PRIMARY + 1
    assert d["invalid_blocks"][0]["code"] == "invalid_proof" and d["invalid_by_code"] == {"invalid_proof": 1}


def test_malformed_history_exit_2(files: tuple[Path, Path], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    g, h = files
    lines = h.read_text().splitlines(keepends=True)
    lines[1] = '{"slot": "one"}\n'
    lines[4] = "garbage\n"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(lines))
    assert main(["audit", str(g), str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2:" in err and f"{bad}:5:" in err
    assert main(["audit", str(g), str(bad), "--json"]) == 2
    d = json.loads(capsys.readouterr().out)
    assert d["malformed_lines"] == 2 and [e["line"] for e in d["errors"]] == [2, 5]


def test_malformed_genesis_exit_2(files: tuple[Path, Path], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    _, h = files
    g = tmp_path / "g.json"
    g.write_text('{\n  "format": "seqvrf-genesis",\n  oops\n}\n')
    assert main(["audit", str(g), str(h)]) == 2
    assert f"{g}:3:" in capsys.readouterr().err
    assert main(["audit", str(g), str(h), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["line"] == 3


def test_missing_files_exit_2(files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g, h = files
    assert main(["audit", str(tmp_path / "nope.json"), str(h)]) == 2
    assert main(["audit", str(g), str(tmp_path / "nope.jsonl")]) == 2
    assert "unusable input" in capsys.readouterr().err


@pytest.mark.parametrize("bad", [["--workers", "0"], ["--workers", "x"], [], ["only-one"]])
def test_bad_usage_exit_2(files: tuple[Path, Path], bad: list[str]) -> None:
    g, h = files
    args = ["audit", str(g), str(h), *bad] if bad and bad[0].startswith("--") else ["audit", *bad]
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal(files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    g, h = files
    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(["audit", str(g), str(h)]) == 0
    assert "\raudit [" in tty.getvalue() and "100.0%" in tty.getvalue() and tty.getvalue().endswith("\n")
    tty2 = _Tty()
    monkeypatch.setattr(sys, "stderr", tty2)
    assert main(["audit", str(g), str(h), "--json"]) == 0
    assert tty2.getvalue() == ""  # --json: quiet
    capsys.readouterr()


def test_entry_point_subprocess(files: tuple[Path, Path], tmp_path: Path) -> None:
    g, _ = files
    bad = _tampered(tmp_path)
    env = dict(os.environ)
    r = subprocess.run([sys.executable, "-m", "election", "audit", str(g), str(bad), "--json"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 1, r.stderr
    d: dict[str, Any] = json.loads(r.stdout)
    assert d["blocks"]["invalid"] == 1 and r.stderr == ""
