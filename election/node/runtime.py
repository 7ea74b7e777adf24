"""A sequencer node: the failover controller, the chain view and the guard on a network.

:class:`SequencerNode` is the runtime around the pure parts.  It owns

* a **clock**: the wall time at start, advanced by the monotonic clock (never jumps
  back), plus an injectable offset (``clock_offset``; tests and the devnet skew nodes
  with it).  Slot ``s`` starts at ``genesis_time + s * slot_duration``.  Tolerated skew:
  a node whose clock is off by ``d`` opens and closes its windows ``d`` early or late;
  with ``|d| < T/2`` between any two honest nodes the windows of consecutive ranks
  still never overlap by more than the skew, and the fork choice resolves what overlaps;
  heartbeats more than ``max_clock_skew`` away from the local clock are refused.
* the **core thread**: one worker thread that runs every call into the controller, the
  chain view and the signing guard, in order, so the guard's fsync never blocks the
  event loop and the clock read inside it never goes back;
* **tasks** on the event loop, each owned by :meth:`SequencerNode.run` (a task group):
  the receiver, the heartbeat sender, the driver (ticks at the controller's
  ``next_wakeup``), the seed keeper and the optional HTTP endpoint;
* the **block log**: a writer thread appending every valid block the node learns (its
  own marked) to ``data_dir/blocks.jsonl`` with an fsync per batch, and the seeds it fixed
  to ``data_dir/seeds.json``.

Start (:meth:`SequencerNode.run`): open the guard, load the persisted seeds, ask every
peer for the blocks of each epoch from the newest known seed to now (catch-up sync by
slot range, every block verified by the chain view), fix the seeds whose fixing slot
has passed, refuse to start if a peer shows a signature of ours newer than the guard's
(:meth:`~election.node.guard.SigningGuard.assert_not_behind`), then build the controller
with ``start_time = now``.

Seed agreement (docs/spec.md, "Chain view and seed agreement"): the seed of epoch
``e + 1`` is fixed at slot ``first(e) + c + lag`` (``lag`` = every window of the
pre-cutoff slots closed, plus one slot) after a sync of ``[first(e), first(e) + c)`` from
every peer, and installed in the controller before epoch ``e + 1`` starts
(:mod:`election.node.agreement`).

Modes (docs/node.md, "Election modes"): the controller gets each epoch's rules from the
chain view (:meth:`~election.chain.view.ChainView.rules`, the same object the view
reveals).  Windowed: the seed of window ``g`` is fixed by the same rule at slot
``(g - 1) W + lag`` after a sync of its source window ``g - 2``
(:meth:`~election.chain.view.ChainView.fix_window`); the controller produces and votes
only in revealed windows.  Secret: the driver ticks every node at each slot start (the
controller's ``next_wakeup`` includes it), an eligible node produces at once, the race
fork choice picks the canonical block, and no timeout vote exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import os
import queue
import random
import secrets
import sys
import threading
import time
import tomllib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from nacl.signing import SigningKey

import vrf

from ..chain.formats import GenesisFile
from ..chain.view import AddResult, ChainView
from ..risk.health import HealthMonitor
from ..rules.blocks import SignedBlock
from ..rules.errors import ElectionError
from ..rules.evidence import evidence_to_bytes, verify_evidence
from ..rules.modes import EpochRules, SecretEpoch
from ..rules.windowed import WindowedSchedule, WindowNotRevealed, window_source
from . import wire
from .agreement import production_span_ms, seed_fix_slot, sync_lag, sync_slots, window_fix_slot
from .failover import (
    Abandon,
    Action,
    Alert,
    BlockSeen,
    BroadcastVote,
    EvidenceFound,
    FailoverController,
    Heartbeat,
    Produce,
    ProductionRefused,
    VoteReceived,
)
from .guard import GuardBehind, SigningGuard
from .metrics import NodeMetrics
from .transport import Faults, RateLimiter, Transport, UdpTransport

__all__ = ["NodeConfig", "NodeError", "SequencerNode", "NodeClock", "PayloadBuilder", "load_config",
           "dummy_payload", "seed_fix_slot"]

R = TypeVar("R")
PayloadBuilder = Callable[[int, int], bytes]
"""``(slot, rank) -> payload bytes`` of the block to produce (the sequencer's batch)."""


class NodeError(ElectionError):
    """The node cannot start or run: bad configuration, unreachable peers, a guard behind."""


def dummy_payload(validator_id: str) -> PayloadBuilder:
    """The default builder: a small payload naming the validator, the slot and this boot."""
    boot = secrets.token_bytes(8)

    def build(slot: int, rank: int) -> bytes:
        return b"seqvrf-dummy/" + validator_id.encode() + b"/" + str(slot).encode() + b"/" + boot.hex().encode()
    return build


class NodeClock:
    """Seconds since the Unix epoch: the wall time at construction advanced by the monotonic
    clock, plus ``offset`` (injected skew)."""

    def __init__(self, offset: float = 0.0) -> None:
        self._wall0 = time.time()
        self._mono0 = time.monotonic()
        self.offset = offset

    def __call__(self) -> float:
        return self._wall0 + (time.monotonic() - self._mono0) + self.offset


@dataclass
class NodeConfig:
    """Everything a node needs (``seqvrf node --config`` builds it with :func:`load_config`).

    Attributes:
        validator_id: this node's id in the stake tables.
        genesis: the chain's genesis.
        genesis_time: Unix time (seconds) at which slot 0 starts.
        vrf_key: the VRF secret key.
        vote_key: the 32-byte Ed25519 vote key seed.
        listen: UDP ``(host, port)`` (loopback).
        peers: validator id -> UDP ``(host, port)``.
        data_dir: guard database, block log, seeds.
        http: ``(host, port)`` of the health and metrics endpoint, or None.
        heartbeat_interval: seconds (default ``T / 5``).
        clock_offset: seconds added to the clock (test skew).
        max_clock_skew: heartbeats further from the local clock are refused, seconds.
        sync_timeout: seconds to wait for peers' sync answers.
        depth: slots the chain view keeps.
        faults: fault injection on sends (test networks only).
        fault_seed: seed of the fault generator.
    """

    validator_id: str
    genesis: GenesisFile
    genesis_time: float
    vrf_key: vrf.SecretKey
    vote_key: bytes
    listen: tuple[str, int]
    peers: dict[str, tuple[str, int]]
    data_dir: Path
    http: tuple[str, int] | None = None
    heartbeat_interval: float | None = None
    clock_offset: float = 0.0
    max_clock_skew: float = 0.5
    sync_timeout: float = 1.0
    depth: int = 4096
    faults: Faults = field(default_factory=Faults)
    fault_seed: int | None = None

    def check(self) -> None:
        """Raise :class:`NodeError` for a configuration that cannot work."""
        cfg = self.genesis.config
        if self.validator_id in self.peers:
            raise NodeError("peers must not contain this node's own id")
        table = self.genesis.table_for(self.genesis.start_epoch)
        v = table.get(self.validator_id)
        if v is None:
            raise NodeError(f"validator {self.validator_id!r} is not in the genesis stake table")
        if bytes(self.vrf_key.public_key) != v.vrf_key:
            raise NodeError("the VRF key does not match the stake table's vrf_key")
        if bytes(SigningKey(self.vote_key).verify_key) != v.vote_key:
            raise NodeError("the vote key does not match the stake table's vote_key")
        wait = sync_slots(cfg, self.sync_timeout)
        need = seed_fix_slot(cfg, 0) + wait + 1
        if need > cfg.epoch_length:
            raise NodeError(f"seed_cutoff {cfg.cutoff} leaves too few slots for the seed sync: the seed of the "
                            f"next epoch is fixed at slot {need - 1} of {cfg.epoch_length} of each epoch")
        if cfg.window is not None and sync_lag(cfg) + wait + 1 > cfg.window:
            # A window seed is fixed lag slots after its source window ends and is needed
            # W slots after it ends: the sync must fit in between (docs/spec.md section 20).
            raise NodeError(f"window {cfg.window} leaves too few slots for the window-seed sync: it is fixed "
                            f"{sync_lag(cfg)} slots after its source window and needs {wait + 1} more "
                            f"(window >= {sync_lag(cfg) + wait + 1}, or a shorter sync_timeout)")


def _addr(text: object, what: str) -> tuple[str, int]:
    if not isinstance(text, str) or text.count(":") != 1:
        raise NodeError(f"{what}: expected 'host:port', got {text!r}")
    host, port = text.split(":")
    if not host.startswith("127.") or not port.isdigit() or not 0 <= int(port) < 65536:
        raise NodeError(f"{what}: expected a loopback 'host:port', got {text!r}")
    return host, int(port)


def load_config(path: str | os.PathLike[str]) -> NodeConfig:
    """Read a node TOML file (docs/node.md, "Configuration reference").

    Relative paths in the file are relative to the file's directory.

    Raises:
        NodeError: a missing or invalid key, unreadable keys or genesis.
    """
    p = Path(path)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise NodeError(f"{p}: {exc}") from None
    base = p.parent
    node = doc.get("node")
    if not isinstance(node, dict):
        raise NodeError(f"{p}: missing [node] table")
    known = {"validator_id", "genesis", "genesis_time_ms", "vrf_key", "vote_key", "listen", "http", "data_dir",
             "heartbeat_interval_ms", "clock_offset_ms", "max_clock_skew_ms", "sync_timeout_ms", "depth"}
    unknown = set(node) - known
    if unknown:
        raise NodeError(f"{p}: unknown [node] keys {sorted(unknown)}")

    def get(key: str, kind: type, default: Any = ...) -> Any:
        v = node.get(key, default)
        if v is ...:
            raise NodeError(f"{p}: [node] {key} is required")
        if v is not None and (not isinstance(v, kind) or isinstance(v, bool)):
            raise NodeError(f"{p}: [node] {key}: expected {kind.__name__}, got {v!r}")
        return v

    def path_of(key: str) -> Path:
        q = Path(get(key, str))
        return q if q.is_absolute() else base / q

    try:
        genesis = GenesisFile.load(path_of("genesis"))
        vrf_key = vrf.SecretKey.from_pem(path_of("vrf_key").read_bytes())
        vote_key = vrf.SecretKey.from_pem(path_of("vote_key").read_bytes()).to_bytes()
    except (ElectionError, OSError, vrf.VRFError, ValueError) as exc:
        raise NodeError(f"{p}: {exc}") from None
    peers_t = doc.get("peers", {})
    if not isinstance(peers_t, dict):
        raise NodeError(f"{p}: [peers] must be a table of id = 'host:port'")
    peers = {str(k): _addr(v, f"peers.{k}") for k, v in peers_t.items()}
    faults_t = doc.get("faults", {})
    if not isinstance(faults_t, dict) or set(faults_t) - {"loss", "delay_ms", "jitter_ms", "seed"}:
        raise NodeError(f"{p}: [faults] accepts loss, delay_ms, jitter_ms, seed")
    try:
        faults = Faults(float(faults_t.get("loss", 0.0)), float(faults_t.get("delay_ms", 0)) / 1000,  # float-ok
                        float(faults_t.get("jitter_ms", 0)) / 1000)  # float-ok
    except (TypeError, ValueError) as exc:
        raise NodeError(f"{p}: [faults]: {exc}") from None
    if not 0 <= faults.loss < 1 or faults.delay < 0 or faults.jitter < 0:
        raise NodeError(f"{p}: [faults]: loss in [0, 1), delays >= 0")
    http = node.get("http")
    hb = get("heartbeat_interval_ms", int, None)
    cfg = NodeConfig(
        validator_id=get("validator_id", str),
        genesis=genesis,
        genesis_time=get("genesis_time_ms", int) / 1000,
        vrf_key=vrf_key,
        vote_key=vote_key,
        listen=_addr(get("listen", str), "listen"),
        peers=peers,
        data_dir=path_of("data_dir"),
        http=None if http is None else _addr(http, "http"),
        heartbeat_interval=None if hb is None else hb / 1000,
        clock_offset=get("clock_offset_ms", int, 0) / 1000,
        max_clock_skew=get("max_clock_skew_ms", int, 500) / 1000,
        sync_timeout=get("sync_timeout_ms", int, 1000) / 1000,
        depth=get("depth", int, 4096),
        faults=faults,
        fault_seed=faults_t.get("seed"),
    )
    cfg.check()
    return cfg


class _Writer:
    """A thread that appends lines to the block log (fsync per batch) and rewrites the
    seeds file; bounded queue (lines beyond it are dropped and counted)."""

    def __init__(self, data_dir: Path, metrics: NodeMetrics) -> None:
        self._q: queue.Queue[tuple[str, Any] | None] = queue.Queue(maxsize=8192)
        self._dir = data_dir
        self._metrics = metrics
        self._thread = threading.Thread(target=self._run, name="seqvrf-writer", daemon=True)
        self._thread.start()

    def put(self, kind: str, item: Any) -> None:
        try:
            self._q.put_nowait((kind, item))
        except queue.Full:
            self._metrics.count("log_dropped")

    def close(self, timeout: float = 5.0) -> None:
        try:
            self._q.put(None, timeout=timeout)
        except queue.Full:
            pass
        self._thread.join(timeout)

    def _run(self) -> None:
        path = self._dir / "blocks.jsonl"
        with open(path, "a", encoding="utf-8") as log:
            while True:
                item = self._q.get()
                batch = [item]
                while item is not None and not self._q.empty() and len(batch) < 256:
                    item = self._q.get_nowait()
                    batch.append(item)
                wrote = False
                for it in batch:
                    if it is None:
                        continue
                    kind, obj = it
                    if kind == "block":
                        log.write(obj + "\n")
                        wrote = True
                    elif kind == "seeds":
                        tmp = self._dir / "seeds.json.tmp"
                        tmp.write_text(obj, encoding="utf-8")
                        os.replace(tmp, self._dir / "seeds.json")
                if wrote:
                    log.flush()
                    os.fsync(log.fileno())
                if batch[-1] is None:
                    return


class _Waiter:
    """An outstanding sync request: the peers that have not answered yet."""

    def __init__(self, peers: Iterable[str]) -> None:
        self.missing = set(peers)
        self.done = asyncio.Event()
        self.high: int | None = None
        self.answered = 0


class SequencerNode:
    """One sequencer node (see the module docstring).

    Args:
        config: the node configuration.
        transport: the network (default a :class:`UdpTransport` from the config).
        metrics: the metrics (default a fresh :class:`NodeMetrics`).
        log: receives one JSON-able dict per event (default: JSON lines on stdout).
        payload_builder: builds each block's payload (default :func:`dummy_payload`).
        clock: returns the current Unix time in seconds (default a :class:`NodeClock`
            with the configured offset).
    """

    def __init__(self, config: NodeConfig, transport: Transport | None = None, *,
                 metrics: NodeMetrics | None = None, log: Callable[[dict[str, Any]], None] | None = None,
                 payload_builder: PayloadBuilder | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.cfg = config
        self.id = config.validator_id
        self.gcfg = config.genesis.config
        self.transport: Transport = transport or UdpTransport(
            config.listen, config.peers, faults=config.faults, seed=config.fault_seed)
        self.metrics = metrics or NodeMetrics(self.id)
        self._log_fn = log
        self.payload_builder = payload_builder or dummy_payload(self.id)
        self.clock = clock or NodeClock(config.clock_offset)
        self._slot_s = self.gcfg.slot_duration_ms / 1000
        self._t_s = self.gcfg.failover_timeout_ms / 1000
        self.heartbeat_interval = config.heartbeat_interval or self._t_s / 5
        self._vote_key = SigningKey(config.vote_key)
        self._core_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"seqvrf-core-{self.id}")
        self.view: ChainView | None = None
        self.controller: FailoverController | None = None
        self.guard: SigningGuard | None = None
        self._writer: _Writer | None = None
        self.status = "created"
        self._hb_seq: dict[str, int] = {}
        self._signed_high: dict[str, int] = {}
        self._seen: OrderedDict[bytes, None] = OrderedDict()
        self._waiters: dict[int, _Waiter] = {}
        self._sync_limit = RateLimiter(rate=50.0, burst=50.0)
        self._poke = asyncio.Event()
        self._installed: set[int] = set()
        self._seed_busy = False
        self._checked_missed = -1
        self.health_monitor = HealthMonitor(self.gcfg.epoch_length)
        """Online validator health (election.risk.HealthMonitor), fed once per closed slot."""
        self._health_slot = -1
        self.produced: list[tuple[int, int, float]] = []
        """``(slot, rank, sent_time)`` of every block this node sent."""

    # -- helpers ----------------------------------------------------------------------
    def log(self, event: str, **fields: Any) -> None:
        """Emit one structured log record (never contains keys)."""
        rec = {"ts": round(time.time(), 3), "node": self.id, "event": event, **fields}
        if self._log_fn is not None:
            self._log_fn(rec)
        else:
            sys.stdout.write(json.dumps(rec, separators=(",", ":"), default=str) + "\n")
            sys.stdout.flush()

    async def _core(self, fn: Callable[[], R]) -> R:
        return await asyncio.get_running_loop().run_in_executor(self._core_pool, fn)

    def slot_at(self, now: float) -> int:
        """The slot in progress at ``now`` (-1 before genesis)."""
        if now < self.cfg.genesis_time:
            return -1
        return int((now - self.cfg.genesis_time) * 1000 // self.gcfg.slot_duration_ms)

    def slot_start(self, slot: int) -> float:
        return self.cfg.genesis_time + slot * self._slot_s

    def _new(self, key: bytes) -> bool:
        """First sighting of a message digest (bounded memory)."""
        d = hashlib.sha256(key).digest()
        if d in self._seen:
            return False
        self._seen[d] = None
        if len(self._seen) > 16384:
            self._seen.popitem(last=False)
        return True

    def _note_signed(self, vid: str, slot: int) -> None:
        if self.view is not None and vid in self.cfg.genesis.table_for(self.cfg.genesis.start_epoch):
            if slot > self._signed_high.get(vid, -1):
                self._signed_high[vid] = slot

    # -- lifecycle --------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set; every task and thread is stopped before returning.

        Raises:
            NodeError: the node refused to start (e.g. its guard is behind the network).
        """
        self.cfg.data_dir.mkdir(parents=True, exist_ok=True)
        self.metrics.restarts.inc()
        self._writer = _Writer(self.cfg.data_dir, self.metrics)
        http: asyncio.Server | None = None
        try:
            self.guard = await self._core(lambda: SigningGuard(
                self.cfg.data_dir / "guard.sqlite", chain_id=self.gcfg.chain_id, validator_id=self.id))
            seeds, windows = self._load_seeds()
            self.view = ChainView(self.cfg.genesis, depth=self.cfg.depth, seeds=seeds)
            self._restore_windows(windows)
            for e in self.view.seeds:
                self.view.rules(e)  # see _fix_seed: every rules object exists before other threads ask
            await self.transport.start()
            if self.cfg.http is not None:
                http = await asyncio.start_server(self._http, self.cfg.http[0], self.cfg.http[1])
            self.status = "syncing"
            self.log("starting", slot=self.slot_at(self.clock()), peers=list(self.transport.peers))
            if self.gcfg.mode != "secret" and production_span_ms(self.gcfg) > self.gcfg.slot_duration_ms:
                self.log("warning", reason="(backups + 1) * T exceeds the slot: a late backup's block can arrive "
                         "after the next leader built on the previous block (the audit reports parent_mismatch)")
            try:
                await self._run_tasks(stop)
            except BaseExceptionGroup as eg:
                refused = eg.subgroup(NodeError)
                if refused is not None:
                    raise refused.exceptions[0] from None
                raise
        finally:
            self.status = "stopped"
            if http is not None:
                http.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(http.wait_closed(), 2)
            await self.transport.close()
            guard = self.guard
            if guard is not None:
                with contextlib.suppress(Exception):
                    await self._core(guard.close)
            self._core_pool.shutdown(wait=True)
            self._writer.close()
            self.log("stopped", counts=self.metrics.counts)

    async def _run_tasks(self, stop: asyncio.Event) -> None:
        view = self.view
        assert view is not None
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(self._receiver(), name="receiver"),
                     tg.create_task(self._heartbeats(), name="heartbeats")]
            try:
                await self._catch_up(stop)
                if not stop.is_set():
                    self.status = "running"
                    tasks.append(tg.create_task(self._driver(), name="driver"))
                    tasks.append(tg.create_task(self._seed_keeper(), name="seeds"))
                    self.log("ready", slot=self.slot_at(self.clock()),
                             tip=view.tip_slot, seeds=sorted(view.seeds))
                    await stop.wait()
            finally:
                self.status = "stopping"
                for t in tasks:
                    t.cancel()

    def _load_seeds(self) -> tuple[dict[int, bytes], dict[int, list[bytes]]]:
        """The persisted epoch seeds and (windowed) window seeds by epoch; empty if none."""
        path = self.cfg.data_dir / "seeds.json"
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
            seeds = {int(e): bytes.fromhex(s) for e, s in obj["seeds"].items() if len(bytes.fromhex(s)) == 32}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}, {}
        try:
            windows = {int(e): [bytes.fromhex(s) for s in ws] for e, ws in obj.get("windows", {}).items()}
        except (ValueError, TypeError, AttributeError):
            windows = {}
        return seeds, windows

    def _fix_seed(self, epoch: int) -> bytes:
        """Core thread: fix the seed of ``epoch + 1`` and create that epoch's rules object.

        ``ChainView.rules`` creates an epoch's object on first use; the controller must hold
        the very object the view reveals windows in.  Creating it here, in the thread that
        fixed the seed (and at start for the persisted seeds), means no other thread ever
        creates one, so two threads cannot build two objects for one epoch."""
        view = self.view
        assert view is not None
        seed = view.fix_seed(epoch)
        view.rules(epoch + 1)
        return seed

    def _restore_windows(self, windows: dict[int, list[bytes]]) -> None:
        """Reveal the persisted window seeds in the view's schedules.  Without them a restarted
        node would have to re-check every window back to genesis: a window's blocks are
        checkable only once it is revealed, and its seed needs the blocks two windows back."""
        view = self.view
        assert view is not None
        for e in sorted(windows):
            rules = view.rules(e)
            if not isinstance(rules, WindowedSchedule):
                continue
            # The view's own schedule object, revealed in place as fix_window would (nothing
            # pends yet: no block was added).
            for wseed in windows[e][rules.revealed:rules.windows]:
                rules.reveal(wseed)

    def _save_seeds(self) -> None:
        view = self.view
        assert view is not None and self._writer is not None
        doc: dict[str, Any] = {"seeds": {str(e): s.hex() for e, s in view.seeds.items()}}
        if self.gcfg.window is not None:
            # The newest epochs' window seeds: what a restart needs to check blocks again.
            recent = sorted(view.seeds)[-4:]
            doc["windows"] = {str(e): [w.hex() for w in r.window_seeds] for e in recent
                              for r in [view.rules(e)] if isinstance(r, WindowedSchedule) and r.revealed}
        self._writer.put("seeds", json.dumps(doc))

    def _catch_up_start(self, e_cur: int) -> tuple[int, int]:
        """The first epoch the catch-up walks and the first slot it syncs.

        From the newest known seed's epoch; in windowed mode also from the first window not
        revealed yet, together with its source window (two windows back, possibly in the
        epoch before): its seed needs those blocks, which are checkable since every earlier
        window is revealed."""
        view = self.view
        assert view is not None
        start = min(view.newest_seed_epoch(), e_cur)
        first = self.gcfg.first_slot(start)
        if self.gcfg.window is None:
            return start, first
        full: int | None = None  # the newest epoch whose windows are all revealed
        for e in sorted(view.seeds):
            r = view.rules(e)
            if isinstance(r, WindowedSchedule) and r.revealed == r.windows:
                full = e
        nxt = self.cfg.genesis.start_epoch if full is None else full + 1
        r = view.rules(nxt)
        if nxt <= start and isinstance(r, WindowedSchedule):
            src = window_source(self.gcfg, nxt, r.revealed)
            start = nxt
            first = min(self.gcfg.first_slot(nxt), src.start if len(src) else first)
        return start, min(first, self.gcfg.first_slot(start))

    # -- catch-up ------------------------------------------------------------------
    async def _sync(self, first: int, count: int, timeout: float | None = None) -> tuple[int | None, int]:
        """Ask every peer for the canonical blocks of ``[first, first + count)`` (in requests
        of at most :data:`~election.node.wire.MAX_SYNC_SLOTS` slots) and add what they send.

        Returns:
            ``(highest slot at which a peer saw a signature by this node, peers that answered)``.
        """
        high: int | None = None
        answered = 0
        peers = tuple(self.transport.peers)
        if not peers or count <= 0:
            return None, 0
        for start in range(first, first + count, wire.MAX_SYNC_SLOTS):
            n = min(wire.MAX_SYNC_SLOTS, first + count - start)
            nonce = random.getrandbits(63)
            w = self._waiters[nonce] = _Waiter(peers)
            try:
                await self.transport.broadcast(wire.encode(wire.SyncRequest(self.id, nonce, start, n)))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(w.done.wait(), self.cfg.sync_timeout if timeout is None else timeout)
            finally:
                del self._waiters[nonce]
            answered = max(answered, w.answered)
            if w.high is not None and (high is None or w.high > high):
                high = w.high
        return high, answered

    async def _catch_up(self, stop: asyncio.Event) -> None:
        view = self.view
        assert view is not None and self.guard is not None
        length = self.gcfg.epoch_length
        network_high: int | None = None
        for attempt in range(30):
            if stop.is_set():
                return
            now = self.clock()
            cs = self.slot_at(now)
            e_cur = max(cs, 0) // length
            if cs >= 0:
                start_epoch, from_slot = self._catch_up_start(e_cur)
                if e_cur - start_epoch > 64:
                    raise NodeError(f"{e_cur - start_epoch} epochs behind: restore seeds.json from a peer")
                for e in range(start_epoch, e_cur + 1):
                    first = from_slot if e == start_epoch else self.gcfg.first_slot(e)
                    end = min(self.gcfg.first_slot(e + 1), cs + 1)
                    high, answered = await self._sync(first, end - first)
                    if high is not None and (network_high is None or high > network_high):
                        network_high = high
                    # Windowed: the epoch's windows first (their blocks are the seed's inputs).
                    await self._fix_windows(e, synced=answered > 0 or e < e_cur)
                    if view.seed(e) is not None and cs >= seed_fix_slot(self.gcfg, e) and (e < e_cur or answered) \
                            and self._seed_inputs_revealed(e):
                        await self._core(functools.partial(self._fix_seed, e))
                self._save_seeds()
            sched = view.rules(e_cur)
            if sched is not None:
                break
            self.log("waiting_for_seed", epoch=e_cur, attempt=attempt)
            await asyncio.sleep(self.cfg.sync_timeout)
        else:
            raise NodeError("no seed for the current epoch after 30 sync attempts (peers unreachable?)")
        guard = self.guard
        try:
            await self._core(lambda: guard.assert_not_behind(network_high))
        except GuardBehind as exc:
            self.log("refused_to_start", reason=str(exc))
            raise NodeError(str(exc)) from None

        def build() -> FailoverController:
            now = self.clock()
            ctl = FailoverController(self.gcfg, sched, self.id, self.cfg.vrf_key, self.cfg.vote_key,
                                     genesis_time=self.cfg.genesis_time, start_time=now, guard=guard)
            cs = self.slot_at(now)
            for slot in range(max(view.floor, cs - 16), cs + 1):
                for b in view.blocks(slot):
                    ctl.on_event(BlockSeen.from_claim(b.claim, b.header), self.clock())
            return ctl
        self.controller = await self._core(build)
        self._installed = {sched.epoch}
        await self._install_schedules()
        await self._fix_windows(e_cur + 1, synced=False)
        self.log("caught_up", network_high=network_high, guard_high=await self._core(guard.high_water),
                 tip=view.tip_slot)

    async def _install_schedules(self) -> None:
        view, ctl = self.view, self.controller
        if view is None or ctl is None:
            return
        for e in sorted(view.seeds):
            if e not in self._installed:
                # The view's own rules object: a windowed schedule the view reveals is the
                # one the controller reads (never a copy, whose vote pool a reinstall would reset).
                s = view.rules(e)
                if s is not None:
                    await self._core(functools.partial(ctl.set_schedule, s))
                    self._installed.add(e)
                    self.log("schedule_installed", epoch=e, seed=s.seed.hex(), mode=self.gcfg.mode)

    def _seed_inputs_revealed(self, epoch: int) -> bool:
        """Whether every pre-cutoff slot of ``epoch`` can hold a checked block: always,
        except in windowed mode before the windows covering the cutoff are revealed (their
        blocks still pend in the view, and a seed fixed without them would be wrong)."""
        assert self.view is not None
        rules = self.view.rules(epoch)
        if not isinstance(rules, WindowedSchedule):
            return rules is not None
        return rules.revealed * rules.window >= self.gcfg.cutoff

    async def _fix_windows(self, epoch: int, *, synced: bool) -> None:
        """Windowed mode: fix, in order, the seeds of ``epoch``'s windows whose fixing slot
        (:func:`~election.node.agreement.window_fix_slot`) has come, each after a sync of
        its source window from every peer (skipped when ``synced``: the catch-up just
        synced it).  Without any answer it retries on the next call, until the slot before
        the window starts; then it fixes the seed anyway and alerts, as the seed keeper does."""
        view = self.view
        assert view is not None
        rules = view.rules(epoch)
        if not isinstance(rules, WindowedSchedule):
            return
        while rules.revealed < rules.windows:
            j = rules.revealed
            if self.slot_at(self.clock()) < window_fix_slot(self.gcfg, epoch, j):
                return
            src = window_source(self.gcfg, epoch, j)
            if not self._source_revealed(src):
                # Its source blocks are not checkable yet (their own window is not revealed):
                # a seed fixed now would miss them.  Safety first: no reveal, no production.
                self.log("window_source_unrevealed", epoch=epoch, window=j)
                return
            answered = 0
            if len(src) and not synced and self.transport.peers:
                _, answered = await self._sync(src.start, len(src))
                last_chance = self.slot_at(self.clock()) >= rules.window_slots(j).start - 1
                if not answered and not last_chance:
                    self.log("window_sync_retry", epoch=epoch, window=j)
                    return
                if not answered:
                    self.log("alert", reason=f"seed of window {j} of epoch {epoch} fixed without any peer's sync "
                             "answer")
            wseed = await self._core(functools.partial(view.fix_window, epoch, j))
            self._save_seeds()
            self.log("window_fixed", epoch=epoch, window=j, seed=wseed.hex(), synced_peers=answered,
                     late_seed_inputs=view.late_seed_inputs)
            await self._admit_revealed(rules.window_slots(j))

    def _source_revealed(self, src: range) -> bool:
        """Windowed: whether the window holding the slots ``src`` is revealed here (or lies
        before the chain's first slot), so that its blocks were checked and can feed a seed."""
        view = self.view
        assert view is not None and self.gcfg.window is not None
        if not len(src) or src.start < self.gcfg.first_slot(self.cfg.genesis.start_epoch):
            return True
        rules = view.rules(self.gcfg.epoch_of(src.start))
        return isinstance(rules, WindowedSchedule) and rules.is_revealed(src.start)

    async def _admit_revealed(self, slots: range) -> None:
        """Blocks of a window revealed just now waited in the view (not checkable before):
        now valid, they go to the controller and the block log like any new block."""
        view, ctl = self.view, self.controller
        assert view is not None
        now_slot = self.slot_at(self.clock())
        for slot in range(slots.start, min(slots.stop, now_slot + 1)):
            best = view.canonical(slot)
            for block in view.blocks(slot):
                assert self._writer is not None
                self._note_signed(block.validator_id, block.slot)
                self._writer.put("block", json.dumps({"own": False, "t": round(self.clock(), 4), "canonical":
                                                      best is not None and best.block_hash() == block.block_hash(),
                                                      **block.to_dict()},
                                                     separators=(",", ":")))
                if ctl is not None:
                    actions = await self._core(functools.partial(
                        ctl.on_event, BlockSeen.from_claim(block.claim, block.header), self.clock()))
                    await self._carry_out(actions)

    # -- tasks ---------------------------------------------------------------------
    async def _heartbeats(self) -> None:
        seq = int(time.time() * 1000)  # increases across restarts
        while True:
            seq += 1
            hb = wire.sign_heartbeat(self._vote_key, self.gcfg.chain_id, self.id, seq, int(self.clock() * 1000))
            await self.transport.broadcast(wire.encode(hb))
            await asyncio.sleep(self.heartbeat_interval)

    async def _driver(self) -> None:
        ctl = self.controller
        assert ctl is not None
        while True:
            actions = await self._core(lambda: ctl.tick(self.clock()))
            await self._carry_out(actions)
            wake = await self._core(lambda: ctl.next_wakeup(self.clock()))
            now = self.clock()
            delay = 0.05 if wake is None else min(max(wake - now, 0.0), 0.05)
            self._poke.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), delay)
            self._check_missed(now)

    def _check_missed(self, now: float) -> None:
        """Count slots whose every window closed without a block (once per slot)."""
        view = self.view
        assert view is not None
        done = self.slot_at(now - production_span_ms(self.gcfg) / 1000) - 1
        start = max(self._checked_missed + 1, done - 64, 0)
        for slot in range(start, done + 1):
            block = view.canonical(slot)
            if block is None and self.controller is not None \
                    and self.slot_start(slot) >= (self.controller.start_time or 0):
                self.metrics.missed.inc()
                self.metrics.count("slots_missed")
            self._observe_health(slot, block)
        self._checked_missed = max(self._checked_missed, done)

    def _observe_health(self, slot: int, block: SignedBlock | None) -> None:
        """Feed the slot's outcome to the online health monitor (election.risk): availability
        per validator as a metric, change-point alerts as a metric and a log line."""
        sched = None if self.controller is None else self.controller.schedule_for(slot)
        # Availability is "share of its primary slots a validator filled": secret mode has no
        # primaries (docs/node.md, "Election modes"), a windowed slot has one once revealed.
        if sched is None or isinstance(sched, SecretEpoch) or slot <= self._health_slot:
            return
        try:
            primary = sched.leader(slot)
        except WindowNotRevealed:
            return
        self._health_slot = slot
        rank = None if block is None else block.rank
        for flag in self.health_monitor.observe(slot, primary, rank, None if block is None else block.validator_id):
            self.metrics.health_alerts.labels(validator=flag.validator_id).inc()
            self.metrics.count("health_alerts")
            self.log("health_alert", validator=flag.validator_id, kind=flag.kind, evidence=flag.evidence)
        estimate = self.health_monitor.availability(primary).estimate
        if estimate is not None:
            self.metrics.availability.labels(validator=primary).set(estimate)

    async def _seed_keeper(self) -> None:
        view = self.view
        assert view is not None
        length = self.gcfg.epoch_length
        while True:
            cs = self.slot_at(self.clock())
            if cs >= 0:
                e = cs // length
                await self._fix_windows(e, synced=False)
                if cs >= seed_fix_slot(self.gcfg, e) and view.seed(e + 1) is None and view.seed(e) is not None \
                        and self._seed_inputs_revealed(e):
                    _, answered = await self._sync(self.gcfg.first_slot(e), self.gcfg.cutoff)
                    last_chance = self.slot_at(self.clock()) >= self.gcfg.first_slot(e + 1) - 2
                    if answered or not self.transport.peers or last_chance:
                        seed = await self._core(functools.partial(self._fix_seed, e))
                        self._save_seeds()
                        self.log("seed_fixed", epoch=e + 1, seed=seed.hex(), inputs=len(view.seed_inputs(e)),
                                 synced_peers=answered, late_seed_inputs=view.late_seed_inputs)
                        if not answered and self.transport.peers:
                            self.log("alert", reason=f"seed of epoch {e + 1} fixed without any peer's sync answer")
                    else:
                        self.log("seed_sync_retry", epoch=e + 1)
                await self._install_schedules()
                await self._fix_windows(e + 1, synced=False)  # its window 0 once seed e + 1 is known
                if view.tip_slot is not None:
                    self.metrics.tip_slot.set(view.tip_slot)
                ctl = self.controller
                if ctl is not None:
                    now = self.clock()
                    for peer in self.transport.peers:
                        det = ctl.detector(peer)
                        if det is not None:
                            self.metrics.peer_phi.labels(peer=peer).set(min(det.phi(now), 1e6))
            await asyncio.sleep(self._slot_s / 2)

    async def _receiver(self) -> None:
        while True:
            src, data = await self.transport.recv()
            await self._handle(src, data)

    async def _handle(self, src: str, data: bytes) -> None:
        try:
            msg = wire.decode(data)
        except wire.WireError as exc:
            self.metrics.reject(f"wire_{exc.code}")
            return
        try:
            await self._dispatch(src, msg, data)
        except (ElectionError, ValueError) as exc:
            self.metrics.reject(type(exc).__name__)

    async def _drain(self, limit: int = 256, budget: float = 0.01) -> None:
        """Handle the datagrams already received (at most ``limit``, for at most ``budget``
        seconds): a producer first learns the blocks that reached it while it was busy, so it
        builds on the newest parent, without spending its window on a backlog."""
        end = time.monotonic() + budget
        for _ in range(limit):
            item = self.transport.recv_nowait()
            if item is None:
                return
            await self._handle(*item)
            if time.monotonic() >= end:
                return

    async def _dispatch(self, src: str, msg: wire.Message, raw: bytes) -> None:
        if isinstance(msg, wire.HeartbeatMsg):
            await self._on_heartbeat(msg)
        elif isinstance(msg, wire.BlockMsg):
            header = msg.block.header
            digest = hashlib.sha256(msg.payload).digest()
            if header is not None and msg.payload and digest != header.header.payload_digest:
                self.metrics.reject("payload_mismatch")  # the payload is not the one the producer signed
                return
            res = await self._add_block(msg.block, own=False)
            if res.valid:
                await self.transport.broadcast(raw)  # relay once: duplicates are not relayed
        elif isinstance(msg, wire.VoteMsg):
            await self._on_vote(msg, raw)
        elif isinstance(msg, wire.EvidenceMsg):
            await self._on_evidence(msg, raw)
        elif isinstance(msg, wire.SyncRequest):
            await self._on_sync_request(msg)
        elif isinstance(msg, wire.SyncResponse):
            if src != msg.responder_id:  # the answer must come from the peer's configured address
                self.metrics.reject("sync_wrong_source")
                return
            await self._on_sync_response(msg)

    # -- inputs --------------------------------------------------------------------
    async def _on_heartbeat(self, hb: wire.HeartbeatMsg) -> None:
        if hb.chain_id != self.gcfg.chain_id:
            self.metrics.reject("heartbeat_chain")
            return
        table = self.cfg.genesis.table_for(max(0, self.slot_at(self.clock())) // self.gcfg.epoch_length)
        v = table.get(hb.validator_id)
        if v is None or hb.validator_id == self.id:
            self.metrics.reject("unknown_sender")
            return
        if hb.seq <= self._hb_seq.get(hb.validator_id, -1):
            self.metrics.reject("heartbeat_replay")
            return
        if abs(hb.time_ms / 1000 - self.clock()) > self.cfg.max_clock_skew:
            self.metrics.reject("heartbeat_skew")
            return
        hb.verify(v.vote_key)
        self._hb_seq[hb.validator_id] = hb.seq
        ctl = self.controller
        if ctl is not None:
            await self._core(lambda: ctl.on_event(Heartbeat(hb.validator_id), self.clock()))

    async def _add_block(self, block: SignedBlock, own: bool) -> AddResult:
        view = self.view
        assert view is not None

        def add() -> tuple[AddResult, list[Action]]:
            res = view.add(block)
            acts: list[Action] = []
            ctl = self.controller
            if res.valid and ctl is not None:
                # Vouched by the view (claim, certificate, header and proof checked there): the
                # controller does not verify it a second time.
                c = block.claim
                acts = ctl.on_event(BlockSeen(c.slot, c.rank, c.validator_id, c, block.header, res.beta),
                                    self.clock())
            return res, acts
        res, actions = await self._core(add)
        if res.status == "rejected":
            self.metrics.reject(res.reason or "invalid")
            if res.reason in ("seed_mismatch", "unbound_vote"):
                self.metrics.reject("SeedMismatch")
        if res.valid:
            self._note_signed(block.validator_id, block.slot)
            assert self._writer is not None
            self._writer.put("block", json.dumps({"own": own, "t": round(self.clock(), 4), "canonical":
                                                  res.status == "canonical", **block.to_dict()},
                                                 separators=(",", ":")))
            self.metrics.count("blocks_valid")
        if res.late_seed_input:
            self.metrics.late_seed_inputs.inc()
            self.log("late_seed_input", slot=block.slot, rank=block.rank)
        for ev in res.evidence:
            await self._publish_evidence(ev)
        await self._carry_out(actions)
        return res

    async def _on_vote(self, msg: wire.VoteMsg, raw: bytes) -> None:
        ctl = self.controller
        vote = msg.vote
        if ctl is None or not self._new(raw):
            return
        self.metrics.votes.labels(direction="received").inc()

        def feed() -> tuple[list[Action], bool, list[str]]:
            before = dict(ctl.rejected)
            acts = ctl.on_event(VoteReceived(vote), self.clock())
            pool = ctl.pool_for(vote.slot)
            ok = pool is not None and pool.vote_of(vote.slot, vote.rank, vote.voter_id) == vote
            return acts, ok, [r for r, n in ctl.rejected.items() if n > before.get(r, 0)]
        actions, accepted, reasons = await self._core(feed)
        for reason in reasons:
            self.metrics.reject(reason)
        if accepted:
            self._note_signed(vote.voter_id, vote.slot)
            await self.transport.broadcast(raw)
        await self._carry_out(actions)

    async def _on_evidence(self, msg: wire.EvidenceMsg, raw: bytes) -> None:
        if not self._new(raw):
            return
        ev = msg.evidence
        table = self.cfg.genesis.table_for(ev.slot // self.gcfg.epoch_length)
        verify_evidence(ev, table, self.gcfg)
        self.metrics.evidence.labels(kind=ev.kind).inc()
        self.metrics.count("evidence_received")
        self.log("evidence", kind=ev.kind, validator=ev.validator_id, slot=ev.slot, source="peer")
        await self.transport.broadcast(raw)

    async def _publish_evidence(self, ev: Any) -> None:
        raw = wire.encode(wire.EvidenceMsg(ev))
        if not self._new(raw):
            return
        self.metrics.evidence.labels(kind=ev.kind).inc()
        self.metrics.count("evidence_found")
        self.log("evidence", kind=ev.kind, validator=ev.validator_id, slot=ev.slot, hex=evidence_to_bytes(ev).hex())
        await self.transport.broadcast(raw)

    async def _on_sync_request(self, req: wire.SyncRequest) -> None:
        view = self.view
        if view is None or req.requester_id not in self.transport.peers:
            self.metrics.reject("sync_unknown_peer")
            return
        if not self._sync_limit.allow(req.requester_id):
            self.metrics.reject("sync_rate")
            return
        blocks = await self._core(lambda: list(view.canonical_range(req.first_slot, req.count)))
        high = self._signed_high.get(req.requester_id)
        for part in wire.split_sync_response(self.id, req, blocks, view.tip_slot, high):
            await self.transport.send(req.requester_id, part)

    async def _on_sync_response(self, resp: wire.SyncResponse) -> None:
        w = self._waiters.get(resp.nonce)
        if w is None or resp.responder_id not in w.missing:
            self.metrics.reject("sync_unexpected")
            return
        for b in resp.blocks:
            if resp.first_slot <= b.slot < resp.first_slot + resp.count:
                await self._add_block(b, own=False)
        if resp.requester_high is not None and (w.high is None or resp.requester_high > w.high):
            w.high = resp.requester_high
        if resp.last:
            w.missing.discard(resp.responder_id)
            w.answered += 1
            if not w.missing:
                w.done.set()

    # -- actions -------------------------------------------------------------------
    async def _carry_out(self, actions: list[Action]) -> None:
        for a in actions:
            if isinstance(a, BroadcastVote):
                raw = wire.encode(wire.VoteMsg(a.vote))
                self._new(raw)
                self.metrics.votes.labels(direction="sent").inc()
                self.metrics.count("votes_sent")
                await self.transport.broadcast(raw)
            elif isinstance(a, Produce):
                await self._produce(a)
            elif isinstance(a, Abandon):
                self.metrics.abandoned.inc()
                self.log("abandoned", slot=a.slot, rank=a.rank)
            elif isinstance(a, Alert):
                self.log("alert", validator=a.validator_id, reason=a.reason)
            elif isinstance(a, EvidenceFound):
                await self._publish_evidence(a.evidence)

    async def _produce(self, a: Produce) -> None:
        ctl, view = self.controller, self.view
        assert ctl is not None and view is not None
        await self._drain()
        # A gap just before this slot may be a block this node lost: ask the peers for the
        # recent empty slots, briefly, so the new block builds on the canonical parent.
        recent = range(max(0, a.slot - 4, view.floor), a.slot)
        gaps = [x for x in recent if view.canonical(x) is None]
        if gaps:
            budget = min(0.03, (a.deadline - self.clock()) / 4)
            if budget > 0:
                self.metrics.count("presync")
                await self._sync(gaps[0], a.slot - gaps[0], timeout=budget)
        payload = self.payload_builder(a.slot, a.rank)
        digest = hashlib.sha256(payload).digest()

        def sign() -> SignedBlock:
            header = ctl.sign_header(a, digest, self.clock(), parent_hash=view.parent_for(a.slot))
            return SignedBlock(a.claim, header)
        try:
            block = await self._core(sign)
        except (ProductionRefused, ElectionError) as exc:
            code = getattr(exc, "code", type(exc).__name__)
            self.metrics.reject(f"produce_{code}")
            self.log("production_refused", slot=a.slot, rank=a.rank, code=code)
            return
        if self.clock() >= a.deadline:
            # Signed in time but not sent in time (an overloaded or just-resumed process): a
            # block must not leave after its window (failover.Produce), so it is withheld.
            self.metrics.reject("produce_sent_too_late")
            self.log("production_refused", slot=a.slot, rank=a.rank, code="send_past_deadline")
            return
        await self.transport.broadcast(wire.encode(wire.BlockMsg(block, payload)))
        sent = self.clock()
        self.produced.append((a.slot, a.rank, sent))
        del self.produced[:-1024]
        self.metrics.produced.labels(rank=str(a.rank)).inc()
        self.metrics.count("produced")
        latency = sent - self.slot_start(a.slot)
        if a.rank > 0:
            self.metrics.takeovers.inc()
            self.metrics.count("taken_over")
            self.metrics.takeover_latency.observe(latency)
        self.log("produced", slot=a.slot, rank=a.rank, latency_ms=round(latency * 1000, 1),
                 hash=block.block_hash().hex()[:16])
        await self._add_block(block, own=True)

    # -- HTTP ----------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """The health document served at ``/health``."""
        now = self.clock()
        cs = self.slot_at(now)
        out: dict[str, Any] = {"validator_id": self.id, "status": self.status, "mode": self.gcfg.mode, "slot": cs,
                               "counts": dict(self.metrics.counts), "transport": dict(self.transport.stats)}
        view = self.view
        if view is not None:
            out["tip_slot"] = view.tip_slot
            out["seed_epochs"] = sorted(view.seeds)
            out["late_seed_inputs"] = view.late_seed_inputs
            nxt = cs + 1
            rules: EpochRules | None = view.rules(max(nxt, 0) // self.gcfg.epoch_length)
            if rules is not None and nxt >= 0:
                out["next_slot"] = nxt
                # Secret mode: no one knows the next leader before it publishes.
                with contextlib.suppress(WindowNotRevealed):
                    out["next_leader"] = None if isinstance(rules, SecretEpoch) else rules.leader(nxt)
        return out

    async def _http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), 2)
            parts = line.decode("latin-1").split()
            path = parts[1] if len(parts) >= 2 else "/"
            if path.startswith("/metrics"):
                body = self.metrics.render()
                status, ctype = ("200 OK", "text/plain; version=0.0.4") if body is not None else \
                    ("503 Service Unavailable", "text/plain")
                body = body if body is not None else b"prometheus-client is not installed\n"
            elif path.startswith("/health"):
                doc = self.health()
                ok = doc["status"] == "running"
                status, ctype = ("200 OK" if ok else "503 Service Unavailable"), "application/json"
                body = json.dumps(doc).encode()
            else:
                status, ctype, body = "404 Not Found", "text/plain", b"not found\n"
            writer.write(f"HTTP/1.0 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                         f"Connection: close\r\n\r\n".encode() + body)
            await asyncio.wait_for(writer.drain(), 2)
        except (TimeoutError, ConnectionError, UnicodeError):
            pass
        finally:
            writer.close()
