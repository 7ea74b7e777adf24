"""The discrete-event engine: validators running :class:`FailoverController` on a
simulated network, on a virtual clock.

Only the clock and the network are simulated.  Keys (development keys from a public
seed), VRF proofs, vote signatures, schedules, seeds, certificates and the failover
rules are the library's own.  Every random draw comes from an explicit
``random.Random`` seeded from the run's seed, so a run is a pure function of its
:class:`SimParams`.

**The chain** is a :class:`~election.chain.view.ChainView`, the component the node and
the audit run: every valid block a node publishes is admitted into it (verified once, see
below), and the engine reads from it the canonical block of a slot (the fork choice, rank
or race), the next epoch's seed (:meth:`~election.chain.view.ChainView.fix_seed` at the
start of the epoch's last slot), the window seeds (:meth:`~election.chain.view.ChainView.fix_window`
once a source window has settled) and, with ``recovery``, the effective stake tables.

Work per slot is kept bounded with three honest shortcuts (docs/simulate.md):

* **Claims are verified once per distinct claim** (a cache keyed by the claim's bytes):
  every node checks the same bytes against the same schedule, so the result is the same
  for all.  A valid claim reaches the controllers as a vouched ``BlockSeen`` (claim
  None); an invalid one is handed to *every* controller with its claim, and each one
  runs :func:`verify_claim` and rejects it itself.
* **Timeout votes for (slot, rank) go to the validator at that rank**, the only node
  that can use a certificate for it (a broadcast would only make the others verify
  signatures they cannot use).  Invalid votes go to every node, which reject them.
* **Heartbeats go out in rounds**: every live node beats every ``heartbeat`` seconds
  (same phase); a round reaches every live node at once after the network latency,
  each (sender, receiver) pair subject to loss.  With no loss every receiver hears a
  sender at the same times, so they share its history: one
  :class:`~election.node.health.HeartbeatFeed` per sender, and each controller holds
  a follower detector per peer (installed at boot with
  :meth:`FailoverController.set_detector`); a round costs O(V), not O(V^2), and the
  followers' judgements are exactly those of per-pair detectors.  With loss each pair
  gets its own detector: the first heartbeat of a pair goes through ``on_event``;
  later ones feed the controller's detector directly
  (``controller.detector(peer).heartbeat(t)``, the same call ``on_event`` makes).
  A node asks :meth:`FailoverController.next_wakeup` only while it is still missing a
  block for a recent slot (otherwise it has nothing to vote on).

**Modes** (``SimParams.mode``).  Windowed: one :class:`~election.rules.windowed.WindowedSchedule`
per epoch, shared by the nodes; at each slot start the engine reveals every window whose
source window (two back) has settled, from the canonical blocks' betas.  Secret: every
live node is ticked at each slot start (it produces if eligible); vouched blocks carry
their beta; the canonical block is the best race entry.  The byzantine kinds and the
per-slot primary faults (``stall``, ``restart``) model the rotation's primary and run in
the ranked modes only.  The ``target`` fault (:class:`~election.sim.faults.TargetedDoS`)
isolates, during each slot, the first ``budget`` validators of that slot's ranking when it
was predictable ``lead`` slots ahead: their messages (blocks, votes, heartbeats) in and out
are dropped.
"""

from __future__ import annotations

import hashlib
import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import vrf

from ..chain.formats import GenesisFile
from ..chain.view import ChainView
from ..dev.keys import dev_table
from ..node.failover import (
    Abandon,
    Action,
    Alert,
    BlockSeen,
    BroadcastVote,
    EvidenceFound,
    FailoverController,
    Heartbeat,
    Produce,
    VoteReceived,
)
from ..node.guard import SigningGuard
from ..node.health import HeartbeatFeed, PhiAccrualDetector
from ..rules.blocks import SignedBlock
from ..rules.claims import LeaderClaim, verify_claim
from ..rules.config import ElectionConfig
from ..rules.errors import ElectionError, InvalidClaim
from ..rules.headers import InvalidHeader, SignedHeader, make_header, verify_header
from ..rules.inactivity import InactivityState
from ..rules.modes import EpochRules, SecretEpoch
from ..rules.schedule import Schedule
from ..rules.seeds import next_seed
from ..rules.stake import StakeTable
from ..rules.votes import TimeoutVote
from ..rules.windowed import WindowedSchedule, WindowNotRevealed, window_source
from .faults import BYZANTINE, FaultSpec, TargetedDoS

__all__ = ["SimParams", "SimError", "Published", "SimRun", "Simulation", "pareto_stakes", "simulate"]

_HB, _SLOT, _CHECK, _TICK, _MSG, _CTRL = range(6)


class SimError(ElectionError, ValueError):
    """Simulation parameters that cannot run (the message says which and why)."""


def pareto_stakes(n: int, rng: random.Random, alpha: float = 1.16, scale: int = 1000) -> list[int]:
    """``n`` integer stakes from a Pareto distribution (alpha 1.16: the 80/20 rule)."""
    return [max(1, int(scale * rng.paretovariate(alpha))) for _ in range(n)]


