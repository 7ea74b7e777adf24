"""`seqvrf devnet` with real processes on 127.0.0.1: 4 nodes for about 30 s, the leader
killed and restarted, another node stalled (SIGSTOP/SIGCONT).  Slow (about 45 s wall)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from election.chain.audit import audit
from election.chain.formats import GenesisFile
from election.dev.devnet import DevnetError, parse_faults


def test_devnet_crash_restart_and_stall(tmp_path: Path) -> None:
    out = tmp_path / "net"
    cmd = [sys.executable, "-m", "election", "devnet", "--nodes", "4", "--duration", "30", "--out", str(out),
           "--faults", "crash@8+5,stall@19+1.5", "--json", "--plot"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    summary_path = out / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    shown = {k: v for k, v in summary.items() if k != "events"}
    assert proc.returncode == 0, f"{proc.stderr[-3000:]}\n{shown}"
    assert summary["audit"]["ok"], summary["audit"]
    assert summary["canonical_disagreements"] == 0
    assert summary["equivocations"] == 0
    assert summary["filled_fraction"] >= 0.95, summary
    assert summary["takeovers"] >= 1
    (restart,) = summary["restarts"]
    assert restart["rejoin_time_s"] is not None and not restart["refused_to_start"]
    killed = restart["node"]
    # The restarted node produced its own slots after rejoining (the audit saw them).
    lines = [json.loads(x) for x in (out / "history.jsonl").read_text().splitlines()]
    restart_slot = restart["restarted_at_s"] * 1000 / summary["config"]["slot_ms"]
    assert any(r["claim"]["validator_id"] == killed and r["slot"] > restart_slot for r in lines)
    # The written files are what `seqvrf audit` accepts, and every process is gone.
    assert audit(GenesisFile.load(out / "genesis.json"), out / "history.jsonl").ok
    assert all("header" in r for r in lines)
    if importlib.util.find_spec("matplotlib") is not None:
        assert (out / "ranks.png").stat().st_size > 1000
    for e in summary["events"]:
        if e["kind"] == "start":
            with pytest.raises(ProcessLookupError):
                os.kill(e["pid"], 0)


def test_fault_spec() -> None:
    p = parse_faults("crash@5+2,stall@9+1,loss=0.1,delay=20,jitter=5,skew=100,garbage", 30)
    assert p.crashes == [(5.0, 2.0)] and p.stalls == [(9.0, 1.0)]
    assert (p.loss, p.delay_ms, p.jitter_ms, p.skew_ms, p.garbage) == (0.1, 20, 5, 100, True)
    assert parse_faults(None, 30).crashes == [(10.0, 5.0)]
    assert parse_faults("none", 30).crashes == []
    for bad in ("crash@x+1", "loss=1.5", "flood", "stall@1+0"):
        with pytest.raises(DevnetError):
            parse_faults(bad, 30)
