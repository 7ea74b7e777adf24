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


@pytest.mark.parametrize("mode", ["windowed", "secret"])
def test_devnet_modes(tmp_path: Path, mode: str) -> None:
    """About 17 s wall each: 4 nodes, 10 s, the default fault (the next slot's producer
    killed at a third of the run, restarted a sixth later), two epochs of 16 slots."""
    out = tmp_path / "net"
    cmd = [sys.executable, "-m", "election", "devnet", "--nodes", "4", "--duration", "10", "--epoch-length", "16",
           "--cutoff", "8", "--mode", mode, "--out", str(out), "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    summary_path = out / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    shown = {k: v for k, v in summary.items() if k != "events"}
    assert proc.returncode == 0, f"{proc.stderr[-3000:]}\n{shown}"
    assert summary["mode"] == summary["config"]["mode"] == mode
    assert summary["audit"]["ok"], summary["audit"]
    assert summary["canonical_disagreements"] == 0 and summary["equivocations"] == 0
    # Secret mode leaves a slot empty with probability e^-k (k = 5 by default: 0.7 %, 2.4 %
    # while one of the four validators is down), so 90 % holds in both modes.
    assert summary["filled_fraction"] >= 0.9, shown
    genesis = GenesisFile.load(out / "genesis.json")
    assert genesis.config.mode == mode
    lines = [json.loads(x) for x in (out / "history.jsonl").read_text().splitlines()]
    by_slot = {r["slot"]: r for r in lines}
    (kill,) = [e for e in summary["events"] if e["kind"] == "kill"]
    victim, next_slot = kill["node"], kill["slot"]
    if mode == "windowed":
        assert summary["config"]["window"] == 8
        # The victim led the next slot: a certified backup took it over (unless the kill
        # landed just after the victim had sent its block).
        assert summary["takeovers"] >= 1
        claim = by_slot[next_slot]["claim"]
        assert (claim["rank"] >= 1 and claim["certificate"]) or claim["validator_id"] == victim
    else:
        race = summary["secret"]
        assert race["proposers"] == 5 and race["expected_empty_fraction"] == 0.0067
        # The victim was the race's winner of the next slot; another eligible validator won it
        # instead (unless no other was eligible, probability e^-3.75 = 2.4 %).
        if next_slot in by_slot:
            assert by_slot[next_slot]["claim"]["validator_id"] != victim
        assert race["won_by_next_best"] >= 1 or race["slots_without_eligible"] >= 1 or next_slot not in by_slot
    assert audit(genesis, out / "history.jsonl").ok
    assert summary["restarts"][0]["rejoin_time_s"] is not None
    for e in summary["events"]:
        if e["kind"] == "start":
            with pytest.raises(ProcessLookupError):
                os.kill(e["pid"], 0)


def test_devnet_mode_arguments(tmp_path: Path) -> None:
    from election.dev.devnet import Devnet, default_window
    from election.rules.config import ElectionConfig

    plan = parse_faults("none", 5)
    assert Devnet(4, 5, tmp_path, plan, mode="windowed").config.window == 8
    assert Devnet(4, 5, tmp_path, plan, mode="secret", proposers=3).config.proposers == 3
    probe = ElectionConfig(chain_id=b"x", epoch_length=32, slot_duration_ms=400, failover_timeout_ms=120, backups=2)
    assert default_window(32, 16, probe) == 8
    for kwargs in ({"mode": "lottery"}, {"mode": "rotation", "window": 8}, {"mode": "windowed", "proposers": 2},
                   {"mode": "windowed", "epoch_length": 10, "cutoff": 5}):
        with pytest.raises(DevnetError):
            Devnet(4, 5, tmp_path, plan, **kwargs)  # type: ignore[arg-type]