@dataclass(frozen=True)
class SimParams:
    """Everything a run depends on.

    Attributes:
        validators: number of validators (ignored when ``stakes`` is given).
        epochs: epochs to simulate.
        epoch_length: slots per epoch.
        stake: ``"pareto"`` or ``"equal"`` (ignored when ``stakes`` is given).
        stakes: explicit stakes, one per validator.
        slot_ms, timeout_ms, backups: the :class:`ElectionConfig` timing and depth.
        latency, jitter: one-way delay, seconds: ``latency + uniform(0, jitter)``.
        loss: probability that a message (or one heartbeat) is lost.
        heartbeat: seconds between heartbeat rounds.
        faults: the fault models.
        seed: the run's seed (keys, stakes, faults, network, initial epoch seed).
        recovery: turn the inactivity rule on (docs/spec.md section 19) with
            ``inactivity_threshold = recovery_threshold`` and the default divisor; off by
            default (the run is then byte-identical to a run without the option).
        recovery_threshold: the percentage of missed primary slots that reduces a validator.
        mode: the election mode, ``"rotation"``, ``"windowed"`` or ``"secret"``.
        window: windowed mode: slots per window (default: the largest divisor of
            ``epoch_length`` up to ``epoch_length // 10``, at least 1).
        proposers: secret mode: ``k``, the expected eligible proposers per slot (default 5).
    """

    validators: int = 50
    epochs: int = 4
    epoch_length: int = 300
    stake: str = "pareto"
    stakes: tuple[int, ...] | None = None
    slot_ms: int = 2000
    timeout_ms: int = 500
    backups: int = 3
    latency: float = 0.05
    jitter: float = 0.02
    loss: float = 0.0
    heartbeat: float = 0.5
    faults: FaultSpec = field(default_factory=FaultSpec)
    seed: int = 1
    recovery: bool = False
    recovery_threshold: int = 50
    mode: str = "rotation"
    window: int | None = None
    proposers: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (for summary.json); ``recovery`` only when on."""
        extra: dict[str, Any] = {"recovery": True, "recovery_threshold": self.recovery_threshold} \
            if self.recovery else {}
        return {"validators": self.validators, "epochs": self.epochs, "epoch_length": self.epoch_length,
                "stake": self.stake if self.stakes is None else "explicit",
                "slot_ms": self.slot_ms, "timeout_ms": self.timeout_ms, "backups": self.backups,
                "latency": self.latency, "jitter": self.jitter, "loss": self.loss,
                "heartbeat": self.heartbeat, "faults": self.faults.to_list(), "seed": self.seed, **extra,
                **({"mode": self.mode, "window": self.window, "proposers": self.proposers}
                   if self.mode != "rotation" else {})}


@dataclass(frozen=True)
class Published:
    """A valid block that some node published.

    Attributes:
        time: virtual publication time, seconds.
        claim: its leadership claim.
        beta: the claim's VRF output.
        variant: 0, or 1 for an equivocating producer's second block.
        header: the producer's signed header.
    """

    time: float
    claim: LeaderClaim
    beta: bytes
    variant: int = 0
    header: SignedHeader | None = None

    @property
    def block_hash(self) -> bytes:
        return b"" if self.header is None else self.header.block_hash()


@dataclass
class _Node:
    vid: str
    ctl: FailoverController | None = None
    watch: set[int] = field(default_factory=set)
    seen: dict[int, int] = field(default_factory=dict)
    variants: dict[int, set[int]] = field(default_factory=dict)
    next_tick: float | None = None
    epochs: set[int] = field(default_factory=set)
    stalled_until: float | None = None
    boots: int = 0
    held: list[tuple[int, Any, Any]] = field(default_factory=list)  # events that arrived while stalled


@dataclass
class SimRun:
    """What a run produced: the chain, the genesis and every counter the summary needs."""

    params: SimParams
    config: ElectionConfig
    genesis: GenesisFile
    table: StakeTable
    seeds: list[bytes]
    canonical: dict[int, Published]
    rejected: list[LeaderClaim]
    roles: dict[str, list[str]]
    counters: dict[str, int]
    primary_failed: dict[int, str]
    grinding: list[dict[str, Any]]
    downtime: dict[str, float]
    end_time: float
    others: list[Published] = field(default_factory=list)
    """Valid blocks that lost the fork choice (superseded or equivocating), in slot order."""
    reduced: dict[int, list[str]] = field(default_factory=dict)
    """With ``recovery``: the reduced validators of each epoch that has some (docs/spec.md §19)."""


class Simulation:
    """One simulated network.  Build it, :meth:`run` it, read the :class:`SimRun`.

    Args:
        params: the run's parameters.
        progress: called once per finished epoch with ``(epoch, filled, slots)``.
        shared_heartbeats: receivers share each sender's heartbeat history (one
            :class:`~election.node.health.HeartbeatFeed` per sender, O(V) per round);
            default: when ``params.loss`` is 0.  False keeps one detector per
            (receiver, sender) pair, O(V^2) per round; the runs are identical.

    Raises:
        SimError: parameters that cannot run (too few validators, an epoch too short
            for its seed cutoff to settle, a bad stake list), or shared heartbeats
            asked for with loss > 0.
    """

    def __init__(self, params: SimParams, progress: Callable[[int, int, int], None] | None = None, *,
                 shared_heartbeats: bool | None = None) -> None:
        p = params
        self.params = p
        self.progress = progress
        rng = random.Random(f"seqvrf-sim/{p.seed}/setup")
        if p.stakes is not None:
            stakes = list(p.stakes)
        elif p.stake == "equal":
            stakes = [1000] * p.validators
        elif p.stake == "pareto":
            stakes = pareto_stakes(p.validators, rng)
        else:
            raise SimError(f"stake: expected 'pareto', 'equal' or explicit stakes, got {p.stake!r}")
        if len(stakes) < 4:
            raise SimError(f"validators: expected at least 4, got {len(stakes)}")
        if any(type(s) is not int or s <= 0 for s in stakes):
            raise SimError("stakes: expected positive integers")
        if p.epochs < 1 or p.epoch_length < 8:
            raise SimError("expected at least 1 epoch of at least 8 slots")
        if not (p.latency >= 0 and p.jitter >= 0 and 0 <= p.loss < 1 and p.heartbeat > 0):
            raise SimError("latency, jitter and loss must be >= 0 (loss < 1), heartbeat > 0")
        mode_kw: dict[str, Any] = {}
        if p.window is not None and p.mode != "windowed":
            raise SimError(f"window: only for mode 'windowed', got mode {p.mode!r}")
        if p.proposers is not None and p.mode != "secret":
            raise SimError(f"proposers: only for mode 'secret', got mode {p.mode!r}")
        if p.mode == "windowed":
            w = p.window or max([d for d in range(1, max(1, p.epoch_length // 10) + 1) if p.epoch_length % d == 0])
            mode_kw = {"mode": "windowed", "window": w, "seed_cutoff": min(p.epoch_length - w, p.epoch_length // 2)}
        elif p.mode == "secret":
            mode_kw = {"mode": "secret", "proposers": 5 if p.proposers is None else p.proposers}
        elif p.mode != "rotation":
            raise SimError(f"mode: expected 'rotation', 'windowed' or 'secret', got {p.mode!r}")
        if p.mode != "rotation":
            for kind in (*BYZANTINE, "stall", "restart"):
                if p.faults.of(kind):
                    raise SimError(f"fault {kind!r} models the rotation's primary: it runs in mode 'rotation' only")
        try:
            recovery: dict[str, Any] = {"inactivity_threshold": p.recovery_threshold} if p.recovery else {}
            self.config = ElectionConfig(b"seqvrf-sim", epoch_length=p.epoch_length, slot_duration_ms=p.slot_ms,
                                         failover_timeout_ms=p.timeout_ms, backups=min(p.backups, len(stakes) - 1),
                                         **recovery, **mode_kw)
        except ElectionError as exc:
            raise SimError(str(exc)) from None
        self.table, self.secrets = dev_table(stakes, f"seqvrf-sim/{p.seed}".encode())
        self.ids = self.table.ids
        seed0 = hashlib.sha256(f"seqvrf-sim/{p.seed}/initial-seed".encode()).digest()
        self.genesis = GenesisFile.single(self.config, seed0, self.table)
        self.slot_s = p.slot_ms / 1000
        self.t_s = p.timeout_ms / 1000
        self.patience = self.t_s / 4  # the controller's default grace past a window
        depth = self.config.backups
        self.horizon = (depth + 1) * self.t_s + self.patience
        self.lookback = int(self.horizon // self.slot_s) + 1
        if self.config.cutoff + self.lookback + 1 >= p.epoch_length:
            raise SimError(f"epoch_length {p.epoch_length} leaves too few slots after the seed cutoff "
                           f"({self.config.cutoff}) for the takeover window ({self.lookback} slots) to settle")
        self.last_slot = p.epochs * p.epoch_length - 1
        self.end = (self.last_slot + 1) * self.slot_s + self.horizon + self.slot_s
        self.net_rng = random.Random(f"seqvrf-sim/{p.seed}/network")
        self.byz_rng = random.Random(f"seqvrf-sim/{p.seed}/byzantine")
        self.fault_rng = random.Random(f"seqvrf-sim/{p.seed}/faults")
        self.nodes = {v: _Node(v) for v in self.ids}
        # Every controller's detectors use the controller's default parameters; with no
        # heartbeat loss a sender's round reaches all receivers at the same time, so the
        # receivers share its history (one HeartbeatFeed per sender) instead of keeping V^2 windows.
        t = self.t_s
        self._min_std, self._first_est = t / 20, t / 5
        self.shared_heartbeats = p.loss == 0 if shared_heartbeats is None else shared_heartbeats
        if self.shared_heartbeats and p.loss:
            raise SimError("shared heartbeats need loss 0 (a lost heartbeat makes the receivers' histories differ)")
        self._feeds: dict[str, HeartbeatFeed] = {}
        if self.shared_heartbeats:
            self._feeds = {v: HeartbeatFeed(threshold=8.0, min_std_deviation=self._min_std,
                                            first_heartbeat_estimate=self._first_est) for v in self.ids}
        self.vrf_keys = {v: self.secrets[v].vrf_secret for v in self.ids}
        self.seeds = [seed0]
        # The network's chain: every valid published block goes into one ChainView, the
        # component the node and the audit run, so the fork choice, the seeds, the window
        # reveals and the inactivity tables are theirs.  Unbounded: the run is kept whole.
        self.chain = ChainView(self.genesis, depth=1 << 62, max_blocks_per_slot=1 << 16, max_pending=0)
        first_rules = self.chain.rules(0)
        assert first_rules is not None
        self.schedules: dict[int, EpochRules] = {0: first_rules}
        self.inactivity: InactivityState | None = self.chain.ledger.inactivity
        self.attackers = [TargetedDoS(int(i.get("budget")), int(i.get("lead"))) for i in p.faults.of("target")]
        self.dos: frozenset[str] = frozenset()  # validators the targeted attacker isolates this slot
        self.published: dict[int, list[Published]] = {}
        self._by_hash: dict[bytes, Published] = {}  # the first publication of each block
        self.valid_cache: dict[bytes, bytes | None] = {}
        # id(claim) -> (claim, result): a block delivered to V nodes is one claim object, so
        # its bytes (O(V) for a certificate) are built once, not per delivery; the claim is
        # kept in the value so its id cannot be reused.
        self._verified: dict[tuple[int, int], tuple[LeaderClaim, SignedHeader | None, bytes | None]] = {}
        self.rejected: list[LeaderClaim] = []
        self.primary_failed: dict[int, str] = {}
        self.grinding: list[dict[str, Any]] = []
        self.counters: dict[str, int] = {k: 0 for k in (
            "messages", "dropped", "crashes", "recoveries", "votes", "alerts", "abandons",
            "invalid_claims_sent", "invalid_claim_deliveries", "invalid_claims_rejected",
            "invalid_votes_sent", "invalid_vote_deliveries", "invalid_votes_rejected",
            "false_votes_sent", "takeovers_against_live_leader", "equivocations", "equivocation_evidence",
            "withheld_blocks", "stalls", "restarts", "refused_past_deadline", "refused_superseded",
            "refused_by_guard", "honest_evidence", "dos_targets", "dos_slots", "dos_blocks_lost")}
        self.guards: dict[str, SigningGuard] = {}
        self.evidence_keys: set[bytes] = set()
        self.views: dict[str, dict[int, tuple[int, bytes]]] = {}
        self.down_since: dict[str, float] = {}
        self.downtime: dict[str, float] = {v: 0.0 for v in self.ids}
        self._heap: list[tuple[float, int, int, Any, Any]] = []
        self._seq = 0
        self.now = -4 * p.heartbeat
        self.roles = self._assign_roles(p.faults)
        self._withholders = set(self.roles.get("withhold", []))
        self._plan: dict[int, dict[int, bool]] = {}  # epoch -> slot -> publish?
        for v in self.ids:
            if v not in self.roles.get("down", []):
                self._boot(v)
            else:
                self.down_since[v] = 0.0
        self._schedule_faults(p.faults)
        self._push(self.now, _HB, None, None)
        for s in range(self.last_slot + 1):
            self._push(s * self.slot_s, _SLOT, s, None)
        self._schedule_slot_faults(p.faults)

    # -- setup ------------------------------------------------------------------------
    def _pick(self, share: float, taken: set[str]) -> list[str]:
        pool = [v for v in self.ids if v not in taken]
        self.fault_rng.shuffle(pool)
        total = self.table.total_stake
        out: list[str] = []
        got = 0
        for v in pool:
            if got * 1_000_000 >= round(share * 1_000_000) * total:
                break
            out.append(v)
            got += self.table[v].stake
        return sorted(out)

    def _assign_roles(self, faults: FaultSpec) -> dict[str, list[str]]:
        roles: dict[str, list[str]] = {}
        taken: set[str] = set()
        for item in faults.items:
            if item.kind in BYZANTINE or item.kind == "down":
                chosen = self._pick(item.get("stake"), taken)
                roles[item.kind] = sorted(set(roles.get(item.kind, [])) | set(chosen))
                taken |= set(chosen)
        roles["byzantine"] = sorted(v for k in BYZANTINE for v in roles.get(k, []))
        return roles

    def _schedule_faults(self, faults: FaultSpec) -> None:
        byz = set(self.roles["byzantine"]) | set(self.roles.get("down", []))
        run_end = (self.last_slot + 1) * self.slot_s
        for item in faults.of("crash"):
            rate, mttr = item.get("rate"), item.get("mttr")
            if rate <= 0:
                continue
            mtbf = mttr * (1 - rate) / rate if rate < 1 else 0.0
            for v in self.ids:
                if v in byz:
                    continue
                r = random.Random(f"seqvrf-sim/{self.params.seed}/crash/{v}/{mttr}/{rate}")
                t = r.expovariate(1 / mtbf) if mtbf > 0 else 0.0
                while t < run_end:
                    back = t + r.expovariate(1 / mttr)
                    self._push(t, _CTRL, self._crash, v)
                    self._push(back, _CTRL, self._recover, v)
                    t = back + (r.expovariate(1 / mtbf) if mtbf > 0 else 0.0)
        for item in faults.of("outage"):
            at = item.params.get("at")
            start = run_end / 2 if at is None else at
            group = self._pick(item.get("stake"), byz)
            roles = self.roles.setdefault("outage", [])
            roles.extend(v for v in group if v not in roles)
            for v in group:
                self._push(start, _CTRL, self._crash, v)
                self._push(start + item.get("for"), _CTRL, self._recover, v)

    def _schedule_slot_faults(self, faults: FaultSpec) -> None:
        """Stalls and restarts of slot primaries, drawn per slot from their own generator."""
        rng = random.Random(f"seqvrf-sim/{self.params.seed}/slot-faults")
        byz = set(self.roles["byzantine"]) | set(self.roles.get("down", []))
        for item in faults.of("stall") + faults.of("restart"):
            rate = item.get("rate")
            for s in range(self.last_slot + 1):
                if rng.random() >= rate:
                    continue
                # The slot's primary is known only once its epoch's schedule is: decide at run time.
                start = s * self.slot_s
                if item.kind == "stall":
                    at = max(self.now, start - item.get("at"))
                    self._push(at, _CTRL, self._stall_primary, (s, at + item.get("for"), byz))
                else:
                    at = start + item.get("at")
                    self._push(at, _CTRL, self._restart_primary, (s, item.get("down"), byz))

    def _stall_primary(self, arg: tuple[int, float, set[str]]) -> None:
        slot, until, byz = arg
        sched = self.schedules.get(slot // self.params.epoch_length)
        if not isinstance(sched, Schedule):
            return
        node = self.nodes[sched.leader(slot)]
        if node.vid in byz or node.ctl is None or node.stalled_until is not None:
            return
        node.stalled_until = until
        self.counters["stalls"] += 1
        self._push(until, _CTRL, self._wake, node.vid)

    def _wake(self, v: str) -> None:
        node = self.nodes[v]
        node.stalled_until = None
        held, node.held = node.held, []
        for kind, a, b in held:  # in arrival order, with the clock at the wake-up time
            if node.ctl is None:
                break
            if kind == _MSG:
                self._deliver(node, b)
            elif kind == _HB:
                for s in a:
                    if s == v:
                        continue
                    det = node.ctl.detector(s)
                    if det is None:
                        node.ctl.on_event(Heartbeat(s), self.now)
                    else:
                        det.heartbeat(self.now)
        if node.ctl is not None:
            self._tick(node)

    def _restart_primary(self, arg: tuple[int, float, set[str]]) -> None:
        slot, down, byz = arg
        sched = self.schedules.get(slot // self.params.epoch_length)
        if not isinstance(sched, Schedule):
            return
        v = sched.leader(slot)
        if v in byz or self.nodes[v].ctl is None:
            return
        self.counters["restarts"] += 1
        self._crash(v)
        self._push(self.now + down, _CTRL, self._recover, v)

    def _push(self, t: float, kind: int, a: Any, b: Any) -> None:
        heapq.heappush(self._heap, (t, self._seq, kind, a, b))
        self._seq += 1

    def schedule(self, epoch: int) -> EpochRules:
        """The rules of a started (or next) epoch (a schedule, or a SecretEpoch)."""
        return self.schedules[epoch]

    def table_of(self, epoch: int) -> StakeTable:
        """The stake table of ``epoch``: the genesis table, or with ``recovery`` the
        effective one, from the canonical outcomes of ``epoch - 2`` (settled long before;
        :meth:`ChainView.table`)."""
        return self.chain.table(epoch)

    def _boot(self, v: str) -> None:
        node = self.nodes[v]
        epoch = max(0, int(self.now // self.slot_s)) // self.params.epoch_length
        sec = self.secrets[v]
        guard = self.guards.get(v)
        if guard is None:  # survives the node's restarts, as its guard file would
            guard = self.guards[v] = SigningGuard(":memory:", chain_id=self.config.chain_id, validator_id=v)
        node.ctl = FailoverController(self.config, self.schedules[epoch], v, self.vrf_keys[v], sec.vote_seed,
                                      start_time=self.now, patience=self.patience, guard=guard,
                                      detector_factory=self._new_detector)
        if self.shared_heartbeats:
            # A follower judged before it hears anything acts as if the peer beat at this
            # node's start: the bootstrap FailoverController gives a silent peer.
            for s, feed in self._feeds.items():
                if s != v:
                    node.ctl.set_detector(s, feed.follower(self.now))
        node.stalled_until = None
        node.held.clear()
        node.boots += 1
        node.epochs = {epoch}
        if epoch + 1 in self.schedules:
            node.ctl.set_schedule(self.schedules[epoch + 1])
            node.epochs.add(epoch + 1)
        node.watch.clear()
        node.next_tick = None

    def _new_detector(self) -> PhiAccrualDetector:
        return PhiAccrualDetector(threshold=8.0, min_std_deviation=self._min_std,
                                  first_heartbeat_estimate=self._first_est)

    def _crash(self, v: str) -> None:
        node = self.nodes[v]
        if node.ctl is None:
            return
        node.ctl = None
        node.watch.clear()
        node.next_tick = None
        self.down_since[v] = self.now
        self.counters["crashes"] += 1

    def _recover(self, v: str) -> None:
        node = self.nodes[v]
        if node.ctl is not None:
            return
        self.downtime[v] += self.now - self.down_since.pop(v)
        self._boot(v)
        self.counters["recoveries"] += 1
        self._tick(node)  # a restarted node acts at once (it may still be inside its window)

    # -- network ------------------------------------------------------------------------
    def _send(self, dst: str, payload: tuple[Any, ...], src: str | None = None) -> None:
        self.counters["messages"] += 1
        p = self.params
        if self.dos and (dst in self.dos or src in self.dos):
            self.counters["dropped"] += 1
            return
        if p.loss and self.net_rng.random() < p.loss:
            self.counters["dropped"] += 1
            return
        delay = p.latency + (self.net_rng.uniform(0.0, p.jitter) if p.jitter else 0.0)
        self._push(self.now + delay, _MSG, dst, payload)

    def _heartbeat_round(self, senders: list[str] | None) -> None:
        p = self.params
        if senders is None:  # a send time: collect the live senders, deliver later
            live = [v for v in self.ids if self.nodes[v].ctl is not None and v not in self.dos]
            self._push(self.now + p.latency, _HB, live, None)
            if self.now + p.heartbeat < self.end:
                self._push(self.now + p.heartbeat, _HB, None, None)
            return
        now = self.now
        if self.shared_heartbeats:
            for s in senders:
                self._feeds[s].heartbeat(now)
            for node in self.nodes.values():
                if node.ctl is not None and node.watch:
                    self._reschedule(node)
            return
        rng = self.net_rng
        for node in self.nodes.values():
            ctl = node.ctl
            if ctl is None or node.vid in self.dos:
                continue
            if node.stalled_until is not None:
                node.held.append((_HB, senders, None))  # in its socket buffer until it wakes
                continue
            for s in senders:
                if s == node.vid or (p.loss and rng.random() < p.loss):
                    continue
                det = ctl.detector(s)
                if det is None:
                    ctl.on_event(Heartbeat(s), now)
                else:
                    det.heartbeat(now)
            if node.watch:
                self._reschedule(node)

    # -- node driving ---------------------------------------------------------------------
    def _reschedule(self, node: _Node) -> None:
        ctl = node.ctl
        if ctl is None:
            return
        now = self.now
        limit = self.horizon + self.t_s
        node.watch = {s for s in node.watch if s not in node.seen and now <= s * self.slot_s + limit}
        if not node.watch:
            return
        wake = ctl.next_wakeup(now)
        if wake is None:
            return
        if node.next_tick is None or node.next_tick <= now or wake < node.next_tick:
            node.next_tick = wake
            self._push(wake, _TICK, node, wake)

    def _tick(self, node: _Node) -> None:
        assert node.ctl is not None
        if node.stalled_until is not None:
            return  # frozen: it ticks when it wakes
        self._carry_out(node, node.ctl.tick(self.now))
        if node.watch:
            self._reschedule(node)

    def _install(self, epoch: int) -> None:
        sched = self.schedules[epoch]
        for node in self.nodes.values():
            if node.ctl is not None and epoch not in node.epochs:
                node.ctl.set_schedule(sched)
                node.epochs.add(epoch)

    def _carry_out(self, node: _Node, actions: list[Action]) -> None:
        for a in actions:
            if isinstance(a, BroadcastVote):
                self.counters["votes"] += 1
                vote = a.vote
                sched = self.schedules[vote.epoch]
                assert not isinstance(sched, SecretEpoch)
                dst = sched.at_rank(vote.slot, vote.rank)
                if dst != node.vid:
                    self._send(dst, ("vote", vote), node.vid)
            elif isinstance(a, Produce):
                self._produce(node, a)
            elif isinstance(a, Alert):
                self.counters["alerts"] += 1
            elif isinstance(a, Abandon):
                self.counters["abandons"] += 1
            elif isinstance(a, EvidenceFound):
                if node.vid not in self.roles["byzantine"]:
                    key = b"".join(a.evidence.parts())
                    if key not in self.evidence_keys:
                        self.evidence_keys.add(key)
                        self.counters["honest_evidence"] += 1

    def _payload(self, node: _Node, slot: int, variant: int) -> bytes:
        return hashlib.sha256(f"seqvrf-sim/payload/{node.vid}/{slot}/{node.boots}/{variant}".encode()).digest()

    def _produce(self, node: _Node, a: Produce) -> None:
        slot, claim = a.slot, a.claim
        epoch = slot // self.params.epoch_length
        if a.rank == 0 and node.vid in self._withholders:
            plan = self._grind_plan(epoch, slot)
            if plan is not None and not plan.get(slot, True):
                self.counters["withheld_blocks"] += 1
                self.primary_failed.setdefault(slot, "withheld")
                return
        if node.vid in self.dos:
            self.counters["dos_blocks_lost"] += 1  # isolated: its block never leaves it
            return
        assert node.ctl is not None
        try:
            header = node.ctl.sign_header(a, self._payload(node, slot, 0), self.now)
        except ElectionError as exc:
            code = getattr(exc, "code", "")
            name = {"past_deadline": "refused_past_deadline", "superseded": "refused_superseded"}.get(
                code, "refused_by_guard")
            self.counters[name] += 1
            return
        self._publish(node, claim, 0, header)
        if a.rank == 0 and node.vid in self.roles.get("equivocate", ()):
            self.counters["equivocations"] += 1
            second = make_header(claim, header.header.parent_hash, self._payload(node, slot, 1),
                                 self.secrets[node.vid].vote_seed)  # byzantine: around its own guard
            self._publish(node, claim, 1, second)

    def _verify(self, claim: LeaderClaim, header: SignedHeader | None = None) -> bytes | None:
        ident = (id(claim), id(header))  # objects, not bytes: most deliveries share them
        hit = self._verified.get(ident)
        if hit is not None and hit[0] is claim and hit[1] is header:
            return hit[2]
        key = claim.to_bytes() + (b"" if header is None else header.to_bytes())
        if key not in self.valid_cache:
            try:
                sched = self.schedules[claim.epoch]
                if header is not None:
                    verify_header(header, claim, sched.table)
                self.valid_cache[key] = verify_claim(claim, sched, require_seed=True)
            except (InvalidClaim, InvalidHeader, KeyError):
                self.valid_cache[key] = None
        result = self.valid_cache[key]
        self._verified[ident] = (claim, header, result)
        return result

    def _publish(self, node: _Node, claim: LeaderClaim, variant: int, header: SignedHeader | None = None) -> None:
        beta = self._verify(claim, header)
        if beta is None or header is None:  # an honest controller never does this; keep the evidence
            self.rejected.append(claim)
            return
        slot = claim.slot
        pub = Published(self.now, claim, beta, variant, header)
        self.published.setdefault(slot, []).append(pub)
        self._by_hash.setdefault(pub.block_hash, pub)
        added = self.chain.admit(SignedBlock(claim, header), beta)  # verified once, by _verify
        if added.status == "rejected":
            raise SimError(f"the chain view refused a verified block of slot {slot}: {added.reason}")
        node.seen[slot] = min(node.seen.get(slot, claim.rank), claim.rank)
        if claim.rank > 0 and any(b.claim.rank == 0 for b in self.published[slot]):
            self.counters["takeovers_against_live_leader"] += 1
        for v in self.ids:
            if v != node.vid:
                self._send(v, ("block", claim, variant, header), node.vid)

    def _deliver(self, node: _Node, payload: tuple[Any, ...]) -> None:
        ctl = node.ctl
        if ctl is None:
            return
        if node.stalled_until is not None:
            node.held.append((_MSG, None, payload))
            return
        honest = node.vid not in self.roles["byzantine"]
        if payload[0] == "block":
            claim, variant = payload[1], payload[2]
            header = payload[3] if len(payload) > 3 else None
            beta = self._verify(claim, header)
            if beta is None:
                before = sum(ctl.rejected.values())
                self._carry_out(node, ctl.on_event(BlockSeen.from_claim(claim, header), self.now))
                if honest:
                    self.counters["invalid_claim_deliveries"] += 1
                    self.counters["invalid_claims_rejected"] += sum(ctl.rejected.values()) > before
                return
            slot = claim.slot
            seen_variants = node.variants.setdefault(slot, set())
            seen_variants.add(variant)
            if len(seen_variants) == 2 and honest:
                self.counters["equivocation_evidence"] += 1
            node.seen[slot] = min(node.seen.get(slot, claim.rank), claim.rank)
            event = BlockSeen(slot, claim.rank, claim.validator_id, None, header, beta)  # vouched: verified once
            self._carry_out(node, ctl.on_event(event, self.now))
        else:
            vote, forged = payload[1], len(payload) > 2
            before = sum(ctl.rejected.values())
            self._carry_out(node, ctl.on_event(VoteReceived(vote), self.now))
            if forged and honest:
                self.counters["invalid_vote_deliveries"] += 1
                self.counters["invalid_votes_rejected"] += sum(ctl.rejected.values()) > before
        if node.watch:
            self._reschedule(node)

    # -- slots and epochs -------------------------------------------------------------
    def _slot_start(self, slot: int) -> None:
        L = self.params.epoch_length
        epoch, idx = divmod(slot, L)
        sched = self.schedules[epoch]
        if idx == 0 and epoch > 0:
            self._epoch_done(epoch - 1)
        if idx == L - 1:
            self._next_epoch(epoch)
        if self.config.mode == "windowed":
            self._reveal_settled()
        if self.attackers:
            self._target(slot, sched)
        if isinstance(sched, SecretEpoch):
            for node in self.nodes.values():  # every validator may be eligible: each checks at the start
                if node.ctl is not None:
                    self._tick(node)
            self._push(self.now + self.t_s, _CHECK, slot, None)
            return
        leader = sched.leader(slot)
        lnode = self.nodes[leader]
        if lnode.ctl is not None and leader not in self.dos:
            self._tick(lnode)
        else:
            self.primary_failed.setdefault(slot, "down" if lnode.ctl is None else "targeted")
        self._push(self.now + self.t_s, _CHECK, slot, None)
        if slot % 64 == 0:
            for node in self.nodes.values():
                for d in (node.seen, node.variants):
                    for s in [s for s in d if s < slot - 64]:
                        del d[s]
        self._byzantine(slot, sched, leader)

    def _target(self, slot: int, sched: EpochRules) -> None:
        """The targeted attacker's down set for ``slot`` (it replaces the previous slot's)."""
        down: set[str] = set()
        if not isinstance(sched, SecretEpoch):
            for atk in self.attackers:
                if not atk.predicts(self.config, slot):
                    continue
                try:
                    ranking = sched.ranking(slot)
                except WindowNotRevealed:
                    continue  # the engine has not revealed it yet: neither could the attacker
                down |= atk.targets(self.config, slot, ranking)
        self.dos = frozenset(down)
        self.counters["dos_targets"] += len(down)
        self.counters["dos_slots"] += bool(down)

    def _reveal_settled(self) -> None:
        """Windowed: reveal every window whose source window has settled (its last slot's
        ladder is over and its blocks delivered), from the chain's canonical betas."""
        settle = self.horizon + self.params.latency + self.params.jitter
        for sched in self.schedules.values():
            if not isinstance(sched, WindowedSchedule):
                continue
            while sched.revealed < sched.windows:
                src = window_source(self.config, sched.epoch, sched.revealed)
                if len(src) and self.now < (src.stop - 1) * self.slot_s + settle:
                    break
                self.chain.fix_window(sched.epoch, sched.revealed)

    def _check(self, slot: int) -> None:
        for node in self.nodes.values():
            if node.ctl is None or slot in node.seen:
                continue
            node.watch.add(slot)
            self._tick(node)

    def _canonical(self, slot: int) -> Published | None:
        """The chain's canonical block of the slot (the fork choice over every valid block
        published for it), as first published."""
        entry = self.chain.entry(slot)
        return None if entry is None else self._by_hash[entry.block_hash]

    def _next_epoch(self, epoch: int) -> None:
        """At the start of ``epoch``'s last slot its pre-cutoff blocks are settled: chain the seed."""
        seed = self.chain.fix_seed(epoch)
        self.seeds.append(seed)
        rules = self.chain.rules(epoch + 1)
        assert rules is not None
        self.schedules[epoch + 1] = rules
        if self.config.mode == "windowed":
            self._reveal_settled()
        self._install(epoch + 1)
        for g in self.grinding:
            if g["epoch"] == epoch:
                g["realized"] = self._objective(epoch + 1)

    def _epoch_done(self, epoch: int) -> None:
        if self.progress is not None:
            first = epoch * self.params.epoch_length
            filled = sum(1 for s in range(first, first + self.params.epoch_length) if self.published.get(s))
            self.progress(epoch, filled, self.params.epoch_length)

    # -- byzantine behaviour ----------------------------------------------------------
    def _byzantine(self, slot: int, sched: Schedule | WindowedSchedule, leader: str) -> None:
        epoch = sched.epoch
        for v in self.roles.get("falsevote", ()):
            if self.nodes[v].ctl is None or v == leader or sched.depth < 1:
                continue
            dst = sched.at_rank(slot, 1)
            vote = TimeoutVote.sign(self.config, sched.table, epoch, slot, 1, v, self.secrets[v].vote_seed,
                                    seed=sched.seed)
            self.counters["false_votes_sent"] += 1
            if dst != v:
                self._send(dst, ("vote", vote))
        rate = 0.0
        for item in self.params.faults.of("invalid"):
            rate = max(rate, item.get("rate"))
        for v in self.roles.get("invalid", ()):
            if self.nodes[v].ctl is None or v == leader or self.byz_rng.random() >= rate:
                continue
            proof = self.vrf_keys[v].prove(sched.slot_input(slot), self.config.suite)
            bad = LeaderClaim(self.config.chain_id, epoch, slot, 0, v, proof, None)
            self.counters["invalid_claims_sent"] += 1
            self.rejected.append(bad)
            vote = TimeoutVote.sign(self.config, sched.table, epoch, slot, 1, v, self.secrets[v].vote_seed,
                                    seed=sched.seed)
            forged = TimeoutVote(vote.chain_id, vote.epoch, vote.table_digest, vote.slot, vote.rank,
                                 vote.parent_hash, leader, vote.signature, vote.seed)
            self.counters["invalid_votes_sent"] += 1
            for dst in self.ids:
                if dst != v:
                    self._send(dst, ("block", bad, 0))
                    self._send(dst, ("vote", forged, True))

    def _window(self, epoch: int) -> range:
        first = epoch * self.params.epoch_length + self.config.cutoff
        return range(first - min(16, self.config.cutoff), first)

    def _objective(self, epoch: int) -> int:
        """The withholders' primary slots in the last (up to) 16 slots before ``epoch``'s
        cutoff: their grinding opportunities in that epoch (rotation only)."""
        sched = self.schedules[epoch]
        assert isinstance(sched, Schedule)
        return sum(1 for s in self._window(epoch) if sched.leader(s) in self._withholders)

    def _grind_plan(self, epoch: int, slot: int) -> dict[int, bool] | None:
        """Publish/withhold decisions for the withholders' trailing run of slots before the cutoff.

        Decided once, at the run's first slot, from the blocks produced so far: every
        subset of the run (at most 10 slots) is evaluated as if withheld slots stay
        empty, and the one maximizing the next epoch's objective is chosen (ties: publish
        more).  A withheld slot is in fact usually filled by a backup, whose output the
        attacker cannot predict: ranked failover makes withholding mostly blind.
        """
        if epoch in self._plan:
            return self._plan[epoch]
        sched = self.schedules[epoch]
        assert isinstance(sched, Schedule)  # withholding runs in the rotation only
        first = epoch * self.params.epoch_length
        cut = first + self.config.cutoff
        run: list[int] = []
        s = cut - 1
        while s >= first and sched.leader(s) in self._withholders and len(run) < 10:
            run.append(s)
            s -= 1
        run.reverse()
        if not run or slot != run[0]:
            return None if not run or slot not in run else self._plan.get(epoch)
        prefix = []
        for t in range(first, run[0]):
            b = self._canonical(t)
            if b is not None:
                prefix.append((t, b.beta))
        own = {t: vrf.proof_to_hash(self.vrf_keys[sched.leader(t)].prove(sched.slot_input(t), self.config.suite),
                                    self.config.suite) for t in run}
        best: tuple[int, int, int] | None = None
        k = len(run)
        honest_objective = 0
        for mask in range((1 << k) - 1, -1, -1):  # all-published first
            betas = prefix + [(t, own[t]) for i, t in enumerate(run) if mask >> i & 1]
            seed = next_seed(self.config, epoch, self.seeds[epoch], betas)
            nxt = Schedule(self.config, self.table_of(epoch + 1), epoch + 1, seed)
            obj = sum(1 for t in self._window(epoch + 1) if nxt.leader(t) in self._withholders)
            if mask == (1 << k) - 1:
                honest_objective = obj
            key = (obj, bin(mask).count("1"), mask)
            if best is None or key > best:
                best = key
        assert best is not None
        plan = {t: bool(best[2] >> i & 1) for i, t in enumerate(run)}
        self._plan[epoch] = plan
        self.grinding.append({"epoch": epoch, "opportunities": k, "withheld": k - best[1],
                              "objective_if_honest": honest_objective, "objective_predicted": best[0],
                              "bound_factor": 2 ** k})
        return plan

    def _count_slot_safety(self) -> None:
        """Slots with several valid blocks, and honest validators with two blocks in a slot."""
        byz = set(self.roles["byzantine"])
        c = self.counters
        c["multi_block_slots"] = c["multi_block_slots_honest"] = c["honest_double_blocks"] = 0
        for blocks in self.published.values():
            hashes = {b.block_hash for b in blocks}
            honest = {b.block_hash for b in blocks if b.claim.validator_id not in byz}
            c["multi_block_slots"] += len(hashes) > 1
            c["multi_block_slots_honest"] += len(honest) > 1
            per: dict[str, set[bytes]] = {}
            for b in blocks:
                if b.claim.validator_id not in byz:
                    per.setdefault(b.claim.validator_id, set()).add(b.block_hash)
            c["honest_double_blocks"] += any(len(h) > 1 for h in per.values())

    # -- running ---------------------------------------------------------------------------
    def run(self) -> SimRun:
        """Run to the end of the last epoch (plus the takeover window of its last slot)."""
        heap = self._heap
        while heap:
            t, _, kind, a, b = heapq.heappop(heap)
            if t > self.end:
                break
            self.now = t
            if kind == _MSG:
                self._deliver(self.nodes[a], b)
            elif kind == _HB:
                self._heartbeat_round(a)
            elif kind == _TICK:
                node = a
                if node.ctl is not None and node.next_tick == b:
                    node.next_tick = None
                    self._tick(node)
            elif kind == _SLOT:
                self._slot_start(a)
            elif kind == _CHECK:
                self._check(a)
            else:
                a(b)
        self.now = self.end
        self._epoch_done(self.params.epochs - 1)
        for v, since in self.down_since.items():
            self.downtime[v] += self.end - since
        canonical = {}
        for s in range(self.last_slot + 1):
            b = self._canonical(s)
            if b is not None:
                canonical[s] = b
        self._count_slot_safety()
        others = [b for s in sorted(self.published) for b in self.published[s] if b is not canonical.get(s)]
        reduced: dict[int, list[str]] = {}
        if self.inactivity is not None:
            for e in range(self.params.epochs):
                cut = self.inactivity.reduced(e) if self.inactivity.known(e) else frozenset()
                if cut:
                    reduced[e] = sorted(cut, key=lambda s: s.encode("utf-8"))
        return SimRun(self.params, self.config, self.genesis, self.table, self.seeds, canonical,
                      self.rejected, self.roles, self.counters, self.primary_failed, self.grinding,
                      self.downtime, self.end, others, reduced)


def simulate(params: SimParams, progress: Callable[[int, int, int], None] | None = None) -> SimRun:
    """Build and run a :class:`Simulation`.

    Raises:
        SimError: parameters that cannot run.
    """
    return Simulation(params, progress).run()

