"""A deterministic in-memory network on a virtual clock, and a cluster of failover nodes on it.

For tests, benchmarks and simulations only: :class:`VirtualNetwork` is a priority queue
of deliveries ordered by (time, sequence number) with configurable latency and jitter
(drawn from its own seeded ``random.Random``), a crashed set and partitions.
:class:`FailoverCluster` runs one :class:`~election.node.failover.FailoverController` per
development validator (real keys, proofs and signatures) on such a network, sends
heartbeats, wakes each controller exactly when it asks to (``next_wakeup``), carries
out its actions and records every block produced.  Same arguments, same run.

Every election mode runs: the cluster builds each epoch's rules with
:func:`~election.rules.modes.make_rules`; in windowed mode it keeps one
:class:`~election.rules.windowed.WindowedSchedule` per epoch, shared by its nodes (each
would compute the same), and reveals window ``g`` once window ``g - 2`` has settled (its
last slot's ladder is over) from the canonical blocks of that window.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import vrf

from ..node.failover import (
    Action,
    BlockSeen,
    BroadcastVote,
    Event,
    FailoverController,
    Guard,
    Heartbeat,
    Produce,
    VoteReceived,
)
from ..rules._codec import u64
from ..rules.claims import LeaderClaim
from ..rules.config import ElectionConfig
from ..rules.errors import ElectionError
from ..rules.forkchoice import choose, choose_race
from ..rules.headers import SignedHeader
from ..rules.modes import EpochRules, SecretEpoch, make_rules
from ..rules.stake import StakeTable
from ..rules.windowed import WindowedSchedule, window_source
from .keys import DevValidator, dev_table

__all__ = ["VirtualNetwork", "FailoverCluster", "ProducedBlock", "fixed_epoch_seed"]

CONTROL = "\x00control"
"""Destination name of control entries (callables run at their time)."""


class VirtualNetwork:
    """Messages and timers on a virtual clock, delivered in (time, sequence) order.

    Args:
        latency: base one-way delay, seconds.
        jitter: extra delay drawn uniformly from ``[0, jitter]`` per message.
        seed: seed of the network's own random generator (jitter, loss).
        loss: probability that a message is dropped.
        start: initial clock value, seconds.
    """

    def __init__(self, latency: float = 0.005, jitter: float = 0.0, seed: int = 0,
                 loss: float = 0.0, start: float = 0.0) -> None:
        self.latency = latency
        self.jitter = jitter
        self.loss = loss
        self.rng = random.Random(seed)
        self.now = start
        self.crashed: set[str] = set()
        self.extra_delay: dict[str, float] = {}
        """Additional delay of every message sent by a node (a slow node), seconds."""
        self._groups: dict[str, int] | None = None
        self._queue: list[tuple[float, int, str, Any]] = []
        self._seq = 0
        self.sent = 0
        self.dropped = 0

    # -- faults ----------------------------------------------------------------------
    def partition(self, *groups: Sequence[str]) -> None:
        """Split the nodes: messages cross no group boundary (nodes in no group are isolated)."""
        self._groups = {n: i for i, g in enumerate(groups) for n in g}

    def heal(self) -> None:
        """Remove the partition."""
        self._groups = None

    def reachable(self, src: str, dst: str) -> bool:
        """Whether a message from ``src`` to ``dst`` is delivered (ignoring loss)."""
        if src in self.crashed or dst in self.crashed:
            return False
        if self._groups is None or src == dst:
            return True
        g = self._groups.get(src)
        return g is not None and g == self._groups.get(dst)

    # -- queue -------------------------------------------------------------------------
    def schedule(self, at: float, dst: str, item: Any) -> None:
        """Deliver ``item`` to ``dst`` at time ``at`` (a timer when sent to oneself)."""
        heapq.heappush(self._queue, (max(at, self.now), self._seq, dst, item))
        self._seq += 1

    def send(self, src: str, dst: str, message: Any) -> None:
        """Send ``message`` from ``src`` to ``dst`` with the network's latency and faults."""
        self.sent += 1
        if not self.reachable(src, dst) or (self.loss and self.rng.random() < self.loss):
            self.dropped += 1
            return
        delay = self.latency + self.extra_delay.get(src, 0.0)
        if self.jitter:
            delay += self.rng.uniform(0.0, self.jitter)
        self.schedule(self.now + delay, dst, ("msg", src, message))

    def pop(self, until: float) -> tuple[float, str, Any] | None:
        """Advance the clock to the next entry at or before ``until`` and return it.

        Entries for crashed nodes are discarded.  Returns None (with the clock at
        ``until``) when nothing is due by then.
        """
        while self._queue and self._queue[0][0] <= until:
            at, _, dst, item = heapq.heappop(self._queue)
            self.now = at
            if dst in self.crashed:
                continue
            return at, dst, item
        self.now = max(self.now, until)
        return None


