"""`seqvrf node`: configuration loading and refusals; metrics without prometheus-client."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from typing import Any

import pytest

import vrf
from election.chain.formats import GenesisFile
from election.cli import main
from election.node.metrics import NodeMetrics
from election.node.runtime import NodeError, SequencerNode, load_config
from election.rules.config import ElectionConfig
from election.rules.stake import StakeTable, Validator


def _setup(tmp: Path, cutoff: int = 16, extra: str = "", **mode: Any) -> Path:
    keys = {}
    for vid in ("a", "b"):
        keys[vid] = (vrf.SecretKey.generate(), vrf.SecretKey.generate())
        (tmp / f"{vid}-vrf.pem").write_bytes(keys[vid][0].to_pem())
        (tmp / f"{vid}-vote.pem").write_bytes(keys[vid][1].to_pem())
    table = StakeTable(Validator(v, bytes(k[0].public_key), bytes(k[1].public_key), 1) for v, k in keys.items())
    cfg = ElectionConfig(chain_id=b"cli-node", epoch_length=32, slot_duration_ms=400, failover_timeout_ms=120,
                         backups=1, seed_cutoff=cutoff, **mode)
    GenesisFile.single(cfg, bytes(32), table).save(tmp / "genesis.json")
    toml = tmp / "node.toml"
    toml.write_text(f"""[node]
validator_id = "a"
genesis = "genesis.json"
genesis_time_ms = {int(time.time() * 1000) + 200}
vrf_key = "a-vrf.pem"
vote_key = "a-vote.pem"
listen = "127.0.0.1:0"
http = "127.0.0.1:0"
data_dir = "data"
{extra}
[peers]
b = "127.0.0.1:9"
""")
    return toml


def test_load_config_and_refusals(tmp_path: Path) -> None:
    cfg = load_config(_setup(tmp_path))
    assert cfg.validator_id == "a" and cfg.peers == {"b": ("127.0.0.1", 9)} and cfg.data_dir == tmp_path / "data"
    toml = tmp_path / "node.toml"
    text = toml.read_text()
    for bad, match in [
        (text.replace('vote_key = "a-vote.pem"', 'vote_key = "a-vrf.pem"'), "vote key"),
        (text.replace('validator_id = "a"', 'validator_id = "zz"'), "not in the genesis"),
        (text.replace("127.0.0.1:0\"\nhttp", "10.0.0.1:5\"\nhttp"), "loopback"),
        (text.replace("[node]", "[node]\ncolour = 1"), "unknown"),
        (text.replace('genesis = "genesis.json"\n', ""), "genesis is required"),
    ]:
        toml.write_text(bad)
        with pytest.raises(NodeError, match=match):
            load_config(toml)
    toml.write_text(text.replace('vote_key = "a-vote.pem"', 'vote_key = "a-vrf.pem"'))
    assert main(["node", "--config", str(toml)]) == 2


def test_cutoff_too_late_for_the_seed_sync(tmp_path: Path) -> None:
    with pytest.raises(NodeError, match="too few slots"):
        load_config(_setup(tmp_path, cutoff=30))


@pytest.mark.parametrize("mode", [{"mode": "windowed", "window": 8}, {"mode": "secret", "proposers": 3}])
def test_every_mode_loads(tmp_path: Path, mode: dict[str, Any]) -> None:
    cfg = load_config(_setup(tmp_path, **mode))
    assert cfg.genesis.config.mode == mode["mode"]


def test_window_too_short_for_the_window_sync(tmp_path: Path) -> None:
    # lag = ceil(2 * 120 / 400) + 1 = 2, the sync up to ceil(1000 / 400) = 3 slots: W >= 6.
    toml = _setup(tmp_path, mode="windowed", window=4)
    with pytest.raises(NodeError, match="window-seed sync"):
        load_config(toml)
    assert main(["node", "--config", str(toml)]) == 2
    toml.write_text(toml.read_text().replace('data_dir = "data"', 'data_dir = "data"\nsync_timeout_ms = 400'))
    assert load_config(toml).genesis.config.window == 4  # lag + 1 + 1 <= 4


def test_metrics_degrade_to_noop() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = NodeMetrics("x", use_prometheus=False)
    m.reject("SeedMismatch")
    m.takeover_latency.observe(0.1)
    assert m.render() is None and m.counts == {"rejected.SeedMismatch": 1}
    pytest.importorskip("prometheus_client")
    p = NodeMetrics("y")
    p.reject("wire_bad_magic")
    text = p.render()
    assert text is not None and b'seqvrf_node_rejected_inputs_total{reason="wire_bad_magic"} 1.0' in text


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return int(r.status), bytes(r.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), bytes(exc.read())


def test_health_and_metrics_endpoints(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = load_config(_setup(tmp_path, extra=""))
    cfg.http = ("127.0.0.1", port)

    async def go() -> tuple[int, bytes, int, bytes, int]:
        node = SequencerNode(cfg, log=lambda r: None)
        stop = asyncio.Event()
        task = asyncio.create_task(node.run(stop))
        try:
            for _ in range(100):
                await asyncio.sleep(0.05)
                if node.status == "running":
                    break
            code, body = await asyncio.to_thread(_get, f"http://127.0.0.1:{port}/health")
            mcode, metrics = await asyncio.to_thread(_get, f"http://127.0.0.1:{port}/metrics")
            missing, _ = await asyncio.to_thread(_get, f"http://127.0.0.1:{port}/nope")
            return code, body, mcode, metrics, missing
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)

    code, body, mcode, metrics, missing = asyncio.run(go())
    doc = json.loads(body)
    assert code == 200 and doc["status"] == "running" and doc["validator_id"] == "a"
    assert doc["next_leader"] in ("a", "b")
    assert missing == 404
    if mcode == 200:
        assert b"seqvrf_node_starts_total 1.0" in metrics
    else:
        assert mcode == 503


def test_metrics_without_prometheus_client_warn_and_count(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # import raises ImportError
    with pytest.warns(RuntimeWarning, match="prometheus-client is not installed"):
        m = NodeMetrics("z")
    m.produced.labels(rank="0").inc()
    m.count("produced")
    assert m.render() is None and m.counts == {"produced": 1}
