"""Ranked failover for one sequencer node: timeout voting and certified takeover.

A :class:`FailoverController` is a pure state machine.  The node feeds it what it hears
(:class:`Heartbeat`, :class:`BlockSeen`, :class:`VoteReceived`) through
:meth:`FailoverController.on_event` and the passage of time through
:meth:`FailoverController.tick`; both take the current time from the caller and return
the actions to carry out (:class:`BroadcastVote`, :class:`Produce`, :class:`Abandon`,
:class:`Alert`).  It never reads the wall clock, never does I/O and draws no random
numbers, so the same inputs always give the same outputs: a simulator can drive many
of them on a virtual clock.

Timing (seconds from the slot's start ``S = genesis_time + slot * slot_duration``,
``T`` the failover timeout, ``P`` the patience):

* rank r may produce only inside its window ``[S + r*T, S + (r+1)*T)``
  (:mod:`election.rules.forkchoice`); :class:`Produce` carries the deadline and
  :meth:`FailoverController.sign_header` refuses to sign past it (:class:`PastDeadline`);
* a node votes "ranks below r missed slot s" (r >= 1) once rank r-1's window has closed
  (``now >= S + r*T``), no block of the slot has been seen, it has voted every rank below r
  already, and either its failure detector suspects the validator at rank r-1 or the grace
  ``P`` past that deadline has run out (``now >= S + r*T + P``);
* it never signs two votes for the same (slot, rank), never votes out a rank it produced,
  and never produces a rank it voted out or below a certificate it has seen; with a
  :class:`~election.node.guard.SigningGuard` these hold across crashes and restarts;
* the validator at rank r produces only with a :class:`TimeoutCertificate` for (s, r)
  that its :class:`VotePool` assembled from valid votes of strictly more than 2/3 of
  the stake, and only if no block of the slot has been seen;
* the fork choice of a slot is the highest valid rank (ties: the smaller block hash); a
  block that supersedes this node's own yields :class:`Abandon`;
* conflicting signed statements of a validator yield :class:`EvidenceFound`.

**Modes** (docs/spec.md sections 13.7 and 14.6).  Windowed mode runs the same ladder on a
:class:`~election.rules.windowed.WindowedSchedule`: the node produces and votes only for
slots of revealed windows (the caller reveals them, one schedule object per epoch), and a
block of a window not revealed yet is kept (bounded) and checked once it is.  Secret mode
(the epoch given as a :class:`~election.rules.modes.SecretEpoch`) has no timeouts and no
votes: at the slot's start a validator that is eligible produces, with the deadline
``S + T``; the canonical block is the best race entry (:func:`~election.rules.forkchoice.prefer_race`),
and a better block than this node's own yields :class:`Abandon`.

Votes (version 2: bound to the epoch seed and the parent hash this node saw),
certificates, ranks and stakes are exact integers and bytes; only the local judgements
(times, phi) are floats.  State is bounded: heartbeats from ids outside the installed
tables are dropped and counted, and per-slot state is pruned past the look-back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from nacl.signing import SigningKey

import vrf

from ..rules.claims import LeaderClaim, make_claim, verify_claim
from ..rules.config import ElectionConfig
from ..rules.errors import ElectionError, InvalidClaim, InvalidConfig, InvalidVote
from ..rules.evidence import Evidence, HeaderEquivocation, ProduceAfterVote, VoteEquivocation
from ..rules.forkchoice import prefer, prefer_race
from ..rules.headers import GENESIS_PARENT, InvalidHeader, SignedHeader, make_header, verify_header
from ..rules.modes import EpochRules, SecretEpoch
from ..rules.schedule import Schedule
from ..rules.secret import RaceEntry
from ..rules.votes import TimeoutCertificate, TimeoutVote, check_vote_seed, is_quorum
from ..rules.windowed import WindowedSchedule, WindowNotRevealed
from .health import BlockIntervalMonitor, PhiAccrualDetector

__all__ = [
    "Heartbeat", "BlockSeen", "VoteReceived", "Event",
    "BroadcastVote", "Produce", "Abandon", "Alert", "EvidenceFound", "Action",
    "VoteRejected", "UnknownVoter", "WrongVoteContext", "SeedMismatch", "BadVoteSignature", "DuplicateVote",
    "ConflictingVote", "VotePool", "FailoverController", "ProductionRefused", "PastDeadline", "Superseded",
    "Guard",
]


class Guard(Protocol):
    """What the controller needs of a durable signing guard
    (:class:`election.node.guard.SigningGuard` implements it)."""

    def sign(self, kind: str, epoch: int, slot: int, rank: int, message: bytes,
             signer: Callable[[bytes], bytes]) -> bytes: ...



# -- events ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Heartbeat:
    """A liveness beacon from ``sender`` arrived.

    Args:
        sender: the validator id of the peer.
    """

    sender: str


@dataclass(frozen=True)
class BlockSeen:
    """A block for ``slot`` at ``rank`` by ``validator_id`` arrived.

    Args:
        slot: the block's slot.
        rank: the producer's rank for the slot.
        validator_id: the producer.
        claim: the block's leadership claim; when given the controller verifies it
            (:func:`~election.rules.claims.verify_claim`) and ignores the block if it fails.
            When None the caller vouches that it verified the block (and its header) itself.
        header: the block's signed header; required with a claim when the controller was
            built with ``require_headers=True`` (the default), and then verified
            (:func:`~election.rules.headers.verify_header`).
        beta: the block's verified VRF output, given by a caller that verified the block
            itself: with ``claim`` None (the simulator) or with ``claim`` (the node, whose
            chain view checked claim, certificate and header: the controller then skips its
            own checks but still learns the claim's certificate).  Secret mode ranks blocks
            by it.  Without it a ``claim`` is verified here.
    """

    slot: int
    rank: int
    validator_id: str
    claim: LeaderClaim | None = None
    header: SignedHeader | None = None
    beta: bytes | None = None

    @classmethod
    def from_claim(cls, claim: LeaderClaim, header: SignedHeader | None = None) -> BlockSeen:
        """The event for a block carrying ``claim`` (and ``header``)."""
        return cls(claim.slot, claim.rank, claim.validator_id, claim, header)


@dataclass(frozen=True)
class VoteReceived:
    """A timeout vote arrived from the network.

    Args:
        vote: the vote (unverified).
    """

    vote: TimeoutVote


Event = Heartbeat | BlockSeen | VoteReceived


# -- actions ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BroadcastVote:
    """Send ``vote`` to every validator (the controller already counted it itself)."""

    vote: TimeoutVote


@dataclass(frozen=True)
class Produce:
    """Build the block for ``slot`` at ``rank`` now, carrying ``claim``, and have its header
    signed with :meth:`FailoverController.sign_header` before ``deadline``.

    Attributes:
        slot: the slot.
        rank: this node's rank for it (0: primary).
        certificate: the timeout certificate for (slot, rank); None for rank 0.
        claim: the ready leadership claim; it passes :func:`verify_claim`.
        deadline: the end of this rank's production window, on the controller's clock;
            a block not signed and sent by then must not be sent at all.
    """

    slot: int
    rank: int
    certificate: TimeoutCertificate | None
    claim: LeaderClaim
    deadline: float = float("inf")  # float-ok: a local clock time


@dataclass(frozen=True)
class Abandon:
    """This node's block for ``slot`` at ``rank`` is superseded: the fork choice prefers a
    block of a higher rank (its certificate voted this rank out)."""

    slot: int
    rank: int


@dataclass(frozen=True)
class EvidenceFound:
    """Conflicting signed statements of ``evidence.validator_id`` (publish or store them)."""

    evidence: Evidence


@dataclass(frozen=True)
class Alert:
    """A local judgement worth logging: ``validator_id`` misbehaves (``reason`` says how)."""

    validator_id: str
    reason: str


Action = BroadcastVote | Produce | Abandon | Alert | EvidenceFound


class ProductionRefused(ElectionError):
    """:meth:`FailoverController.sign_header` refused to sign; ``.code`` says why."""

    code = "production_refused"


class PastDeadline(ProductionRefused):
    """The rank's production window closed before the header could be signed."""

    code = "past_deadline"


class Superseded(ProductionRefused):
    """A block of a higher rank, or a vote or certificate for one, exists for the slot."""

    code = "superseded"


# -- vote rejections -------------------------------------------------------------------
class VoteRejected(InvalidVote):
    """A vote the :class:`VotePool` refused; the subclass says why."""


class UnknownVoter(VoteRejected):
    """The voter is not in the epoch's stake table."""


class WrongVoteContext(VoteRejected):
    """The vote is for another chain, epoch, stake table, slot or rank than the pool accepts."""


class BadVoteSignature(VoteRejected):
    """The vote's signature does not verify under the voter's vote key."""


class SeedMismatch(WrongVoteContext):
    """The vote binds another epoch seed than this node's (or none): one of the two nodes
    derived a different seed (e.g. it missed a block before the cutoff)."""


class DuplicateVote(VoteRejected):
    """The voter already has this very vote for this (slot, rank) in the pool."""


class ConflictingVote(DuplicateVote):
    """The voter already has a *different* signed vote for this (slot, rank): equivocation.

    Attributes:
        evidence: the :class:`~election.rules.evidence.VoteEquivocation` (signatures checked).
    """

    def __init__(self, message: str, evidence: VoteEquivocation) -> None:
        super().__init__(message)
        self.evidence = evidence


class VotePool:
    """Collects timeout votes of one epoch and assembles certificates.

    Every vote is fully checked on entry (chain id, epoch, table digest, slot in the
    epoch, rank in ``[1, schedule.depth]``, known voter, signature), at most one vote
    per (slot, rank, voter) is kept, and a certificate is formed the moment the voters
    of a (slot, rank) hold strictly more than 2/3 of the stake
    (:func:`~election.rules.votes.is_quorum`).

    Args:
        schedule: the epoch's schedule (config, table, epoch).
        require_seed: accept only version-2 votes bound to the schedule's seed
            (:class:`SeedMismatch` otherwise); False also accepts version-1 votes.
    """

    __slots__ = ("schedule", "require_seed", "_votes", "_stake", "_certs")

    def __init__(self, schedule: Schedule | WindowedSchedule, require_seed: bool = True) -> None:
        self.schedule = schedule
        self.require_seed = require_seed
        self._votes: dict[tuple[int, int], dict[str, TimeoutVote]] = {}
        self._stake: dict[tuple[int, int], int] = {}
        self._certs: dict[tuple[int, int], TimeoutCertificate] = {}

    def check(self, vote: TimeoutVote) -> None:
        """Run every rejection rule on ``vote`` without adding it.

        Raises:
            WrongVoteContext: wrong chain, epoch, table digest, slot or rank.
            SeedMismatch: the vote binds another seed (or none, with ``require_seed``).
            UnknownVoter: voter not in the table.
            DuplicateVote: the voter already cast this same vote.
            BadVoteSignature: the signature does not verify.
            ConflictingVote: a different valid vote by the voter is in the pool (evidence).
        """
        if not isinstance(vote, TimeoutVote):
            raise WrongVoteContext(f"expected a TimeoutVote, got {type(vote).__name__}")
        sched = self.schedule
        who = f"vote by {vote.voter_id!r} for slot {vote.slot} rank {vote.rank}"
        if vote.chain_id != sched.config.chain_id:
            raise WrongVoteContext(f"{who}: chain {vote.chain_id.hex()}, expected {sched.config.chain_id.hex()}")
        if vote.epoch != sched.epoch:
            raise WrongVoteContext(f"{who}: epoch {vote.epoch}, expected {sched.epoch}")
        if vote.table_digest != sched.table.digest():
            raise WrongVoteContext(f"{who}: stake table {vote.table_digest.hex()[:16]}..., "
                                   f"expected {sched.table.digest().hex()[:16]}...")
        if not sched.contains(vote.slot):
            raise WrongVoteContext(f"{who}: slot not in epoch {sched.epoch}")
        if not 1 <= vote.rank <= sched.depth:
            raise WrongVoteContext(f"{who}: expected a rank in [1, {sched.depth}]")
        if vote.voter_id not in sched.table:
            raise UnknownVoter(f"{who}: voter is not in the stake table")
        if self.require_seed:
            try:
                check_vote_seed(vote.seed, sched.seed, who)
            except InvalidVote as exc:
                raise SeedMismatch(str(exc)) from None
        old = self._votes.get((vote.slot, vote.rank), {}).get(vote.voter_id)
        if old is not None and old.message() == vote.message():
            raise DuplicateVote(f"{who}: voter already voted for this slot and rank")
        try:
            vote.verify(sched.table, sched.config)
        except InvalidVote as exc:
            raise BadVoteSignature(str(exc)) from None
        if old is not None:
            raise ConflictingVote(f"{who}: equivocation: a different vote for this slot and rank is in the pool",
                                  VoteEquivocation.of(old, vote))

    def add(self, vote: TimeoutVote) -> TimeoutCertificate | None:
        """Check and add ``vote``.

        Args:
            vote: the vote.

        Returns:
            The certificate for the vote's (slot, rank) if one exists after adding it
            (formed now or earlier), else None.

        Raises:
            VoteRejected: as :meth:`check`; the pool is unchanged.
        """
        self.check(vote)
        key = (vote.slot, vote.rank)
        self._votes.setdefault(key, {})[vote.voter_id] = vote
        self._stake[key] = self._stake.get(key, 0) + self.schedule.table[vote.voter_id].stake
        if key not in self._certs and is_quorum(self._stake[key], self.schedule.table.total_stake):
            self._certs[key] = TimeoutCertificate(self._votes[key].values())
        return self._certs.get(key)

    def certificate(self, slot: int, rank: int) -> TimeoutCertificate | None:
        """The certificate for (slot, rank), or None if the votes have no quorum yet."""
        return self._certs.get((slot, rank))

    def signed_stake(self, slot: int, rank: int) -> int:
        """Stake of the distinct valid voters for (slot, rank) so far."""
        return self._stake.get((slot, rank), 0)

    def vote_of(self, slot: int, rank: int, voter_id: str) -> TimeoutVote | None:
        """The vote of ``voter_id`` for (slot, rank) in the pool, or None."""
        return self._votes.get((slot, rank), {}).get(voter_id)

    def voters(self, slot: int, rank: int) -> tuple[str, ...]:
        """Ids of the voters for (slot, rank) so far, in arrival order."""
        return tuple(self._votes.get((slot, rank), {}))

    def prune(self, before_slot: int) -> None:
        """Forget every vote and certificate for slots before ``before_slot``."""
        for d in (self._votes, self._stake, self._certs):
            for key in [k for k in d if k[0] < before_slot]:
                del d[key]


# -- the controller ----------------------------------------------------------------------
@dataclass
class _Slot:
    # Valid blocks seen: rank -> (block hash or b"" when the caller vouched, signed header or None).
    blocks: dict[int, tuple[bytes, SignedHeader | None]] = field(default_factory=dict)
    voted: set[int] = field(default_factory=set)  # ranks this node voted for
    produced: int | None = None  # rank this node was told to produce at
    signed: bool = False  # this node signed a header for the slot
    cert_rank: int = 0  # highest rank with a certificate this node has seen
    # Secret mode: valid eligible blocks by validator id: (race entry, block hash, header).
    race: dict[str, tuple[RaceEntry, bytes, SignedHeader | None]] = field(default_factory=dict)
    ineligible: bool = False  # secret mode: this node is not eligible in the slot

    def best_race(self) -> tuple[RaceEntry, bytes] | None:
        """Secret mode: the canonical (entry, hash) by the race's fork choice, or None."""
        best: tuple[RaceEntry, bytes] | None = None
        for entry, h, _ in self.race.values():
            if best is None or prefer_race((entry, h), best):
                best = (entry, h)
        return best

    def best(self) -> tuple[int, bytes] | None:
        """The canonical (rank, hash) by the fork choice, or None before any block
        (secret mode: rank 0 and the best race entry's hash)."""
        if self.race:
            b = self.best_race()
            assert b is not None
            return 0, b[1]
        best: tuple[int, bytes] | None = None
        for rank, (h, _) in self.blocks.items():
            if best is None or prefer((rank, h), best):
                best = (rank, h)
        return best


_MAX_ALERTED = 4096  # bound on remembered alert subjects (ids in tables only, so rarely reached)
_MAX_UNCHECKED = 1024  # bound on kept blocks of windows not revealed yet


def _revealed(sched: EpochRules, slot: int) -> bool:
    """Whether the ranked schedule knows ``slot``'s ranking (always, except a windowed
    schedule before the slot's window is revealed)."""
    return not isinstance(sched, WindowedSchedule) or not sched.contains(slot) or sched.is_revealed(slot)


class FailoverController:
    """One node's failover state machine (see the module docstring for the rules).

    Args:
        config: the election parameters.
        schedule: the rules of the epoch the node starts in (a rotation or windowed
            schedule, or a :class:`~election.rules.modes.SecretEpoch`, as
            :func:`~election.rules.modes.make_rules` builds them); later epochs are added
            with :meth:`set_schedule` before they begin.
        validator_id: this node's id (it may be absent from a table: it then only
            observes that epoch).
        vrf_secret_key: this node's VRF secret key (proves its claims).
        vote_private_key: this node's Ed25519 vote key: a 32-byte seed or a PyNaCl
            ``SigningKey`` (never the VRF key).
        genesis_time: the time slot 0 starts, seconds on the caller's clock.
        patience: seconds past rank r-1's deadline (``S + r*T``) after which a node votes
            rank r-1 out even if its detector does not suspect it; default ``T / 4``.
        detector_factory: builds the failure detector of each peer; default a
            :class:`PhiAccrualDetector` with threshold 8, minimum deviation ``T/20`` and
            first-interval estimate ``T/5`` (heartbeats every ``T/5`` or so).
        start_time: the node takes no part in slots that began before this time (it
            cannot know which blocks it missed); default the first ``now`` it is given.
        anomaly_tolerance: relative block-interval drift that raises an :class:`Alert`.
        guard: the durable signing guard every vote and header signature goes through
            (None: signatures are checked against this controller's memory only, which a
            restart loses).
        require_headers: refuse blocks that come with a claim but without a valid signed
            header (default True; False only for version-1 tooling).

    Raises:
        InvalidConfig: ``schedule`` is not for ``config``.
        InvalidVote: ``vote_private_key`` is not a 32-byte seed or SigningKey.
    """

    def __init__(self, config: ElectionConfig, schedule: EpochRules, validator_id: str,
                 vrf_secret_key: vrf.SecretKey, vote_private_key: bytes | SigningKey, *,
                 genesis_time: float = 0.0, patience: float | None = None,
                 detector_factory: Callable[[], PhiAccrualDetector] | None = None,
                 start_time: float | None = None, anomaly_tolerance: float = 0.25,
                 guard: Guard | None = None, require_headers: bool = True) -> None:
        if schedule.config != config:
            raise InvalidConfig("schedule was built for another ElectionConfig")
        if isinstance(vote_private_key, SigningKey):
            self._vote_key = vote_private_key
        elif isinstance(vote_private_key, (bytes, bytearray)) and len(vote_private_key) == 32:
            self._vote_key = SigningKey(bytes(vote_private_key))
        else:
            raise InvalidVote("vote_private_key: expected a 32-byte Ed25519 seed or a nacl.signing.SigningKey")
        self.config = config
        self.validator_id = validator_id
        self._vrf_key = vrf_secret_key
        self.genesis_time = genesis_time
        self._slot_s = config.slot_duration_ms / 1000
        self._timeout_s = config.failover_timeout_ms / 1000
        self.patience = self._timeout_s / 4 if patience is None else patience
        t = self._timeout_s
        self._detector_factory = detector_factory or (
            lambda: PhiAccrualDetector(threshold=8.0, min_std_deviation=t / 20, first_heartbeat_estimate=t / 5))
        self._anomaly_tolerance = anomaly_tolerance
        self.start_time = start_time
        self.guard = guard
        self.require_headers = require_headers
        self._epochs: dict[int, tuple[EpochRules, VotePool | None]] = {}
        self._unchecked: list[BlockSeen] = []  # windowed: blocks of windows not revealed yet
        self._slots: dict[int, _Slot] = {}
        self._detectors: dict[str, PhiAccrualDetector] = {}
        self._monitors: dict[str, BlockIntervalMonitor] = {}
        self._alerted: set[str] = set()
        self._now: float | None = None
        self._tip: tuple[int, bytes] | None = None  # (slot, hash) of the newest canonical block seen
        horizon = (config.backups + 1) * self._timeout_s + self.patience
        self._lookback = int(horizon // self._slot_s) + 1
        self.rejected: dict[str, int] = {}
        """Count of refused inputs by reason (vote error class name, ``InvalidClaim``,
        ``InvalidHeader``, ``stale``, ``unknown_sender``, ``SeedMismatch``...)."""
        self.evidence: list[Evidence] = []
        """Evidence found so far (also emitted as :class:`EvidenceFound`); the newest 1,024."""
        self.set_schedule(schedule)

    # -- schedules and clock ---------------------------------------------------------
    def set_schedule(self, schedule: EpochRules) -> None:
        """Install the schedule of an epoch (call before the epoch's first slot): a rotation
        or windowed schedule, or a :class:`~election.rules.modes.SecretEpoch`.  A windowed
        schedule is the caller's to reveal as its window seeds become known (the same
        object stays installed).

        An epoch is forgotten once all its slots are older than the controller's
        look-back (the longest a slot can still need votes or a takeover).

        Raises:
            InvalidConfig: the schedule is for another config.
        """
        if schedule.config != self.config:
            raise InvalidConfig("schedule was built for another ElectionConfig")
        if schedule.epoch not in self._epochs or self._epochs[schedule.epoch][0] is not schedule:
            pool = None if isinstance(schedule, SecretEpoch) else VotePool(schedule)
            self._epochs[schedule.epoch] = (schedule, pool)

    def schedule_for(self, slot: int) -> EpochRules | None:
        """The installed schedule holding ``slot``, or None."""
        entry = self._epochs.get(slot // self.config.epoch_length)
        return None if entry is None else entry[0]

    def pool_for(self, slot: int) -> VotePool | None:
        """The vote pool of ``slot``'s epoch, or None if that epoch is not installed."""
        entry = self._epochs.get(slot // self.config.epoch_length)
        return None if entry is None else entry[1]

    def slot_start(self, slot: int) -> float:
        """Start time of ``slot``: ``genesis_time + slot * slot_duration``."""
        return self.genesis_time + self.config.slot_offset_ms(slot) / 1000

    def deadline(self, slot: int, rank: int) -> float:
        """End of ``rank``'s production window for ``slot``: ``S + (rank+1)*T``."""
        return self.slot_start(slot) + (rank + 1) * self._timeout_s

    def slot_at(self, now: float) -> int:
        """The slot in progress at ``now`` (-1 before genesis)."""
        if now < self.genesis_time:
            return -1
        return int((now - self.genesis_time) * 1000 // self.config.slot_duration_ms)

    def detector(self, validator_id: str) -> PhiAccrualDetector | None:
        """The failure detector of a peer, or None before its first heartbeat."""
        return self._detectors.get(validator_id)

    def canonical(self, slot: int) -> tuple[int, bytes] | None:
        """``(rank, block_hash)`` of the slot's canonical block by this node's view (the
        hash is empty for blocks the caller vouched for without a header), or None."""
        st = self._slots.get(slot)
        return None if st is None else st.best()

    @property
    def tip_hash(self) -> bytes:
        """Hash of the newest canonical block seen (:data:`GENESIS_PARENT` before any)."""
        return GENESIS_PARENT if self._tip is None or not self._tip[1] else self._tip[1]

    def set_detector(self, validator_id: str, detector: PhiAccrualDetector) -> None:
        """Install ``detector`` as the failure detector of peer ``validator_id`` (replacing any).

        For a caller that shares heartbeat histories across many controllers (the
        simulator installs :meth:`~election.node.health.HeartbeatFeed.follower` detectors).
        """
        self._detectors[validator_id] = detector

    def _advance(self, now: float) -> None:
        if self._now is not None and now < self._now:
            raise ValueError(f"time went backwards: {now} < {self._now}")
        self._now = now
        if self.start_time is None:
            self.start_time = now

    def _reject(self, reason: str) -> None:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1

    def _known(self, validator_id: str) -> bool:
        return any(validator_id in sched.table for sched, _ in self._epochs.values())

    # -- inputs ----------------------------------------------------------------------
    def on_event(self, event: Event, now: float) -> list[Action]:
        """Consume one event observed at ``now``.

        Args:
            event: a :class:`Heartbeat`, :class:`BlockSeen` or :class:`VoteReceived`.
            now: the current time, seconds (never earlier than a previous call's).

        Returns:
            The actions to carry out, in order (possibly none).

        Raises:
            ValueError: ``now`` is earlier than a previous call's.
            TypeError: an unknown event type.
        """
        self._advance(now)
        if isinstance(event, Heartbeat):
            self._heartbeat(event.sender, now)
            return []
        if isinstance(event, BlockSeen):
            return self._block(event, now)
        if isinstance(event, VoteReceived):
            return self._vote(event.vote, now)
        raise TypeError(f"expected a Heartbeat, BlockSeen or VoteReceived, got {type(event).__name__}")

    def tick(self, now: float) -> list[Action]:
        """Let time pass to ``now``: produce as primary, sign due timeout votes.

        Args:
            now: the current time, seconds.

        Returns:
            The actions to carry out, in order.

        Raises:
            ValueError: ``now`` is earlier than a previous call's.
        """
        self._advance(now)
        current = self.slot_at(now)
        out: list[Action] = []
        if current < 0:
            return out
        if self._unchecked:
            out += self._retry_unchecked(now)
        for slot in range(max(0, current - self._lookback), current + 1):
            out += self._drive(slot, now)
        self._prune(current - self._lookback - 1)
        return out

    def next_wakeup(self, now: float) -> float | None:
        """The earliest time after ``now`` at which :meth:`tick` may act.

        An event-driven caller can sleep until then (or until an event comes); calling
        :meth:`tick` more often is harmless.

        Returns:
            A time ``> now``, or None if no installed epoch has a slot left.
        """
        current = max(self.slot_at(now), -1)
        cands: list[float] = []
        t = self._timeout_s
        for slot in range(max(0, current - self._lookback), current + 2):
            sched = self.schedule_for(slot)
            if sched is None:
                continue
            start = self.slot_start(slot)
            cands.append(start)
            if self.start_time is not None and start < self.start_time:
                continue  # slots that began before this node started get no votes from it (_drive)
            if isinstance(sched, SecretEpoch) or not _revealed(sched, slot):
                continue  # secret: production at the start only; windowed: nothing before the reveal
            st = self._slots.get(slot)
            if st is not None and st.blocks:
                continue
            depth = sched.depth
            if start + depth * t + self.patience <= now:
                continue  # every vote of this slot is past due
            ranking = sched.ranking(slot)
            for r in range(1, depth + 1):
                if st is not None and r in st.voted:
                    continue
                due = start + r * t
                cands.append(due)
                cands.append(due + self.patience)
                if due < now:
                    det = self._detector_of(ranking[r - 1])
                    when = None if det is None else det.suspicion_time()
                    if when is not None:
                        cands.append(when)
                break  # later ranks wait for this one
        future = [c for c in cands if c > now]
        return min(future) if future else None

    # -- signing -------------------------------------------------------------------
    def _sign(self, kind: str, epoch: int, slot: int, rank: int, message: bytes) -> bytes:
        def raw(m: bytes) -> bytes:
            return self._vote_key.sign(m).signature
        if self.guard is None:
            return raw(message)
        return self.guard.sign(kind, epoch, slot, rank, message, raw)

    def _vote_signer(self, epoch: int, slot: int, rank: int) -> Callable[[bytes], bytes]:
        def sign(message: bytes) -> bytes:
            return self._sign("vote", epoch, slot, rank, message)
        return sign

    def sign_header(self, produce: Produce, payload_digest: bytes, now: float,
                    parent_hash: bytes | None = None) -> SignedHeader:
        """Sign the header of the block ``produce`` asked for, if it may still be produced.

        The runtime builds the payload, then calls this right before sending: the checks
        run against the latest state, and the guard records the header before the
        signature exists outside it.  The block counts as seen by this node.

        Args:
            produce: the :class:`Produce` action.
            payload_digest: the 32-byte digest of the block's contents.
            now: the current time.
            parent_hash: the block it builds on; default :attr:`tip_hash`.

        Returns:
            The signed header (send it with ``produce.claim`` before ``produce.deadline``).

        Raises:
            PastDeadline: ``now`` is at or past the window's end.
            Superseded: a block, vote or certificate for a higher rank exists for the slot,
                or a block of the slot was seen before this one was signed.
            ElectionError: the guard refused (a conflicting signature exists).
        """
        self._advance(now)
        st = self._slot(produce.slot)
        if now >= produce.deadline:
            self._reject("past_deadline")
            raise PastDeadline(f"slot {produce.slot} rank {produce.rank}: window closed at "
                               f"{produce.deadline:.3f}, now {now:.3f}")
        sched = self.schedule_for(produce.slot)
        if isinstance(sched, SecretEpoch):
            return self._sign_race_header(produce, payload_digest, parent_hash, sched, st)
        others = [r for r in st.blocks if r != produce.rank]
        higher_vote = any(r > produce.rank for r in st.voted)
        if others or higher_vote or st.cert_rank > produce.rank:
            self._reject("superseded")
            raise Superseded(f"slot {produce.slot} rank {produce.rank}: a block, vote or certificate "
                             "of another rank exists")
        parent = self.tip_hash if parent_hash is None else parent_hash
        header = make_header(produce.claim, parent, payload_digest,
                             signer=lambda m: self._sign("header", produce.claim.epoch, produce.slot,
                                                         produce.rank, m))
        st.signed = True
        self._record_block(produce.slot, produce.rank, header.block_hash(), header)
        return header

    def _sign_race_header(self, produce: Produce, payload_digest: bytes, parent_hash: bytes | None,
                          rules: SecretEpoch, st: _Slot) -> SignedHeader:
        """Secret mode: sign unless a better block of the slot was seen (:class:`Superseded`)."""
        own = rules.entry(self.validator_id, vrf.proof_to_hash(produce.claim.proof, self.config.suite))
        best = st.best_race()
        if best is not None and best[0].validator_id != self.validator_id and prefer_race(best, (own, b"\xff" * 32)):
            self._reject("superseded")
            raise Superseded(f"slot {produce.slot}: a better-scored block of {best[0].validator_id!r} exists")
        parent = self.tip_hash if parent_hash is None else parent_hash
        header = make_header(produce.claim, parent, payload_digest,
                             signer=lambda m: self._sign("header", produce.claim.epoch, produce.slot, 0, m))
        st.signed = True
        self._record_race(produce.slot, own, header.block_hash(), header)
        return header

    # -- internals -------------------------------------------------------------------
    def _record_race(self, slot: int, entry: RaceEntry, block_hash: bytes, header: SignedHeader | None) -> None:
        st = self._slot(slot)
        st.race[entry.validator_id] = (entry, block_hash, header)
        best = st.best()
        if best is not None and (self._tip is None or slot >= self._tip[0]):
            self._tip = (slot, best[1])

    def _heartbeat(self, sender: str, now: float) -> None:
        det = self._detectors.get(sender)
        if det is None:
            if not self._known(sender):
                self._reject("unknown_sender")  # bounded: detectors exist only for table members
                return
            det = self._detectors[sender] = self._detector_factory()
        det.heartbeat(now)

    def _slot(self, slot: int) -> _Slot:
        st = self._slots.get(slot)
        if st is None:
            st = self._slots[slot] = _Slot()
        return st

    def _record_block(self, slot: int, rank: int, block_hash: bytes, header: SignedHeader | None) -> None:
        st = self._slot(slot)
        st.blocks[rank] = (block_hash, header)
        if self._tip is None or slot >= self._tip[0]:  # the newest slot's canonical block is the tip
            best = st.best()
            assert best is not None
            self._tip = (slot, best[1])

    def _emit_evidence(self, ev: Evidence, out: list[Action]) -> None:
        if len(self.evidence) >= 1024:
            del self.evidence[0]
        self.evidence.append(ev)
        out.append(EvidenceFound(ev))

    def _block(self, event: BlockSeen, now: float) -> list[Action]:
        sched = self.schedule_for(event.slot) if type(event.slot) is int else None
        if sched is None:
            self._reject("stale")
            return []
        block_hash = b""
        beta: bytes | None = None
        if event.claim is not None and event.beta is not None:
            # Vouched with its claim: verified by the caller (the node's chain view) already.
            c = event.claim
            if (c.slot, c.rank, c.validator_id) != (event.slot, event.rank, event.validator_id):
                self._reject("InvalidClaim")
                return []
            block_hash = b"" if event.header is None else event.header.block_hash()
            beta = event.beta
        elif event.claim is not None:
            c = event.claim
            if (c.slot, c.rank, c.validator_id) != (event.slot, event.rank, event.validator_id):
                self._reject("InvalidClaim")
                return []
            if event.header is not None or self.require_headers:
                try:
                    block_hash = verify_header(event.header, c, sched.table)
                except InvalidHeader:
                    self._reject("InvalidHeader")
                    return []
            try:
                beta = verify_claim(c, sched, require_seed=self.require_headers)
            except InvalidClaim as exc:
                self._reject("SeedMismatch" if exc.code in ("seed_mismatch", "unbound_vote") else "InvalidClaim")
                return []
            except WindowNotRevealed:
                # Not checkable yet (docs/spec.md 13.7): kept, bounded, until the window is revealed.
                if len(self._unchecked) >= _MAX_UNCHECKED:
                    self._reject("unchecked_overflow")
                    del self._unchecked[0]
                self._unchecked.append(event)
                return []
        elif event.header is not None:
            block_hash = event.header.block_hash()
            beta = event.beta
        else:
            beta = event.beta
        if isinstance(sched, SecretEpoch):
            return self._race_block(event, sched, beta, block_hash)
        out: list[Action] = []
        if event.validator_id != self.validator_id:
            mon = self._monitors.get(event.validator_id)
            if mon is None:
                mon = self._monitors[event.validator_id] = BlockIntervalMonitor(
                    self._slot_s, tolerance=self._anomaly_tolerance)
            mon.observe(event.slot, now)
            if mon.is_anomalous():
                if event.validator_id not in self._alerted and len(self._alerted) < _MAX_ALERTED:
                    self._alerted.add(event.validator_id)
                    out.append(Alert(event.validator_id, f"block interval drifts {mon.drift():+.0%} from the slot"))
            else:
                self._alerted.discard(event.validator_id)
        st = self._slot(event.slot)
        if event.claim is not None and event.claim.certificate is not None:
            st.cert_rank = max(st.cert_rank, event.rank)
        old = st.blocks.get(event.rank)
        if old is not None:
            old_hash, old_header = old
            if old_hash == block_hash:
                return out  # the same block again
            if old_header is not None and event.header is not None:
                self._emit_evidence(HeaderEquivocation.of(old_header, event.header), out)
            # Equivocation: keep the fork choice's pick (the smaller hash).
            if not prefer((event.rank, block_hash), (event.rank, old_hash)):
                return out
        if event.header is not None:
            pool = self.pool_for(event.slot)
            if pool is not None:
                for r in range(event.rank + 1, sched.depth + 1):
                    v = pool.vote_of(event.slot, r, event.validator_id)
                    if v is not None:
                        self._emit_evidence(ProduceAfterVote.of(event.header, v), out)
                        break
        before = st.best()
        self._record_block(event.slot, event.rank, block_hash, event.header)
        after = st.best()
        if st.produced is not None and after is not None and after[0] > st.produced and (
                before is None or before[0] <= st.produced):
            out.append(Abandon(event.slot, st.produced))
        return out

    def _race_block(self, event: BlockSeen, rules: SecretEpoch, beta: bytes | None,
                    block_hash: bytes) -> list[Action]:
        """Secret mode: record a valid block by its race entry; Abandon when it beats ours."""
        if beta is None or event.rank != 0:
            self._reject("InvalidClaim")  # a vouched secret block must carry its output
            return []
        try:
            entry = rules.entry(event.validator_id, beta)
        except ElectionError:
            self._reject("InvalidClaim")
            return []
        out: list[Action] = []
        st = self._slot(event.slot)
        old = st.race.get(event.validator_id)
        if old is not None:
            if old[1] == block_hash:
                return out
            if old[2] is not None and event.header is not None:
                self._emit_evidence(HeaderEquivocation.of(old[2], event.header), out)
            if not prefer_race((entry, block_hash), (old[0], old[1])):
                return out
        before = st.best_race()
        self._record_race(event.slot, entry, block_hash, event.header)
        after = st.best_race()
        mine = self.validator_id
        if st.produced is not None and after is not None and after[0].validator_id != mine and (
                before is None or before[0].validator_id == mine):
            out.append(Abandon(event.slot, 0))
        return out

    def _retry_unchecked(self, now: float) -> list[Action]:
        """Windowed: check again the kept blocks whose window is revealed now."""
        ready: list[BlockSeen] = []
        keep: list[BlockSeen] = []
        for ev in self._unchecked:
            sched = self.schedule_for(ev.slot)
            if sched is None:
                continue  # its epoch is gone
            (ready if _revealed(sched, ev.slot) else keep).append(ev)
        self._unchecked = keep
        out: list[Action] = []
        for ev in ready:
            out += self._block(ev, now)
        return out

    def _vote(self, vote: TimeoutVote, now: float) -> list[Action]:
        if not isinstance(vote, TimeoutVote):
            self._reject("WrongVoteContext")
            return []
        current = self.slot_at(now)
        if not current - self._lookback <= vote.slot <= current + 1:
            self._reject("stale")  # too old to matter or too far ahead to be honest
            return []
        pool = self.pool_for(vote.slot)
        if pool is None:
            self._reject("WrongVoteContext")
            return []
        out: list[Action] = []
        try:
            cert = pool.add(vote)
        except ConflictingVote as exc:
            self._reject("ConflictingVote")
            self._emit_evidence(exc.evidence, out)
            return out
        except VoteRejected as exc:
            self._reject(type(exc).__name__)
            return []
        st = self._slots.get(vote.slot)
        if st is not None:
            for r, (_, header) in st.blocks.items():
                if header is not None and r < vote.rank and header.header.validator_id == vote.voter_id:
                    self._emit_evidence(ProduceAfterVote.of(header, vote), out)
                    break
        if cert is None:
            return out
        self._slot(vote.slot).cert_rank = max(self._slot(vote.slot).cert_rank, vote.rank)
        return out + self._maybe_produce(vote.slot, vote.rank, cert, now)

    def _maybe_produce(self, slot: int, rank: int, cert: TimeoutCertificate | None, now: float) -> list[Action]:
        sched = self.schedule_for(slot)
        if sched is None or isinstance(sched, SecretEpoch) or not _revealed(sched, slot):
            return []
        if rank > sched.depth or sched.at_rank(slot, rank) != self.validator_id:
            return []
        st = self._slot(slot)
        if st.produced is not None or st.blocks:
            return []
        if any(r > rank for r in st.voted) or st.cert_rank > rank:
            return []  # this node (or a certificate) already voted this rank out
        if rank > 0 and cert is None:
            return []
        start = self.slot_start(slot) + rank * self._timeout_s
        deadline = self.deadline(slot, rank)
        if not start <= now < deadline:
            if now >= deadline:
                self._reject("past_deadline")
            return []
        try:
            claim = make_claim(sched, self._vrf_key, self.validator_id, slot, rank, cert)
        except ElectionError:
            self._reject("InvalidClaim")
            return []
        st.produced = rank
        return [Produce(slot, rank, cert, claim, deadline)]

    def _detector_of(self, validator_id: str) -> PhiAccrualDetector | None:
        """The peer's detector; a peer never heard from is judged as if it had sent one
        heartbeat when this node started, so a validator that is down from the start is
        suspected like one that fell silent, instead of waiting out the patience."""
        det = self._detectors.get(validator_id)
        if det is None and self.start_time is not None:
            det = self._detectors[validator_id] = self._detector_factory()
            det.heartbeat(self.start_time)
        return det

    def _suspected(self, validator_id: str, now: float) -> bool:
        if validator_id == self.validator_id:
            return False
        det = self._detector_of(validator_id)
        return det is not None and not det.is_available(now)

    def _drive_race(self, rules: SecretEpoch, slot: int, now: float) -> list[Action]:
        """Secret mode: produce at the slot's start if eligible; no votes."""
        start = self.slot_start(slot)
        if not start <= now < start + self._timeout_s or self.validator_id not in rules.table:
            return []
        st = self._slot(slot)
        if st.produced is not None or st.ineligible:
            return []
        try:
            claim = make_claim(rules, self._vrf_key, self.validator_id, slot)
        except InvalidClaim as exc:
            if exc.code == "not_eligible":
                st.ineligible = True
            else:
                self._reject("InvalidClaim")
            return []
        except ElectionError:
            self._reject("InvalidClaim")
            return []
        st.produced = 0
        return [Produce(slot, 0, None, claim, self.deadline(slot, 0))]

    def _drive(self, slot: int, now: float) -> list[Action]:
        sched = self.schedule_for(slot)
        if sched is None:
            return []
        if isinstance(sched, SecretEpoch):
            return self._drive_race(sched, slot, now)
        if not _revealed(sched, slot):
            return []  # windowed: the window's leaders are not known yet
        start = self.slot_start(slot)
        out: list[Action] = []
        ranking = sched.ranking(slot)
        if ranking[0] == self.validator_id and start <= now < start + self._timeout_s:
            out += self._maybe_produce(slot, 0, None, now)
        if self.validator_id not in sched.table or self.start_time is None or start < self.start_time:
            return out
        st = self._slots.get(slot)
        t = self._timeout_s
        for r in range(1, sched.depth + 1):
            if st is not None and st.blocks:
                break  # a block exists: nothing to vote out
            if st is not None and r in st.voted:
                continue
            if st is not None and st.produced is not None and st.produced < r:
                break  # never vote out a rank this node produced
            if now < start + r * t:
                break
            if not (self._suspected(ranking[r - 1], now) or now >= start + r * t + self.patience):
                break
            try:
                vote = TimeoutVote.sign(
                    self.config, sched.table, sched.epoch, slot, r, self.validator_id, self._vote_key,
                    parent_hash=self.tip_hash, seed=sched.seed, signer=self._vote_signer(sched.epoch, slot, r))
            except ElectionError:
                self._reject("guard_refused")
                break
            st = self._slot(slot)
            st.voted.add(r)
            out.append(BroadcastVote(vote))
            pool = self.pool_for(slot)
            assert pool is not None
            try:
                cert = pool.add(vote)
            except DuplicateVote:
                cert = pool.certificate(slot, r)
            if cert is not None:
                st.cert_rank = max(st.cert_rank, r)
                out += self._maybe_produce(slot, r, cert, now)
        return out

    def _prune(self, before_slot: int) -> None:
        if before_slot <= 0:
            return
        for s in [s for s in self._slots if s < before_slot]:
            del self._slots[s]
        length = self.config.epoch_length
        newest = max(self._epochs)
        dropped = [e for e in self._epochs if (e + 1) * length <= before_slot and e != newest]
        for e in dropped:
            del self._epochs[e]
        for _, pool in self._epochs.values():
            if pool is not None:
                pool.prune(before_slot)
        if dropped:
            # Detectors and monitors only of validators in an installed table (bounded by the
            # tables); only a dropped epoch can make a validator unknown.
            for d in (self._detectors, self._monitors):
                for vid in [v for v in d if not self._known(v)]:
                    del d[vid]
