"""A development network of real ``seqvrf node`` processes on 127.0.0.1, with faults.

:class:`Devnet` makes fresh keys and a fresh genesis (slot 0 a few seconds ahead), starts
one OS process per validator, injects faults on a schedule (:func:`parse_faults`), stops
every process it started (by PID, on every exit path), merges the blocks every node logged
into one canonical chain with the chain view's fork choice, audits it, and writes
``summary.json``, ``genesis.json`` and ``history.jsonl`` (plus PNGs with ``plot=True``).

Fault specification: comma-separated items, times in seconds after slot 0's start:

* ``crash@T+D``: at ``T`` kill -9 the leader of the next slot; restart it ``D`` later;
* ``stall@T+D``: at ``T`` SIGSTOP the leader of the next slot (not a crashed node); SIGCONT ``D`` later;
* ``loss=P``: every node drops a fraction ``P`` of its outgoing datagrams;
* ``delay=MS`` / ``jitter=MS``: every outgoing datagram is delayed by ``MS`` (+ up to jitter);
* ``skew=MS``: node clocks are offset by ``+MS, -MS, +MS, ...``;
* ``garbage``: a sender floods every node with malformed and mutated datagrams;
* ``none``: no fault.  The default is ``crash@D/3+D/6`` for a run of ``D`` seconds.

Modes (``mode``): ``rotation`` (default), ``windowed`` (``window`` slots per window; default
the smallest divisor of the epoch that leaves room for the window-seed sync) and
``secret`` (``proposers`` = ``k``, default 5: a slot has no eligible proposer with
probability ``e^-k``, 0.7 %).  "The leader of the next slot" is what a node's ``/health``
names (rotation, windowed); in secret mode no node knows it, but the devnet holds every key:
it hits the best eligible validator of the next slot (the race's winner).
In secret mode the summary also says, from the validators' keys (the devnet made them),
how many slots had no eligible proposer and how many were won by the next-best one.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import math
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import vrf

from ..chain.audit import audit
from ..chain.formats import GenesisFile, HistoryRecord
from ..chain.view import ChainView, view_from_blocks
from ..node.agreement import sync_lag, sync_slots
from ..rules.blocks import SignedBlock
from ..rules.config import ElectionConfig
from ..rules.errors import ElectionError
from ..rules.modes import SecretEpoch
from ..rules.secret import RaceEntry, race_ranking
from ..rules.stake import StakeTable, Validator

__all__ = ["FaultPlan", "parse_faults", "Devnet", "DevnetError", "MODES", "default_window"]

MODES = ("rotation", "windowed", "secret")
NODE_SYNC_TIMEOUT = 1.0
"""The nodes' ``sync_timeout`` (the node's default; the devnet does not change it)."""


class DevnetError(ElectionError, ValueError):
    """A bad devnet argument or fault specification."""


@dataclass
class FaultPlan:
    """Parsed fault specification (see the module docstring)."""

    crashes: list[tuple[float, float]] = field(default_factory=list)
    stalls: list[tuple[float, float]] = field(default_factory=list)
    loss: float = 0.0
    delay_ms: int = 0
    jitter_ms: int = 0
    skew_ms: int = 0
    garbage: bool = False


def parse_faults(spec: str | None, duration: float) -> FaultPlan:
    """Parse a fault specification; None gives the default (one crash and restart).

    Raises:
        DevnetError: an unknown item or a bad number.
    """
    plan = FaultPlan()
    if spec is None:
        plan.crashes.append((duration / 3, duration / 6))
        return plan
    for item in (x.strip() for x in spec.split(",") if x.strip()):
        try:
            if item == "none":
                continue
            if item == "garbage":
                plan.garbage = True
            elif item.startswith(("crash@", "stall@")):
                at, _, dur = item[6:].partition("+")
                pair = (float(at), float(dur))  # float-ok: fault plan and timing, not consensus
                if pair[0] < 0 or pair[1] <= 0:
                    raise ValueError("times must be >= 0 and durations > 0")
                (plan.crashes if item.startswith("crash") else plan.stalls).append(pair)
            elif item.startswith("loss="):
                plan.loss = float(item[5:])  # float-ok: fault plan and timing, not consensus
                if not 0 <= plan.loss < 1:
                    raise ValueError("loss must be in [0, 1)")
            elif item.startswith("delay="):
                plan.delay_ms = int(item[6:])
            elif item.startswith("jitter="):
                plan.jitter_ms = int(item[7:])
            elif item.startswith("skew="):
                plan.skew_ms = int(item[5:])
            else:
                raise ValueError("unknown item")
        except ValueError as exc:
            raise DevnetError(f"--faults item {item!r}: {exc}") from None
    return plan


def default_window(epoch_length: int, cutoff: int, probe: ElectionConfig) -> int:
    """The smallest divisor ``W`` of the epoch with room for the window-seed sync
    (``lag + ceil(sync_timeout / slot) + 1 <= W``, docs/spec.md section 20) and
    ``cutoff <= epoch_length - W`` (the windowed config's rule).

    Args:
        epoch_length, cutoff: the chain's.
        probe: a config with the chain's slot, timeout and backups (any mode: only the
            timing is read).

    Raises:
        DevnetError: no divisor fits.
    """
    need = sync_lag(probe) + sync_slots(probe, NODE_SYNC_TIMEOUT) + 1
    for w in range(need, epoch_length - cutoff + 1):
        if epoch_length % w == 0:
            return w
    raise DevnetError(f"--mode windowed: no window divides --epoch-length {epoch_length} with at least {need} "
                      f"slots and at most epoch_length - cutoff = {epoch_length - cutoff}; pass --window or a "
                      "longer epoch")


def _free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(q * (len(v) - 1)))))]


class Devnet:
    """One devnet run (see the module docstring).

    Args:
        nodes: number of validators (2 to 16).
        duration: seconds to run after slot 0 starts.
        out: output directory (created; must be empty or absent).
        faults: the fault plan.
        slot_ms, timeout_ms, epoch_length, cutoff: chain parameters.
        mode: ``rotation``, ``windowed`` or ``secret``.
        window: windowed mode: slots per window (default :func:`default_window`).
        proposers: secret mode: ``k`` (default 5).
        start_delay: seconds from now to slot 0 (processes start meanwhile; default
            ``max(4, 3 * nodes / 2)``).
        log: progress messages (default: stderr).
    """

    def __init__(self, nodes: int, duration: float, out: Path, faults: FaultPlan, *, slot_ms: int = 400,
                 timeout_ms: int = 120, epoch_length: int = 32, cutoff: int = 16, start_delay: float | None = None,
                 log: Any = None, mode: str = "rotation", window: int | None = None,
                 proposers: int | None = None) -> None:
        if not 2 <= nodes <= 16:
            raise DevnetError(f"--nodes: expected 2 to 16, got {nodes}")
        if duration <= 0 or duration > 3600:
            raise DevnetError(f"--duration: expected (0, 3600] seconds, got {duration}")
        self.n = nodes
        self.duration = duration
        self.out = out
        self.faults = faults
        # Every window of a slot closes before the next slot starts, on every clock
        # ((backups + 1) * T + 2 * skew <= slot): then a block's parent is settled when the
        # next leader builds on it.
        backups = max(0, min(3, nodes - 1, (slot_ms - 2 * faults.skew_ms) // timeout_ms - 1))
        if mode not in MODES:
            raise DevnetError(f"--mode: expected one of {list(MODES)}, got {mode!r}")
        if window is not None and mode != "windowed":
            raise DevnetError(f"--window: only with --mode windowed, got --mode {mode}")
        if proposers is not None and mode != "secret":
            raise DevnetError(f"--proposers: only with --mode secret, got --mode {mode}")
        rotation = ElectionConfig(chain_id=b"seqvrf-devnet", epoch_length=epoch_length, slot_duration_ms=slot_ms,
                                  failover_timeout_ms=timeout_ms, backups=backups, seed_cutoff=cutoff)
        if mode == "windowed":
            w = window or default_window(epoch_length, cutoff, rotation)
            self.config = replace(rotation, mode=mode, window=w)
        elif mode == "secret":
            self.config = replace(rotation, mode=mode, proposers=5 if proposers is None else proposers)
        else:
            self.config = rotation
        # Python processes start slowly on a small machine: give each one about 1.5 s.
        self.start_delay = max(4.0, 1.5 * nodes) if start_delay is None else start_delay  # float-ok
        self._say = log or (lambda m: print(f"devnet: {m}", file=sys.stderr, flush=True))
        self.ids = [f"n{i}" for i in range(nodes)]
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._all_pids: list[int] = []
        self.events: list[dict[str, Any]] = []
        self.http: dict[str, int] = {}
        self._stop_garbage = threading.Event()
        self._keys: dict[str, tuple[vrf.SecretKey, vrf.SecretKey]] = {}
        """(VRF key, vote key) per node: the secret-mode summary evaluates every node's race."""

    # -- setup ------------------------------------------------------------------
    def _setup(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        if any(self.out.iterdir()):
            raise DevnetError(f"--out {self.out} is not empty")
        validators = []
        keys = self._keys
        for vid in self.ids:
            vk, wk = vrf.SecretKey.generate(), vrf.SecretKey.generate()
            keys[vid] = (vk, wk)
            validators.append(Validator(vid, bytes(vk.public_key), bytes(wk.public_key), 1))
        self.genesis = GenesisFile.single(self.config, secrets.token_bytes(32), StakeTable(validators))
        self.genesis.save(self.out / "genesis.json")
        self.genesis_time_ms = int((time.time() + self.start_delay) * 1000)
        udp = {vid: _free_port(socket.SOCK_DGRAM) for vid in self.ids}
        self.http = {vid: _free_port(socket.SOCK_STREAM) for vid in self.ids}
        self.udp = udp
        f = self.faults
        for i, vid in enumerate(self.ids):
            d = self.out / "nodes" / vid
            d.mkdir(parents=True)
            for name, key in (("vrf-key.pem", keys[vid][0]), ("vote-key.pem", keys[vid][1])):
                fd = os.open(d / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(key.to_pem())
            skew = 0 if not f.skew_ms else (f.skew_ms if i % 2 == 0 else -f.skew_ms)
            peers = "\n".join(f'{p} = "127.0.0.1:{udp[p]}"' for p in self.ids if p != vid)
            (d / "node.toml").write_text(
                "[node]\n"
                f'validator_id = "{vid}"\n'
                'genesis = "../../genesis.json"\n'
                f"genesis_time_ms = {self.genesis_time_ms}\n"
                'vrf_key = "vrf-key.pem"\nvote_key = "vote-key.pem"\n'
                f'listen = "127.0.0.1:{udp[vid]}"\n'
                f'http = "127.0.0.1:{self.http[vid]}"\n'
                'data_dir = "data"\n'
                f"clock_offset_ms = {skew}\n"
                f"\n[peers]\n{peers}\n"
                f"\n[faults]\nloss = {f.loss}\ndelay_ms = {f.delay_ms}\njitter_ms = {f.jitter_ms}\nseed = {i + 1}\n",
                encoding="utf-8")

    def _spawn(self, vid: str) -> None:
        d = self.out / "nodes" / vid
        boot = sum(1 for e in self.events if e.get("node") == vid and e["kind"] == "start")
        logf = open(d / f"log-{boot}.jsonl", "wb")  # noqa: SIM115 (closed when the process ends)
        try:
            p = subprocess.Popen([sys.executable, "-m", "election", "node", "--config", str(d / "node.toml")],
                                 stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        finally:
            logf.close()
        self.procs[vid] = p
        self._all_pids.append(p.pid)
        self._event("start", vid, pid=p.pid)

    def _event(self, kind: str, node: str | None = None, **kw: Any) -> None:
        e = {"kind": kind, "t": round(time.time() - self.genesis_time_ms / 1000, 3), "node": node, **kw}
        self.events.append(e)
        self._say(f"t={e['t']:+.1f}s {kind} {node or ''} {kw if kw else ''}".rstrip())

    def _kill_all(self) -> None:
        """Stop every process this devnet started: SIGCONT, SIGTERM, then SIGKILL after 8 s."""
        live = [p for p in self.procs.values() if p.poll() is None]
        for p in live:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p.pid, signal.SIGCONT)
                os.kill(p.pid, signal.SIGTERM)
        deadline = time.monotonic() + 8
        for p in live:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(p.pid, signal.SIGKILL)
                p.wait(5)

    # -- faults -------------------------------------------------------------------
    def _health(self, vid: str) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http[vid]}/health", timeout=0.5) as r:
                doc: dict[str, Any] = json.loads(r.read())
                return doc
        except (OSError, ValueError):
            return None
        except Exception:  # an HTTP error status carries the document too
            return None

    def _next_leader(self, exclude: set[str]) -> tuple[str, int | None]:
        """The producer of the next slot outside ``exclude`` and that slot (None if no node
        named one: the first node outside ``exclude`` is returned)."""
        if self.config.mode == "secret":
            slot = int((time.time() * 1000 - self.genesis_time_ms) // self.config.slot_duration_ms) + 1
            best = self._race_winner(slot, exclude)
            if best is not None:
                return best, slot
        for vid in self.ids:
            if vid in exclude or self.procs[vid].poll() is not None:
                continue
            h = self._health(vid)
            if h and h.get("next_leader") and h["next_leader"] not in exclude:
                return str(h["next_leader"]), h.get("next_slot")
        return next(v for v in self.ids if v not in exclude), None

    def _epoch_seed(self, epoch: int) -> bytes | None:
        """The seed of ``epoch``: the genesis seed, or what a node persisted (seeds.json)."""
        if epoch == self.genesis.start_epoch:
            return self.genesis.initial_seed
        for vid in self.ids:
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                doc = json.loads((self.out / "nodes" / vid / "data" / "seeds.json").read_text(encoding="utf-8"))
                return bytes.fromhex(doc["seeds"][str(epoch)])
        return None

    def _race_winner(self, slot: int, exclude: set[str]) -> str | None:
        """Secret mode: the best eligible validator of ``slot`` outside ``exclude``, found
        with every node's VRF key (the devnet holds them; no node could know this)."""
        seed = self._epoch_seed(self.config.epoch_of(slot))
        if seed is None:
            return None
        rules = SecretEpoch(self.config, self.genesis.table_for(self.config.epoch_of(slot)),
                            self.config.epoch_of(slot), seed)
        ranking = self._race(rules, slot)
        return next((e.validator_id for e in ranking if e.validator_id not in exclude), None)

    def _race(self, rules: SecretEpoch, slot: int) -> list[RaceEntry]:
        """The eligible entries of every validator for ``slot``, best first."""
        cfg = self.config
        alpha = rules.slot_input(slot)
        entries = [RaceEntry(v, vrf.proof_to_hash(self._keys[v][0].prove(alpha, cfg.suite), cfg.suite),
                             rules.table[v].stake) for v in self.ids]
        return race_ranking(entries, rules.table.total_stake, rules.proposers)

    def _garbage(self) -> None:
        rng = random.Random(7)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            sent = 0
            while not self._stop_garbage.wait(0.01) and sent < 200_000:
                for vid in self.ids:
                    kind = rng.randrange(4)
                    if kind == 0:
                        data = rng.randbytes(rng.randrange(1, 300))
                    elif kind == 1:
                        data = b"SQ\x01" + bytes([rng.randrange(1, 7)]) + rng.randbytes(rng.randrange(0, 400))
                    elif kind == 2:
                        data = b"SQ\x01\x05\x02n0" + rng.randbytes(20)
                    else:
                        data = b"SQ\x01\x02" + (2**31).to_bytes(4, "big") + rng.randbytes(64)
                    with contextlib.suppress(OSError):
                        s.sendto(data, ("127.0.0.1", self.udp[vid]))
                    sent += 1
            self._garbage_sent = sent

    # -- run ------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        """Run the devnet and write the outputs; returns the summary.

        Every process started is stopped before this returns or raises.
        """
        self._setup()
        atexit.register(self._kill_all)
        old = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}

        def on_signal(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt(f"signal {signum}")
        for s in old:
            signal.signal(s, on_signal)
        garbage: threading.Thread | None = None
        try:
            for vid in self.ids:
                self._spawn(vid)
            plan: list[tuple[float, str, tuple[float, float]]] = (
                [(a, "crash", (a, d)) for a, d in self.faults.crashes]
                + [(a, "stall", (a, d)) for a, d in self.faults.stalls])
            actions: list[tuple[float, str, Any]] = sorted(((a, k, x) for a, k, x in plan), key=lambda t: t[0])
            if self.faults.garbage:
                garbage = threading.Thread(target=self._garbage, name="devnet-garbage", daemon=True)
                garbage.start()
                self._event("garbage_on")
            g0 = self.genesis_time_ms / 1000
            down: set[str] = set()
            stalled: set[str] = set()
            pending: list[tuple[float, str, str]] = []  # (time, kind, node) of restarts and resumes
            end = g0 + self.duration
            while time.time() < end:
                now = time.time() - g0
                while actions and actions[0][0] <= now:
                    _, kind, (_, dur) = actions.pop(0)
                    vid, target = self._next_leader(down | stalled)
                    if kind == "crash":
                        os.kill(self.procs[vid].pid, signal.SIGKILL)
                        self.procs[vid].wait(5)
                        down.add(vid)
                        self._event("kill", vid, slot=target)
                        pending.append((now + dur, "restart", vid))
                    else:
                        os.kill(self.procs[vid].pid, signal.SIGSTOP)
                        stalled.add(vid)
                        self._event("stop", vid, slot=target)
                        pending.append((now + dur, "resume", vid))
                for item in sorted(pending):
                    if item[0] <= now:
                        pending.remove(item)
                        if item[1] == "restart":
                            down.discard(item[2])
                            self._spawn(item[2])
                            self._event("restart", item[2])
                        else:
                            os.kill(self.procs[item[2]].pid, signal.SIGCONT)
                            stalled.discard(item[2])
                            self._event("resume", item[2])
                for vid, p in self.procs.items():
                    if vid not in down and p.poll() is not None and not any(e["kind"] == "exited" and
                                                                            e["node"] == vid and e.get("pid") == p.pid
                                                                            for e in self.events):
                        self._event("exited", vid, pid=p.pid, code=p.returncode)
                time.sleep(0.05)
            self._event("stop_all")
        finally:
            self._stop_garbage.set()
            if garbage is not None:
                garbage.join(5)
            self._kill_all()
            for s, h in old.items():
                signal.signal(s, h)
            atexit.unregister(self._kill_all)
        return self.collect()

    # -- results ------------------------------------------------------------------
    def _node_blocks(self, vid: str) -> list[SignedBlock]:
        path = self.out / "nodes" / vid / "data" / "blocks.jsonl"
        out = []
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    rec = json.loads(line)
                    out.append(SignedBlock.from_dict({"claim": rec["claim"], "header": rec["header"]}))
                except (ValueError, KeyError, ElectionError):
                    continue  # a line torn by kill -9
        return out

    def _node_logs(self, vid: str) -> list[dict[str, Any]]:
        out = []
        for path in sorted((self.out / "nodes" / vid).glob("log-*.jsonl")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    rec = json.loads(line)
                    if isinstance(rec, dict):
                        rec["boot"] = int(path.stem.split("-")[1])
                        out.append(rec)
        return out

    def collect(self) -> dict[str, Any]:
        """Merge, audit and summarise the run; write the output files."""
        g0 = self.genesis_time_ms / 1000
        cfg = self.config
        per_node = {vid: self._node_blocks(vid) for vid in self.ids}
        merged = view_from_blocks(self.genesis, [b for bs in per_node.values() for b in bs])
        stop_t = next((e["t"] for e in self.events if e["kind"] == "stop_all"), self.duration)
        last_slot = int(stop_t * 1000 // cfg.slot_duration_ms) - 1
        slots = range(0, max(0, last_slot) + 1)
        filled = [s for s in slots if merged.canonical(s) is not None]
        two = [s for s in slots if len(merged.blocks(s)) > 1]
        disagreements = 0
        for bs in per_node.values():
            own: ChainView = view_from_blocks(self.genesis, bs)
            for s in slots:
                mine, m = own.entry(s), merged.entry(s)
                if mine is not None and m is not None and mine.block_hash != m.block_hash:
                    disagreements += 1
        # History: the canonical chain in slot order, with headers.
        hist = self.out / "history.jsonl"
        with open(hist, "w", encoding="utf-8") as f:
            for s in merged.slots():
                b = merged.canonical(s)
                if b is None or b.header is None:
                    continue
                f.write(HistoryRecord.signed(b.claim, b.header).to_line())
        report = audit(self.genesis, hist, workers=1)
        logs = {vid: self._node_logs(vid) for vid in self.ids}
        lat = [r["latency_ms"] for rs in logs.values() for r in rs
               if r.get("event") == "produced" and r.get("rank", 0) > 0]
        lat_rank: dict[int, list[float]] = {}
        for rs in logs.values():
            for r in rs:
                if r.get("event") == "produced" and r.get("rank", 0) > 0:
                    lat_rank.setdefault(int(r["rank"]), []).append(float(r["latency_ms"]))  # float-ok
        merged_takeovers = [s for s in filled if merged.canonical(s).rank > 0]  # type: ignore[union-attr]
        restarts = []
        for e in self.events:
            if e["kind"] != "restart":
                continue
            vid = e["node"]
            boot = sum(1 for x in self.events if x["kind"] == "start" and x["node"] == vid
                       and x["t"] <= e["t"]) - 1
            ready = [r["ts"] - g0 for r in logs[vid] if r.get("boot") == boot and r.get("event") == "ready"]
            produced = [(r["ts"] - g0, r["slot"]) for r in logs[vid]
                        if r.get("boot") == boot and r.get("event") == "produced"]
            refused = [r for r in logs[vid] if r.get("boot") == boot and r.get("event") == "refused_to_start"]
            restarts.append({
                "node": vid, "restarted_at_s": e["t"],
                "ready_at_s": round(ready[0], 3) if ready else None,
                "rejoin_time_s": round(ready[0] - e["t"], 3) if ready else None,
                "first_block_after_restart_slot": produced[0][1] if produced else None,
                "first_block_after_restart_s": round(produced[0][0] - e["t"], 3) if produced else None,
                "refused_to_start": bool(refused),
            })
        t_ms = cfg.failover_timeout_ms
        summary: dict[str, Any] = {
            "nodes": self.n, "duration_s": self.duration, "mode": cfg.mode,
            "config": {"mode": cfg.mode, "slot_ms": cfg.slot_duration_ms, "failover_timeout_ms": t_ms,
                       "backups": cfg.backups, "epoch_length": cfg.epoch_length, "seed_cutoff": cfg.cutoff,
                       "window": cfg.window, "proposers": cfg.proposers},
            "faults": {"crashes": self.faults.crashes, "stalls": self.faults.stalls, "loss": self.faults.loss,
                       "delay_ms": self.faults.delay_ms, "jitter_ms": self.faults.jitter_ms,
                       "skew_ms": self.faults.skew_ms, "garbage": self.faults.garbage},
            "slots": len(slots), "slots_filled": len(filled),
            "filled_fraction": round(len(filled) / len(slots), 4) if slots else 0.0,
            "takeovers": len(merged_takeovers),
            "takeover_latency_ms": {"count": len(lat), "p50": _pct(lat, 0.5), "p99": _pct(lat, 0.99),
                                    "mean": round(statistics.fmean(lat), 1) if lat else None,
                                    "by_rank": {str(k): {"count": len(v), "p50": _pct(v, 0.5), "p99": _pct(v, 0.99),
                                                         "documented_bound_ms": k * t_ms + self.faults.delay_ms
                                                         + self.faults.jitter_ms}
                                                for k, v in sorted(lat_rank.items())},
                                    "documented_bound_ms": t_ms + self.faults.delay_ms + self.faults.jitter_ms,
                                    "documented_bound": "S + T + one delay (relative to the slot start S)"},
            "slots_with_two_blocks": len(two),
            "equivocations": len(merged.evidence),
            "canonical_disagreements": disagreements,
            "late_seed_inputs": merged.late_seed_inputs,
            "seed_epochs": len(merged.seeds),
            "restarts": restarts,
            "events": self.events,
            "audit": {"ok": report.ok, "valid": report.valid, "invalid": report.invalid,
                      "invalid_by_code": dict(report.invalid_by_code), "missed": report.missed,
                      "invalid_blocks": [b.to_dict() for b in report.invalid_blocks[:10]]},
            "blocks_logged": {vid: len(bs) for vid, bs in per_node.items()},
            "rejected_inputs": self._rejections(logs),
        }
        if cfg.mode == "secret":
            summary["secret"] = self._race_summary(merged, slots)
        (self.out / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
        self._merged = merged
        self._latencies = lat
        return summary

    def _race_summary(self, merged: ChainView, slots: range) -> dict[str, Any]:
        """Secret mode, from every node's VRF key: the slots where no validator was eligible
        (no one could fill them: expected ``e^-k`` of the slots), and the filled slots whose
        canonical block is not the best eligible one (the next-best proposer won: the best
        was down, stalled or late)."""
        cfg = self.config
        none_eligible = next_best = 0
        for s in slots:
            rules = merged.rules(cfg.epoch_of(s))
            if not isinstance(rules, SecretEpoch):
                continue
            ranking = self._race(rules, s)
            block = merged.canonical(s)
            if not ranking:
                none_eligible += 1
            elif block is not None and block.validator_id != ranking[0].validator_id:
                next_best += 1
        k = cfg.proposers or 0
        return {"proposers": k, "expected_empty_fraction": round(math.exp(-k), 4),  # float-ok: a report figure
                "slots_without_eligible": none_eligible,
                "filled_fraction_of_fillable": round(len([s for s in slots if merged.canonical(s) is not None])
                                                     / max(1, len(slots) - none_eligible), 4),
                "won_by_next_best": next_best}

    @staticmethod
    def _rejections(logs: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
        out: dict[str, int] = {}
        for rs in logs.values():
            for r in rs:
                if r.get("event") == "stopped":
                    for k, v in (r.get("counts") or {}).items():
                        if k.startswith("rejected."):
                            out[k[9:]] = out.get(k[9:], 0) + int(v)
        return out

    def plot(self) -> list[Path]:
        """PNG charts (matplotlib optional): the rank of each slot's block, takeover latencies."""
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            self._say("matplotlib is not installed: no plots (pip install 'seqvrf[plot]')")
            return []
        merged = self._merged
        slots = merged.slots()
        fig, ax = plt.subplots(figsize=(10, 3))
        ax.scatter(slots, [merged.canonical(s).rank for s in slots], s=8)  # type: ignore[union-attr]
        for e in self.events:
            if e["kind"] in ("kill", "restart", "stop", "resume"):
                ax.axvline(e["t"] * 1000 / self.config.slot_duration_ms, color="r", alpha=0.3)
        ax.set_xlabel("slot")
        ax.set_ylabel("rank of the canonical block")
        p1 = self.out / "ranks.png"
        fig.tight_layout()
        fig.savefig(p1)
        plt.close(fig)
        out = [p1]
        if self._latencies:
            fig, ax = plt.subplots(figsize=(6, 3))
            ax.hist(self._latencies, bins=20)
            ax.set_xlabel("takeover latency after the slot start (ms)")
            p2 = self.out / "takeover_latency.png"
            fig.tight_layout()
            fig.savefig(p2)
            plt.close(fig)
            out.append(p2)
        return out