def fixed_epoch_seed(epoch: int) -> bytes:
    """A fixed public 32-byte seed per epoch for test clusters (not a chained seed)."""
    return hashlib.sha512(b"seqvrf/testing/epoch-seed" + u64(epoch)).digest()[:32]


@dataclass(frozen=True)
class ProducedBlock:
    """A block a node published: its claim, signed header and the virtual time of publication."""

    time: float
    claim: LeaderClaim
    header: SignedHeader | None = None

    @property
    def block_hash(self) -> bytes:
        return b"" if self.header is None else self.header.block_hash()


def payload_digest_for(vid: str, slot: int, salt: bytes = b"") -> bytes:
    """The dummy payload digest test nodes put in their headers (``salt`` makes a different block)."""
    return hashlib.sha512(b"seqvrf/testing/payload" + vid.encode() + u64(slot) + salt).digest()[:32]


@dataclass
class _NodeState:
    controller: FailoverController
    next_tick: float | None = None
    epochs: set[int] = field(default_factory=set)


class FailoverCluster:
    """Development validators running :class:`FailoverController` on a :class:`VirtualNetwork`.

    Slot 0 starts at time 0; the run starts at ``start`` (< 0 lets heartbeats warm the
    detectors up).  Each node heartbeats every ``heartbeat_interval`` (staggered), gets
    the next epoch's schedule installed one epoch ahead, and is ticked when its
    controller's ``next_wakeup`` says.

    Args:
        stakes: one stake per validator (ids ``v0000``, ``v0001``...).
        config: the election parameters.
        key_seed: selects the development keys.
        seed_of: epoch -> 32-byte seed (default :func:`fixed_epoch_seed`).
        latency, jitter, loss, net_seed: passed to :class:`VirtualNetwork`.
        heartbeat_interval: seconds between heartbeats (default ``failover_timeout / 5``).
        start: the virtual time the nodes boot.
        controller_kwargs: extra keyword arguments for every controller.
        guard_factory: builds each node's signing guard once (it survives the node's
            restarts, as a guard file on disk would); None: no guard.
        skew: per-node clock offset in seconds (the node's clock reads ``true time + skew``).
    """

    def __init__(self, stakes: Sequence[int], config: ElectionConfig, *, key_seed: bytes = b"cluster",
                 seed_of: Callable[[int], bytes] = fixed_epoch_seed, latency: float = 0.005,
                 jitter: float = 0.002, loss: float = 0.0, net_seed: int = 0,
                 heartbeat_interval: float | None = None, start: float = -1.0,
                 controller_kwargs: dict[str, Any] | None = None,
                 guard_factory: Callable[[str], Guard] | None = None,
                 skew: dict[str, float] | None = None) -> None:
        self.config = config
        self.table: StakeTable
        self.secrets: dict[str, DevValidator]
        self.table, self.secrets = dev_table(stakes, key_seed)
        self._seed_of = seed_of
        self._schedules: dict[int, EpochRules] = {}
        self.net = VirtualNetwork(latency, jitter, net_seed, loss, start)
        self.heartbeat_interval = heartbeat_interval or config.failover_timeout_ms / 5000
        self._kwargs = dict(controller_kwargs or {})
        self.blocks: dict[int, list[ProducedBlock]] = {}
        self.log: list[tuple[float, str, Action]] = []
        self.withholding: set[str] = set()
        """Nodes that stay alive (heartbeats, votes) but never publish their blocks."""
        self.build_delay: dict[str, float] = {}
        """Seconds a node spends building a block between Produce and signing its header."""
        self.crash_after_sign: set[str] = set()
        """Nodes that crash right after signing a header, before sending the block."""
        self.refused: list[tuple[float, str, str]] = []
        """``(time, node, code)`` of every header the controller refused to sign."""
        self.skew = dict(skew or {})
        self._stalled: dict[str, float] = {}
        self._guard_factory = guard_factory
        self.guards: dict[str, Guard] = {}
        self.boots: dict[str, int] = {}
        """How many times each node booted; its payloads differ per boot, as a restarted
        sequencer builds a new batch."""
        self.nodes: dict[str, _NodeState] = {}
        self.ids = self.table.ids
        for i, vid in enumerate(self.ids):
            self._boot(vid, start, start + self.heartbeat_interval * i / len(self.ids))

    # -- setup -----------------------------------------------------------------------
    def schedule(self, epoch: int) -> EpochRules:
        """The (cached) rules of ``epoch`` for the config's mode (a windowed schedule is
        revealed by :meth:`run` as its windows' sources settle)."""
        s = self._schedules.get(epoch)
        if s is None:
            s = self._schedules[epoch] = make_rules(self.config, self.table, epoch, self._seed_of(epoch))
            if isinstance(s, WindowedSchedule):
                self._reveal_windows(s, self.net.now)
        return s

    def _settle_s(self) -> float:
        """Seconds after a slot's start when its ladder is over (every rank's window and
        the patience past it) and the network has delivered its blocks."""
        t = self.config.failover_timeout_ms / 1000
        return (self.config.backups + 1) * t + t / 4 + 0.1

    def _reveal_windows(self, sched: WindowedSchedule, now: float) -> None:
        """Reveal every window of ``sched`` whose source window has settled by ``now``."""
        while sched.revealed < sched.windows:
            src = window_source(self.config, sched.epoch, sched.revealed)
            if len(src) and now < self.config.slot_offset_ms(src.stop - 1) / 1000 + self._settle_s():
                return
            acc = sched.next_window_accumulator()
            for x in src:
                b = self.best_block(x)
                if b is not None:
                    acc.add(x, vrf.proof_to_hash(b.claim.proof, self.config.suite))
            sched.reveal(acc.finish())
    def controller(self, vid: str) -> FailoverController:
        """The running controller of node ``vid``."""
        return self.nodes[vid].controller

    def _boot(self, vid: str, now: float, first_heartbeat: float) -> None:
        epoch = max(0, int(now * 1000) // self.config.slot_duration_ms // self.config.epoch_length)
        sec = self.secrets[vid]
        self.boots[vid] = self.boots.get(vid, 0) + 1
        kwargs = dict(self._kwargs)
        if self._guard_factory is not None:
            if vid not in self.guards:
                self.guards[vid] = self._guard_factory(vid)
            kwargs["guard"] = self.guards[vid]
        ctl = FailoverController(self.config, self.schedule(epoch), vid, sec.vrf_secret, sec.vote_seed,
                                 start_time=now + self.skew.get(vid, 0.0),
                                 genesis_time=0.0, **kwargs)
        self.nodes[vid] = _NodeState(ctl, now, {epoch})
        self.net.schedule(first_heartbeat, vid, ("heartbeat",))
        self.net.schedule(now, vid, ("tick",))  # a node acts at once when it (re)starts

    # -- faults ----------------------------------------------------------------------
    def at(self, when: float, fn: Callable[[], None]) -> None:
        """Run ``fn`` at virtual time ``when``."""
        self.net.schedule(when, CONTROL, fn)

    def crash(self, vid: str, when: float | None = None) -> None:
        """Crash node ``vid`` now or at ``when``: it stops sending, receiving and ticking."""
        if when is None:
            self.net.crashed.add(vid)
        else:
            self.at(when, lambda: self.net.crashed.add(vid))

    def recover(self, vid: str, when: float) -> None:
        """Restart node ``vid`` at ``when`` with a fresh controller (its state was lost)."""
        def go() -> None:
            self.net.crashed.discard(vid)
            self._boot(vid, when, when)
        self.at(when, go)

    def stall(self, vid: str, start: float, end: float) -> None:
        """Freeze node ``vid`` from ``start`` to ``end`` (as SIGSTOP/SIGCONT would): what
        arrives meanwhile is processed at ``end``, in order, with the clock reading ``end``."""
        def go() -> None:
            self._stalled[vid] = end
        self.at(start, go)

    def inject(self, when: float, dst: str, event: Event, src: str = "?") -> None:
        """Deliver ``event`` to node ``dst`` at ``when`` (e.g. a forged vote)."""
        self.net.schedule(when, dst, ("msg", src, event))

    # -- running ---------------------------------------------------------------------
    def run(self, until: float) -> None:
        """Process every entry up to virtual time ``until``."""
        net = self.net
        while True:
            entry = net.pop(until)
            if entry is None:
                return
            now, dst, item = entry
            if dst == CONTROL:
                item()
                continue
            if self.config.mode == "windowed":
                for sched in self._schedules.values():
                    if isinstance(sched, WindowedSchedule) and sched.revealed < sched.windows:
                        self._reveal_windows(sched, now)
            resume = self._stalled.get(dst)
            if resume is not None:
                if now < resume:
                    net.schedule(resume, dst, item)  # held while frozen, FIFO at resume
                    continue
                del self._stalled[dst]
            node = self.nodes[dst]
            kind = item[0]
            if kind == "heartbeat":
                for other in self.ids:
                    if other != dst:
                        net.send(dst, other, Heartbeat(dst))
                net.schedule(now + self.heartbeat_interval, dst, ("heartbeat",))
                continue
            if kind == "publish":
                self._publish(dst, now, item[1])
                continue
            self._install_epochs(dst, now)
            local = now + self.skew.get(dst, 0.0)
            if kind == "tick":
                if node.next_tick != now:
                    continue  # superseded
                node.next_tick = None
                actions = node.controller.tick(local)
            else:
                actions = node.controller.on_event(item[2], local)
            self._carry_out(dst, now, actions)
            self._reschedule(dst, now)

    def _install_epochs(self, vid: str, now: float) -> None:
        node = self.nodes[vid]
        slot = node.controller.slot_at(now + self.skew.get(vid, 0.0))
        nxt = max(0, slot) // self.config.epoch_length + 1
        if nxt not in node.epochs:
            node.controller.set_schedule(self.schedule(nxt))
            node.epochs.add(nxt)

    def _reschedule(self, vid: str, now: float) -> None:
        node = self.nodes[vid]
        skew = self.skew.get(vid, 0.0)
        wake = node.controller.next_wakeup(now + skew)
        if wake is None:
            return
        wake -= skew
        if wake <= now:  # rounding of the skew: still strictly later, or a tick would repeat forever
            wake = math.nextafter(now, math.inf)
        if node.next_tick is None or node.next_tick <= now or wake < node.next_tick:
            node.next_tick = wake
            self.net.schedule(wake, vid, ("tick",))

    def _carry_out(self, vid: str, now: float, actions: list[Action]) -> None:
        for a in actions:
            self.log.append((now, vid, a))
            if isinstance(a, BroadcastVote):
                msg: Event = VoteReceived(a.vote)
            elif isinstance(a, Produce):
                if vid in self.withholding:
                    continue
                delay = self.build_delay.get(vid, 0.0)
                if delay > 0:
                    self.net.schedule(now + delay, vid, ("publish", a))
                else:
                    self._publish(vid, now, a)
                continue
            else:
                continue
            for other in self.ids:
                if other != vid:
                    self.net.send(vid, other, msg)

    def _publish(self, vid: str, now: float, a: Produce) -> None:
        """Sign the header (the controller checks the window and the slot's state) and send."""
        ctl = self.nodes[vid].controller
        try:
            payload = payload_digest_for(vid, a.slot, u64(self.boots[vid]))
            header = ctl.sign_header(a, payload, now + self.skew.get(vid, 0.0))
        except ElectionError as exc:
            self.refused.append((now, vid, getattr(exc, "code", type(exc).__name__)))
            return
        if vid in self.crash_after_sign:
            self.net.crashed.add(vid)
            return
        self.send_block(vid, now, a.claim, header)

    def send_block(self, vid: str, now: float, claim: LeaderClaim, header: SignedHeader | None) -> None:
        """Record ``vid``'s block and send it to every other node (also for adversaries)."""
        self.blocks.setdefault(claim.slot, []).append(ProducedBlock(now, claim, header))
        msg = BlockSeen.from_claim(claim, header)
        for other in self.ids:
            if other != vid:
                self.net.send(vid, other, msg)

    # -- results ---------------------------------------------------------------------
    def best_block(self, slot: int) -> ProducedBlock | None:
        """The canonical produced block of ``slot`` by the fork choice (highest rank, then
        the smaller block hash), or None."""
        blocks = self.blocks.get(slot)
        if not blocks:
            return None
        rules = self.schedule(self.config.epoch_of(slot))
        if isinstance(rules, SecretEpoch):
            return choose_race([(rules.entry(b.claim.validator_id, vrf.proof_to_hash(b.claim.proof, self.config.suite)),
                                 b.block_hash, b) for b in blocks])
        return choose([(b.claim.rank, b.block_hash, b) for b in blocks])
