"""Offline audit of a chain's leader history.

:func:`audit` reads a genesis file and streams a history file (docs/formats.md) in
bounded batches: memory does not grow with the history's length.  Epoch by epoch it
recomputes the seed (from the betas of the valid blocks before the cutoff, exactly
as :class:`~election.rules.seeds.SeedAccumulator`) and the schedule, checks every claim
with :func:`~election.rules.claims.check_claim_static` (chain, epoch, slot, rank, rightful
validator, certificate) and verifies the VRF proofs of a whole batch in one
:func:`vrf.verify_many` call on worker threads.  It also checks that slots strictly
increase (no slot with two blocks), that a line's ``slot`` matches its claim, and
that ``parent_hash`` links to the previous block in order (or, past an invalid block,
to the last valid one) when both hashes are given.

The :class:`AuditReport` holds the invalid blocks with their reasons, missed slots
(counts and runs), takeovers by rank, per-validator expected vs produced slots, a
chi-square test of produced slots against stake, and the seed chain.  What each
figure means is in docs/audit.md.

Seeds, tables (with the inactivity rule), rules and window reveals go through an
:class:`~election.chain.ledger.EpochLedger`, the bookkeeping the chain view uses too.

Every election mode audits (docs/spec.md 13.7, 14.6).  Windowed: the window seeds are
recomputed from the audited betas as the history advances (window ``g`` is revealed from
the valid blocks of window ``g - 2`` before the first block of window ``g`` is checked);
fairness is floor/ceil as in the rotation.  Secret: each block must be eligible
(``not_eligible``), with ``--observed`` a better valid claim of the slot supersedes the
history's (``superseded``), and fairness is binomial: the report's ``mode_detail`` gives
each validator's expected blocks ``slots * (s_i / S) * (1 - e^-k)`` against produced and
the empty-slot rate against ``e^-k``.
"""

from __future__ import annotations

import functools
import heapq
import json
import math
import os
import time
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, overload

import vrf

from ..risk.health import HealthReport, OutcomeLog, assess
from ..rules.blocks import SignedBlock, check_block_static, collect_block_static
from ..rules.claims import LeaderClaim, check_claim_output, collect_claim_static
from ..rules.config import MAX_SLOT, ElectionConfig
from ..rules.deferred import Deferred, SignatureItem
from ..rules.errors import ElectionError, InvalidClaim
from ..rules.evidence import Evidence, HeaderEquivocation, ProduceAfterVote, VoteEquivocation, evidence_to_dict
from ..rules.forkchoice import canonical_index, canonical_race_index
from ..rules.headers import HEADER_REASONS, InvalidHeader
from ..rules.modes import EpochRules, SecretEpoch, make_rules
from ..rules.schedule import Schedule, primary_counts, primary_offset
from ..rules.seeds import SeedAccumulator
from ..rules.stake import StakeTable
from ..rules.votes import TimeoutVote
from ..rules.windowed import WindowedSchedule, WindowNotRevealed
from .formats import (
    MAX_REPORTED_LINES,
    GenesisFile,
    HistoryRecord,
    HistorySource,
    MalformedHistory,
    MalformedLine,
    PathLike,
    max_line_bytes_for,
    open_lines,
    parse_history_item,
    parse_history_line,
)
from .ledger import EpochLedger
from .sigcheck import verify_signatures
from .stats import chi_square

__all__ = [
    "audit", "AuditReport", "InvalidBlock", "EpochSummary", "ValidatorSummary", "ProgressCallback",
    "REPORT_FORMAT", "BATCH_SIZE", "MAX_INVALID_KEPT", "MAX_EMPTY_EPOCHS", "REASON_CODES", "SeedChain",
    "ShardStart", "MAX_PENDING_SIGNATURES",
]

REPORT_FORMAT = "seqvrf-audit-report"
"""Value of the JSON report's ``format`` key."""
BATCH_SIZE = 4096
"""Claims whose VRF proofs are verified together in one :func:`vrf.verify_many` call."""
MAX_PENDING_SIGNATURES = 1 << 17
"""Most Ed25519 checks (votes, headers) collected before a batch is verified, whatever its
number of claims: a hostile certificate holds up to 65,535 votes."""
MAX_INVALID_KEPT = 1000
"""Invalid blocks kept in full in the report; the rest are counted by reason only."""
MAX_EMPTY_EPOCHS = 4096
"""Default longest run of empty epochs the audit walks through before a block (the
``max_empty_epochs`` argument); a block further ahead is invalid (``epoch_gap``).  An
empty epoch costs a seed step and one draw (no schedule), about 15 µs: docs/audit.md.

A chain that really was down longer needs a larger limit: rejecting the first block after
the outage would change the next seed (its beta is part of it), so the audit cannot skip
it and catch up; every later block is ``epoch_gap`` too, each naming the limit it needs."""
_LONGEST_RUNS = 10

ProgressCallback = Callable[[int, int, int | None], None]
"""``progress(blocks_done, bytes_done, bytes_total_or_None)``, called after each batch."""

# Reason codes of invalid blocks. Claim-rule codes come from InvalidClaim.code.
REASON_CODES: dict[str, str] = {
    "wrong_chain": "the claim names another chain",
    "wrong_epoch": "the claim's epoch is not its slot's epoch",
    "wrong_slot": "the claim's slot is not in its epoch",
    "wrong_rank": "the rank exceeds the slot's number of backups",
    "wrong_leader": "the validator is not the one at this rank for this slot",
    "stray_certificate": "a rank-0 claim carries a certificate",
    "missing_certificate": "a backup claim (rank > 0) has no timeout certificate",
    "certificate_mismatch": "the certificate is for another epoch, slot or rank",
    "invalid_certificate": "a vote is invalid or the voters hold at most 2/3 of the stake",
    "invalid_proof": "the VRF proof does not verify under the validator's key for the slot's input",
    "invalid_claim": "the claim breaks another rule",
    "slot_mismatch": "the line's slot differs from its claim's slot",
    "duplicate_slot": "a second block for a slot that already has one",
    "out_of_order": "a slot lower than an earlier line's (slots must strictly increase)",
    "before_start": "a slot before the genesis start epoch",
    "epoch_gap": "more empty epochs after the previous block than the audit walks (max_empty_epochs, "
                 f"default {MAX_EMPTY_EPOCHS})",
    "slot_out_of_range": "the slot is in the partial epoch past the last whole epoch below 2**64 (no such epoch)",
    "parent_mismatch": "parent_hash is neither the previous block's block_hash nor the last valid block's",
    **HEADER_REASONS,
    "seed_mismatch": "a certificate's votes bind another epoch seed than the audit's",
    "unbound_vote": "a version-2 block's certificate holds version-1 votes, which bind no seed",
    "superseded": "an observed valid block of the same slot wins the fork choice over this one",
}


# -- report types -------------------------------------------------------------------------


@dataclass(frozen=True)
class InvalidBlock:
    """One block that failed the audit.

    Attributes:
        line: its 1-based line in the history file.
        slot: the claim's slot.
        rank: the claimed rank.
        validator_id: the claimed producer.
        code: a short reason code (see :data:`REASON_CODES`).
        reason: the reason in words.
    """

    line: int
    slot: int
    rank: int
    validator_id: str
    code: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"line": self.line, "slot": self.slot, "rank": self.rank, "validator_id": self.validator_id,
                "code": self.code, "reason": self.reason}


@dataclass(frozen=True)
class EpochSummary:
    """One audited epoch.

    Attributes:
        epoch: the epoch number.
        seed: its 32-byte seed (recomputed; the initial seed for the start epoch).
        table_digest: its stake table's digest.
        slots: its slots inside the audited range.
        produced: its valid blocks.
        seed_blocks: valid blocks before the cutoff (their betas made the next seed).
        next_seed: the seed of ``epoch + 1``.
        next_seed_final: False when the history ends before this epoch's cutoff (the
            next seed could still change with later blocks).
    """

    epoch: int
    seed: bytes
    table_digest: bytes
    slots: int
    produced: int
    seed_blocks: int
    next_seed: bytes
    next_seed_final: bool

    @property
    def missed(self) -> int:
        """Slots of the epoch inside the range without a valid block."""
        return self.slots - self.produced

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"epoch": self.epoch, "seed": self.seed.hex(), "table_digest": self.table_digest.hex(),
                "slots": self.slots, "produced": self.produced, "missed": self.missed,
                "seed_blocks": self.seed_blocks, "next_seed": self.next_seed.hex(),
                "next_seed_final": self.next_seed_final}


class _EmptyRun:
    """Consecutive epochs without a valid block and with one stake table, kept as their
    first seed: every later seed of the run is recomputed on access (no betas)."""

    __slots__ = ("first", "count", "seed", "digest", "next_seed")

    def __init__(self, first: int, seed: bytes, digest: bytes, next_seed: bytes) -> None:
        self.first = first
        self.count = 1
        self.seed = seed
        self.digest = digest
        self.next_seed = next_seed


class SeedChain(Sequence[EpochSummary]):
    """The audited epochs in order, as :class:`EpochSummary` items.

    A run of epochs without any block is stored as its first epoch and seed (a few
    dozen bytes, whatever its length); its items are recomputed when read, one seed
    step each, so the audit's memory does not grow with the empty epochs it walks.
    Compares equal to any sequence with the same items.

    Args:
        config: the chain's election parameters (to recompute seeds).
    """

    __slots__ = ("_config", "_items", "_ends")

    def __init__(self, config: ElectionConfig) -> None:
        self._config = config
        self._items: list[EpochSummary | _EmptyRun] = []
        self._ends: list[int] = []  # running item counts, for index lookups

    def append(self, summary: EpochSummary) -> None:
        """Add the next epoch."""
        self._items.append(summary)
        self._ends.append((self._ends[-1] if self._ends else 0) + 1)

    def append_empty(self, epoch: int, seed: bytes, digest: bytes, next_seed: bytes) -> None:
        """Add the next epoch, known to have no block (its ``next_seed`` chains with no beta)."""
        last = self._items[-1] if self._items else None
        if isinstance(last, _EmptyRun) and last.first + last.count == epoch and last.digest == digest:
            last.count += 1
            last.next_seed = next_seed
            self._ends[-1] += 1
            return
        self._items.append(_EmptyRun(epoch, seed, digest, next_seed))
        self._ends.append((self._ends[-1] if self._ends else 0) + 1)

    def extend(self, other: SeedChain) -> None:
        """Add the epochs of ``other``, which come right after this chain's (a later shard)."""
        for item in other._items:
            if isinstance(item, _EmptyRun):
                last = self._items[-1] if self._items else None
                if isinstance(last, _EmptyRun) and last.first + last.count == item.first and last.digest == item.digest:
                    last.count += item.count
                    last.next_seed = item.next_seed
                    self._ends[-1] += item.count
                    continue
                run = _EmptyRun(item.first, item.seed, item.digest, item.next_seed)
                run.count = item.count
                self._items.append(run)
                self._ends.append((self._ends[-1] if self._ends else 0) + item.count)
            else:
                self.append(item)

    @property
    def last_next_seed(self) -> bytes:
        """The ``next_seed`` of the last epoch (O(1)).

        Raises:
            IndexError: the chain is empty.
        """
        last = self._items[-1]
        return last.next_seed

    def _run(self, run: _EmptyRun, start: int = 0, stop: int | None = None) -> Iterator[EpochSummary]:
        length = self._config.epoch_length
        seed = run.seed
        stop = run.count if stop is None else stop
        for k in range(stop):
            epoch = run.first + k
            nxt = SeedAccumulator(self._config, epoch, seed).finish()
            if k >= start:
                yield EpochSummary(epoch, seed, run.digest, length, 0, 0, nxt, True)
            seed = nxt

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def __iter__(self) -> Iterator[EpochSummary]:
        for item in self._items:
            if isinstance(item, _EmptyRun):
                yield from self._run(item)
            else:
                yield item

    @overload
    def __getitem__(self, index: int) -> EpochSummary: ...
    @overload
    def __getitem__(self, index: slice) -> list[EpochSummary]: ...
    def __getitem__(self, index: int | slice) -> EpochSummary | list[EpochSummary]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"epoch index {index} out of range for {n} epoch(s)")
        index %= n
        at = bisect_right(self._ends, index)
        item = self._items[at]
        if isinstance(item, EpochSummary):
            return item
        k = index - (self._ends[at] - item.count)
        return next(self._run(item, k, k + 1))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SeedChain({len(self)} epoch(s), {len(self._items)} stored item(s))"


@dataclass(frozen=True)
class ValidatorSummary:
    """One validator's share of the audited range.

    Attributes:
        id: the validator id.
        stake: its stake in the last audited epoch's table (0 if absent there).
        expected: its exact stake share of the range's slots, summed epoch by epoch.
        expected_produced: its exact stake share of the valid blocks, epoch by epoch
            (the chi-square expectation).
        scheduled: slots where the schedule made it the primary.
        produced: valid blocks it produced (any rank).
        as_primary: of those, at rank 0.
        as_backup: of those, at rank > 0 (takeovers).
    """

    id: str
    stake: int
    expected: Fraction
    expected_produced: Fraction
    scheduled: int
    produced: int
    as_primary: int
    as_backup: int

    @property
    def missed_primary(self) -> int:
        """Slots it was the primary for and did not produce (missed or taken over)."""
        return self.scheduled - self.as_primary

    def to_dict(self) -> dict[str, Any]:
        """JSON form; expectations as floats and as exact ``"p/q"`` strings."""
        return {
            "id": self.id, "stake": self.stake,
            "expected": float(self.expected), "expected_exact": str(self.expected),  # float-ok
            "expected_produced": float(self.expected_produced),  # float-ok
            "scheduled": self.scheduled, "produced": self.produced, "as_primary": self.as_primary,
            "as_backup": self.as_backup, "missed_primary": self.missed_primary,
        }


@dataclass
class AuditReport:
    """Everything the audit found.  ``ok`` is True when no block is invalid.

    Missed slots and the fairness statistic are reported, not judged: an outage is not
    a violation, and a small p-value is a signal for people to look into.
    """

    chain_id: bytes
    genesis_start_epoch: int
    first_slot: int
    last_slot: int | None
    blocks: int
    valid: int
    invalid_blocks: list[InvalidBlock]
    invalid_by_code: dict[str, int]
    missed: int
    missed_runs: int
    longest_missed_runs: list[tuple[int, int]]
    missed_run_histogram: dict[str, int]
    by_rank: dict[int, int]
    validators: list[ValidatorSummary]
    chi_square: float | None
    chi_square_df: int | None
    p_value: float | None
    epochs: Sequence[EpochSummary]
    elapsed_seconds: float = field(default=0.0, compare=False)
    history_version: int = 1
    stale_parents: int = 0
    equivocations: list[dict[str, Any]] = field(default_factory=list)
    observed: dict[str, Any] | None = None
    inactivity: dict[str, Any] | None = None
    """With the inactivity rule on (docs/spec.md section 19): the epochs whose effective
    table reduced validators, ``{"threshold", "divisor", "finality", "reduced_epochs",
    "epochs": [{"epoch", "reduced", "finalized"}, ...]}``; None when the rule is off."""
    mode: str = "rotation"
    mode_detail: dict[str, Any] | None = None

    @property
    def authorship(self) -> str:
        """``"proven"`` when every block carries a verified header (version 2), else ``"not proven"``."""
        return "proven" if self.history_version >= 2 else "not proven"
    health: HealthReport | None = field(default=None, compare=False)
    """Availability and anomaly flags from the slot outcomes (election.risk.health)."""

    @property
    def ok(self) -> bool:
        """True when the history has blocks, every one is valid and no equivocation was
        proven.  An empty history proves nothing (most likely the wrong file): not ok
        (docs/audit.md)."""
        return self.blocks > 0 and self.invalid == 0 and not self.equivocations

    @property
    def invalid(self) -> int:
        """Number of invalid blocks."""
        return self.blocks - self.valid

    @property
    def slots(self) -> int:
        """Slots in the audited range (first slot of the start epoch to the last block's slot)."""
        return 0 if self.last_slot is None else self.last_slot - self.first_slot + 1

    @property
    def takeovers(self) -> int:
        """Valid blocks produced by a backup (rank > 0)."""
        return sum(n for r, n in self.by_rank.items() if r > 0)

    def to_dict(self) -> dict[str, Any]:
        """JSON form with every figure (see docs/audit.md)."""
        return {
            "format": REPORT_FORMAT, "version": 1, "ok": self.ok,
            "chain_id": self.chain_id.hex(),
            "range": {"start_epoch": self.genesis_start_epoch, "first_slot": self.first_slot,
                      "last_slot": self.last_slot, "slots": self.slots},
            "blocks": {"total": self.blocks, "valid": self.valid, "invalid": self.invalid},
            "invalid_by_code": dict(sorted(self.invalid_by_code.items())),
            "invalid_blocks": [b.to_dict() for b in self.invalid_blocks],
            "invalid_blocks_truncated": self.invalid > len(self.invalid_blocks),
            "missed": {"slots": self.missed, "runs": self.missed_runs,
                       "longest_runs": [{"first_slot": a, "last_slot": b, "length": b - a + 1}
                                        for a, b in self.longest_missed_runs],
                       "run_length_histogram": self.missed_run_histogram},
            "takeovers": {"total": self.takeovers, "by_rank": {str(r): n for r, n in sorted(self.by_rank.items())}},
            "validators": [v.to_dict() for v in self.validators],
            "fairness": {"test": "chi-square of produced blocks against stake share",
                         "statistic": self.chi_square, "df": self.chi_square_df, "p_value": self.p_value},
            "seed_chain": [e.to_dict() for e in self.epochs],
            "history_version": self.history_version,
            "authorship": self.authorship,
            "stale_parents": self.stale_parents,
            "equivocations": self.equivocations,
            "observed": self.observed,
            "health": None if self.health is None else self.health.to_dict(),
            **({} if self.inactivity is None else {"inactivity": self.inactivity}),
            "mode": self.mode,
            "mode_detail": self.mode_detail,
            "elapsed_seconds": round(self.elapsed_seconds, 3),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=indent)

    def summary_text(self, max_validators: int = 30, max_invalid: int = 20) -> str:
        """A human summary: verdict, blocks, missed slots, takeovers, fairness and a
        per-validator table (the largest stakes first)."""
        out: list[str] = []
        if self.ok:
            verdict = "PASS: every block is valid"
        elif not self.blocks:
            verdict = "FAIL: no blocks (an empty history proves nothing: is it the right file?)"
        else:
            verdict = f"FAIL: {self.invalid} invalid block(s), {len(self.equivocations)} proven equivocation(s)"
        out.append(f"seqvrf audit of chain {self.chain_id.hex()}: {verdict}")
        out.append(f"mode: {self.mode}")
        if self.history_version >= 2:
            out.append("authorship: proven (every valid block carries its producer's signed header)")
        else:
            out.append("authorship: not proven (version-1 history: blocks carry no signed header)")
        if self.last_slot is None:
            out.append("history is empty")
        else:
            first_e = self.epochs[0].epoch if self.epochs else self.genesis_start_epoch
            last_e = self.epochs[-1].epoch if self.epochs else first_e
            out.append(f"range: slots {self.first_slot}..{self.last_slot} ({self.slots} slots, "
                       f"epochs {first_e}..{last_e})")
        pct = (100.0 * self.valid / self.slots) if self.slots else 0.0  # float-ok
        out.append(f"blocks: {self.blocks} read, {self.valid} valid, {self.invalid} invalid; "
                   f"{pct:.2f}% of slots filled")
        if self.invalid_by_code:
            out.append("invalid by reason: " + ", ".join(f"{c}={n}" for c, n in sorted(self.invalid_by_code.items())))
            for b in self.invalid_blocks[:max_invalid]:
                out.append(f"  line {b.line} slot {b.slot} rank {b.rank} {b.validator_id!r}: [{b.code}] {b.reason}")
            if self.invalid > max_invalid:
                out.append(f"  ... {self.invalid - min(max_invalid, len(self.invalid_blocks))} more (see --json)")
        runs = ", ".join(f"{a}..{b} ({b - a + 1})" for a, b in self.longest_missed_runs[:5])
        out.append(f"missed slots: {self.missed} in {self.missed_runs} run(s)" + (f"; longest: {runs}" if runs else ""))
        ranks = ", ".join(f"rank {r}: {n}" for r, n in sorted(self.by_rank.items()) if r > 0)
        out.append(f"takeovers: {self.takeovers}" + (f" ({ranks})" if ranks else ""))
        if self.chi_square is not None:
            out.append(f"fairness: chi-square {self.chi_square:.3f} on {self.chi_square_df} df, "
                       f"p-value {self.p_value:.4g} (produced blocks vs stake)")
        else:
            out.append("fairness: not enough data for a chi-square test")
        d = self.mode_detail
        if d is not None and self.mode == "secret" and d["slots"]:
            out.append(f"secret race (k = {d['proposers']}): empty slots {d['empty_slots']} of {d['slots']} "
                       f"({100 * d['empty_rate']:.2f}%), expected e^-k = {100 * d['expected_empty_rate']:.2f}%; "
                       f"largest |z| of produced vs binomial expectation {d['max_abs_z']:.2f}")
        if self.stale_parents:
            out.append(f"stale parents: {self.stale_parents} block(s) built on a block other than the "
                       "previous canonical one")
        for ev in self.equivocations[:max_invalid]:
            out.append(f"equivocation: [{ev['kind']}] {ev['validator_id']!r} at slot {ev['slot']}")
        if self.observed is not None:
            o = self.observed
            out.append(f"observed blocks: {o['blocks']} read, {o['valid']} valid, {o['superseding']} superseding "
                       f"a history block, {o['unlisted']} for slots the history leaves empty")
        if self.inactivity is not None:
            i = self.inactivity
            last = i["epochs"][-1] if i["epochs"] else None
            out.append(f"inactivity rule: {i['reduced_epochs']} epoch(s) with reduced validators"
                       + ("" if last is None else f"; last: epoch {last['epoch']}, {len(last['reduced'])} reduced"))
        if self.epochs:
            e = self.epochs[-1]
            final = "" if e.next_seed_final else " (provisional: history ends before the cutoff)"
            out.append(f"seed chain: {len(self.epochs)} epoch(s); next seed (epoch {e.epoch + 1}) "
                       f"{e.next_seed.hex()}{final}")
        if self.health is not None:
            out.extend(self.health.summary_lines())
        if self.validators:
            rows = sorted(self.validators, key=lambda v: (-v.stake, v.id))
            width = max(9, *(len(v.id) for v in rows[:max_validators]))
            out.append("")
            out.append(f"{'validator':<{width}} {'stake':>12} {'expected':>10} {'scheduled':>9} "
                       f"{'produced':>8} {'primary':>7} {'backup':>6} {'missed':>6}")
            for v in rows[:max_validators]:
                out.append(f"{v.id:<{width}} {v.stake:>12} {float(v.expected):>10.1f} {v.scheduled:>9} "  # float-ok
                           f"{v.produced:>8} {v.as_primary:>7} {v.as_backup:>6} {v.missed_primary:>6}")
            if len(rows) > max_validators:
                out.append(f"... {len(rows) - max_validators} more validators (see --json)")
        return "\n".join(out)


# -- the auditor --------------------------------------------------------------------------


def _build_rules(config: ElectionConfig, table: StakeTable, epoch: int, seed: bytes) -> EpochRules:
    """The audit's rules builder for its ledger: :func:`make_rules`, with the rotation's
    :class:`Schedule` built through this module's name (tests count the schedules the
    audit builds, to prove that empty epochs build none)."""
    if config.mode == "rotation":
        return Schedule(config, table, epoch, seed)
    return make_rules(config, table, epoch, seed)


class _Epoch:
    """Per-epoch state while its blocks stream through.  The seed, table and rules come
    from the auditor's :class:`~election.chain.ledger.EpochLedger` (given a genesis
    instead: a ledger of its own on the genesis tables); the rules are built on first use:
    an epoch whose lines are all rejected before the claim checks never needs them."""

    __slots__ = ("epoch", "seed", "table", "_schedule", "acc", "produced", "ledger", "blocks", "producers")

    def __init__(self, ledger: EpochLedger | GenesisFile, epoch: int, seed: bytes) -> None:
        if isinstance(ledger, GenesisFile):
            ledger = EpochLedger(ledger, build=_build_rules)
        ledger.set_seed(epoch, seed)
        self.epoch = epoch
        self.seed = seed
        self.table = ledger.table(epoch)
        # valid blocks per (0 for rank 0 else 1, producer), inactivity rule only: O(validators) memory
        self.producers: dict[tuple[int, str], int] = {}
        self.ledger = ledger
        self._schedule: EpochRules | None = None
        self.acc = ledger.seed_accumulator(epoch)
        self.produced = 0
        self.blocks: dict[int, tuple[int, str]] = {}  # slot -> (rank, producer) of its valid block

    @property
    def built(self) -> bool:
        """Whether the schedule has been built."""
        return self._schedule is not None

    @property
    def schedule(self) -> EpochRules:
        """The epoch's rules for the mode (built now if needed: O(validators +
        epoch_length)); a windowed schedule starts with no window revealed."""
        if self._schedule is None:
            rules = self.ledger.rules(self.epoch)
            assert rules is not None  # the seed was set in __init__
            self._schedule = rules
        return self._schedule


class _PrimaryTally:
    """Primary slots per validator summed over epochs of one stake table that have no
    block, from each epoch's sampling offset alone: O(log n) per epoch, no schedule.

    With ``L*C_i = q_i*S + r_i`` (``0 <= r_i < S``), ``P(L*C_i) = ceil((L*C_i - offset)/S)``
    of :func:`~election.rules.schedule.primary_counts` is ``q_i + [offset < r_i]``, so over
    ``k`` epochs it sums to ``k*q_i + #{offsets < r_i}``: a histogram of the offsets
    between the sorted remainders is all that must be kept.
    """

    __slots__ = ("table", "epochs", "_q", "_r", "_cuts", "_hist")

    def __init__(self, table: StakeTable, length: int) -> None:
        total = table.total_stake
        self.table = table
        self.epochs = 0
        self._q = [length * c // total for c in table.cumulative_stakes]
        self._r = [length * c % total for c in table.cumulative_stakes]
        self._cuts = sorted(set(self._r))
        self._hist = [0] * (len(self._cuts) + 1)

    def add(self, offset: int) -> None:
        """Count one epoch with this sampling offset."""
        self._hist[bisect_right(self._cuts, offset)] += 1
        self.epochs += 1

    def counts(self) -> dict[str, int]:
        """Primary slots per validator id over the epochs added (zeros included)."""
        below = [0]  # below[j]: offsets in histogram cells 0..j-1
        for n in self._hist:
            below.append(below[-1] + n)
        k = self.epochs
        out: dict[str, int] = {}
        prev = 0
        for vid, q, r in zip(self.table.ids, self._q, self._r, strict=True):
            point = k * q + below[bisect_left(self._cuts, r) + 1]
            out[vid] = point - prev
            prev = point
        return out


class _TableTally:
    """Slots and valid blocks summed over the epochs that used one stake table."""

    __slots__ = ("table", "slots", "produced")

    def __init__(self, table: StakeTable) -> None:
        self.table = table
        self.slots = 0
        self.produced = 0


_LINE_TYPES = (str, bytes)

# A batch item: [record, reason code or None (None: awaiting its signature and VRF checks),
#                reason or None, whether the block took its place in the chain (not rejected by an
#                ordering rule), its pending signature checks (Deferred or None), whether it has a
#                VRF triple in the batch]
_Item = list[Any]
# A batch in flight: its items, and the future of (betas, signature verdicts).
_Flight = tuple[list[_Item], "Future[tuple[list[bytes | None], list[bool]]]"]


def _slim(rec: HistoryRecord) -> HistoryRecord:
    """The record without its certificate: all a pending block still needs once its claim
    checks have run (a hostile certificate may hold 65,535 votes)."""
    c = rec.claim
    if c.certificate is None:
        return rec
    claim = LeaderClaim._prechecked(c.chain_id, c.epoch, c.slot, c.rank, c.validator_id, c.proof, None, c.mode)
    return HistoryRecord(rec.slot, claim, rec.block_hash, rec.parent_hash, rec.line, rec.header)


@functools.lru_cache(maxsize=4)
def genesis_from_json(text: str) -> GenesisFile:
    """:meth:`GenesisFile.from_json`, remembered (a worker process gets many shards of one chain)."""
    return GenesisFile.from_json(text)


@dataclass(frozen=True)
class ShardStart:
    """The state of the sequential audit when the block that opens ``epoch`` comes in:
    all a shard starting at that block needs from the blocks before it.

    Attributes:
        epoch: the epoch the shard's first block opens.
        seed: that epoch's seed.
        last_slot: the slot of the last block that took its place in the chain (ordering).
        prev_hash: that block's ``block_hash`` (linking).
        valid_hash: the last valid block's ``block_hash``.
        last_valid_slot: the last valid block's slot (missed runs).
        version: the history version (fixed by the first block in order).
    """

    epoch: int
    seed: bytes
    last_slot: int | None
    prev_hash: bytes | None
    valid_hash: bytes | None
    last_valid_slot: int
    version: int | None


_SENT = ("genesis", "max_empty_epochs", "blocks", "valid", "invalid_kept", "invalid_by_code", "missed",
         "missed_runs", "longest", "run_hist", "by_rank", "produced", "scheduled", "tallies", "epochs",
         "version", "stale_parents", "kept", "last_slot", "last_valid_slot", "prev_hash", "valid_hash",
         "outcomes")


class _Auditor:
    def __init__(self, genesis: GenesisFile, workers: int | None, max_empty_epochs: int = MAX_EMPTY_EPOCHS,
                 l1_finalized: Mapping[int, int] | None = None) -> None:
        self.genesis = genesis
        self.ledger = EpochLedger(genesis, l1_finalized=l1_finalized, build=_build_rules)
        self.inactivity = self.ledger.inactivity
        self.l1_finalized = self.ledger.l1_finalized
        self.max_empty_epochs = max_empty_epochs
        self.config = genesis.config
        self.length = genesis.config.epoch_length
        self.suite = genesis.config.suite
        self.workers = workers
        self.cutoff = genesis.config.cutoff
        self.split_epoch = -1  # the last epoch whose blocks before the cutoff were sent to verify
        self.first_slot = genesis.config.first_slot(genesis.start_epoch)
        self.cur = _Epoch(self.ledger, genesis.start_epoch, genesis.initial_seed)
        self.pending: list[_Item] = []
        self.triples: list[tuple[Any, bytes, bytes]] = []  # VRF (key, alpha, proof)
        self.sig_items: list[SignatureItem] = []
        self.inflight: deque[_Flight] = deque()
        self._verifier: ThreadPoolExecutor | None = None  # runs the batches' checks (close())
        self.last_slot: int | None = None          # highest slot of a block in order
        self.last_valid_slot = self.first_slot - 1
        self.prev_hash: bytes | None = None        # block_hash of the previous block in order
        self.valid_hash: bytes | None = None       # block_hash of the last valid block
        self.blocks = 0
        self.valid = 0
        self.invalid_kept: list[InvalidBlock] = []
        self.invalid_by_code: dict[str, int] = {}
        self.missed = 0
        self.missed_runs = 0
        self.longest: list[tuple[int, int, int]] = []  # min-heap of (length, -first, last)
        self.run_hist: dict[int, int] = {}
        self.by_rank: dict[int, int] = {}
        self.produced: dict[str, list[int]] = {}       # id -> [produced, as_primary, as_backup]
        self.scheduled: dict[str, int] = {}
        self.tallies: dict[bytes, _TableTally] = {}
        self.empty_tallies: dict[bytes, _PrimaryTally] = {}
        self.epochs = SeedChain(genesis.config)
        self.version: int | None = None             # history version, fixed by the first record
        self.stale_parents = 0
        self.watch: set[int] = set()                # slots with observed blocks
        self.kept: dict[int, tuple[HistoryRecord, bool]] = {}  # their history record, and if it is valid
        self.outcomes = OutcomeLog()
        self.mode = genesis.config.mode
        self.recent: list[tuple[int, bytes]] = []   # windowed: (slot, beta) of valid blocks, two windows back
        self.window_seeds: dict[int, tuple[bytes, ...]] = {}  # windowed: revealed seeds per audited epoch

    def table_for(self, epoch: int) -> StakeTable:
        """The stake table of an audited epoch: the genesis table, or with the inactivity
        rule on the effective one (docs/spec.md section 19)."""
        return self.ledger.table(epoch)

    def _record(self, epoch: int, table: StakeTable, counts: Sequence[int] | dict[str, int],
                blocks: dict[tuple[int, str], int]) -> None:
        """Inactivity rule: epoch ``epoch``'s outcomes fix the reduced set of ``epoch + 2``."""
        if self.inactivity is None:
            return
        scheduled = counts if isinstance(counts, dict) else dict(zip(table.ids, counts, strict=True))
        each = ((rank, vid) for (rank, vid), n in blocks.items() for _ in range(n))
        self.ledger.record(epoch, scheduled, each)

    # -- feeding ------------------------------------------------------------------------
    def feed(self, rec: HistoryRecord) -> None:
        """Order, link and static claim checks now; the VRF check when the batch drains."""
        self.blocks += 1
        claim = rec.claim
        slot = claim.slot
        last = self.last_slot
        if last is not None and slot <= last:
            if slot == last:
                self._early(rec, "duplicate_slot", f"slot {slot} already has a block")
            else:
                self._early(rec, "out_of_order", f"slot {slot} comes after slot {last}: slots must strictly increase")
            return
        if slot < self.first_slot:
            self._early(rec, "before_start", f"slot {slot} precedes the genesis start slot {self.first_slot}")
            return
        epoch = slot // self.length
        if epoch != self.cur.epoch:
            if (epoch + 1) * self.length - 1 > MAX_SLOT:
                self._early(rec, "slot_out_of_range", f"slot {slot} is in epoch {epoch}, which would end past "
                                                      "slot 2**64-1: no such epoch exists")
                return
            if epoch - self.cur.epoch > self.max_empty_epochs + 1:
                gap = epoch - self.cur.epoch - 1
                self._early(rec, "epoch_gap", f"slot {slot} is in epoch {epoch}, {gap} empty epochs after epoch "
                                              f"{self.cur.epoch}: more than the audit walks ({self.max_empty_epochs}); "
                                              f"if the chain was down that long, audit with --max-empty-epochs {gap} "
                                              "(max_empty_epochs)")
                return
            self.drain()
            self._advance(epoch)
        # The block takes its place in the chain: later lines come after it and may link to it.
        self.last_slot = slot
        if self.version is None:
            self.version = 1 if rec.header is None else 2
        if rec.slot != slot:
            self._early(rec, "slot_mismatch", f"line says slot {rec.slot} but its claim is for slot {slot}", True)
            return
        if self.mode == "windowed":
            self._reveal_for(slot)
        elif slot - epoch * self.length >= self.cutoff and self.split_epoch != epoch:
            # The epoch's seed part is all collected: have it verified while the rest of
            # the epoch is parsed, so that little is left to wait for at the epoch's end.
            self.split_epoch = epoch
            if self.pending:
                self.drain_async()
        self._collect(rec)

    def _collect(self, rec: HistoryRecord) -> None:
        claim = rec.claim
        slot = claim.slot
        # The rules except signatures and the VRF proof now; those when the batch is verified.
        triple: tuple[vrf.PublicKey, bytes, bytes] | None
        try:
            if self.version == 1 and rec.header is None:
                triple, deferred = collect_claim_static(claim, self.cur.schedule)
            else:
                triple, _, deferred = collect_block_static(SignedBlock(claim, rec.header), self.cur.schedule)
        except (InvalidClaim, InvalidHeader) as exc:
            self._early(rec, exc.code, str(exc), True)
            return
        # Slots with observed blocks keep their certificate: its votes are compared with theirs.
        keep = claim.certificate is None or slot in self.watch
        pending: Deferred | None = None
        if deferred.items:
            pending = deferred
            self.sig_items += deferred.items
        self.pending.append([rec if keep else _slim(rec), None, None, True, pending, triple is not None])
        if triple is not None:
            self.triples.append(triple)

    def _reveal_for(self, slot: int) -> None:
        """Windowed: reveal the windows of the current epoch up to ``slot``'s, each from the
        valid blocks of its source window (two windows back; the audit has no blocks before
        its start slot, so it feeds none from there).  Pending blocks are verified first:
        their betas may be in a source window."""
        sched = self.cur.schedule
        assert isinstance(sched, WindowedSchedule)
        j = sched.window_of(slot)
        while sched.revealed <= j:
            self.drain()
            self.cur.ledger.reveal_next(self.cur.epoch, self._recent_betas)
        keep_from = sched.window_slots(j).start - sched.window
        self.recent = [(x, b) for x, b in self.recent if x >= keep_from]

    def _recent_betas(self, source: range) -> list[tuple[int, bytes]]:
        return [(x, beta) for x, beta in self.recent if x in source]

    def _early(self, rec: HistoryRecord, code: str, reason: str, in_order: bool = False) -> None:
        self.pending.append([rec if rec.claim.slot in self.watch else _slim(rec), code, reason, in_order, None, False])

    def _advance(self, epoch: int) -> None:
        """Close the current epoch and walk to ``epoch``: the epochs in between have no
        block, so each costs a seed step and one draw (its sampling offset), never a
        schedule."""
        self._close_epoch(self.length, final=True)
        config = self.config
        ledger = self.ledger
        seed = ledger.fix_seed(self.cur.epoch, self.cur.acc)
        for e in range(self.cur.epoch + 1, epoch):
            table = self.table_for(e)
            digest = table.digest()
            nxt = ledger.fix_seed(e, ())
            ledger.forget_before(e)  # O(1) memory over a long empty run
            tally = self.empty_tallies.get(digest)
            if tally is None:
                tally = self.empty_tallies[digest] = _PrimaryTally(table, self.length)
            if self.mode == "rotation":
                offset = primary_offset(config, table, e, seed)
                tally.add(offset)
                if self.inactivity is not None:  # no block: every primary slot of the epoch is missed
                    ledger.record_empty(e, table, primary_counts(table.stakes, self.length, offset))
            elif self.mode == "windowed":
                self._add_scheduled(WindowedSchedule(config, table, e, seed).counts())
            self._table_tally(table).slots += self.length
            self.epochs.append_empty(e, seed, digest, nxt)
            seed = nxt
        self.cur = _Epoch(ledger, epoch, seed)
        ledger.forget_before(epoch)

    def _table_tally(self, table: StakeTable) -> _TableTally:
        digest = table.digest()
        tally = self.tallies.get(digest)
        if tally is None:
            tally = self.tallies[digest] = _TableTally(table)
        return tally

    def full(self) -> bool:
        """Whether the pending batch should be verified now (``batch_size`` claims, or
        :data:`MAX_PENDING_SIGNATURES` signatures)."""
        return len(self.sig_items) >= MAX_PENDING_SIGNATURES

    def drain(self) -> None:
        """Verify the pending batch and every batch in flight, then account their blocks
        in order (needed before the epoch changes: the next seed takes their betas)."""
        self._submit()
        while self.inflight:
            self._settle()

    def drain_async(self) -> None:
        """Send the pending batch to be verified on the verifier thread and account the
        batches before it: the caller parses the next batch while this one is verified."""
        self._submit()
        while len(self.inflight) > 1:
            self._settle()

    def close(self) -> None:
        """Stop the verifier thread (the auditor may not verify after this)."""
        if self._verifier is not None:
            self._verifier.shutdown(wait=True, cancel_futures=True)
            self._verifier = None

    def _verify(self, triples: list[tuple[Any, bytes, bytes]],
                sigs: list[SignatureItem]) -> tuple[list[bytes | None], list[bool]]:
        betas = vrf.verify_many(triples, suite=self.suite, workers=self.workers) if triples else []
        oks = verify_signatures(sigs, self.workers) if sigs else []
        return betas, oks

    def _submit(self) -> None:
        if not self.pending:
            return
        if self._verifier is None:
            self._verifier = ThreadPoolExecutor(1, thread_name_prefix="seqvrf-audit-verify")
        future = self._verifier.submit(self._verify, self.triples, self.sig_items)
        self.inflight.append((self.pending, future))
        self.pending = []
        self.triples = []
        self.sig_items = []

    def _settle(self) -> None:
        """Account the oldest batch in flight, in order, once its checks are done."""
        items, future = self.inflight.popleft()
        betas, oks = future.result()
        it = iter(betas)
        at = 0
        for rec, code, reason, in_order, deferred, has_triple in items:
            if code is None:
                beta = next(it) if has_triple else None
                if deferred is not None:
                    n = len(deferred.items)
                    err = deferred.resolve(oks[at:at + n])
                    at += n
                    if isinstance(err, (InvalidClaim, InvalidHeader)):
                        code, reason = err.code, str(err)
                    elif err is not None:
                        raise err
            if code is None:
                parent = rec.parent_hash
                linked = (parent is None or self.prev_hash is None
                          or parent == self.prev_hash or parent == self.valid_hash)
                if beta is None:
                    code, reason = "invalid_proof", "VRF proof does not verify under the validator's key"
                elif not linked and rec.header is None:
                    code = "parent_mismatch"
                    reason = (f"parent_hash {(parent or b'').hex()} is neither the previous block's "
                              f"block_hash {(self.prev_hash or b'').hex()} nor the last valid block's")
                elif self.mode == "secret" and (code := self._output_code(rec, beta)) is not None:
                    reason = f"claim by {rec.claim.validator_id!r} for slot {rec.claim.slot}: not eligible"
                else:
                    # A signed header's parent is what its producer saw: a block the fork
                    # choice later superseded is a stale parent, reported, not a violation.
                    self.stale_parents += not linked
                    self._accept(rec, beta)
                    self.prev_hash = self.valid_hash = rec.block_hash
                    if rec.claim.slot in self.watch:
                        self.kept[rec.claim.slot] = (rec, True)
                    continue
            if in_order:
                self.prev_hash = rec.block_hash
            if rec.claim.slot in self.watch and rec.claim.slot not in self.kept:
                self.kept[rec.claim.slot] = (rec, False)
            self._reject(rec, code, reason)

    def _output_code(self, rec: HistoryRecord, beta: bytes) -> str | None:
        """Secret mode: the code of the rule the verified output breaks (``not_eligible``), or None."""
        try:
            check_claim_output(rec.claim, self.cur.schedule, beta)
        except InvalidClaim as exc:
            return exc.code
        return None

    def _accept(self, rec: HistoryRecord, beta: bytes) -> None:
        claim = rec.claim
        slot = claim.slot
        cur = self.cur
        if self.mode == "windowed":
            self.recent.append((slot, beta))
        cur.acc.add(slot, beta)
        cur.produced += 1
        cur.blocks[slot] = (claim.rank, claim.validator_id)
        self.valid += 1
        gap = slot - self.last_valid_slot - 1
        if gap:
            self._missed_run(self.last_valid_slot + 1, slot - 1)
        self.last_valid_slot = slot
        rank = claim.rank
        self.by_rank[rank] = self.by_rank.get(rank, 0) + 1
        tally = self.produced.get(claim.validator_id)
        if tally is None:
            tally = self.produced[claim.validator_id] = [0, 0, 0]
        tally[0] += 1
        tally[1 if rank == 0 else 2] += 1
        if self.inactivity is not None:
            key = (0 if rank == 0 else 1, claim.validator_id)
            cur.producers[key] = cur.producers.get(key, 0) + 1

    def _reject(self, rec: HistoryRecord, code: str, reason: str) -> None:
        claim = rec.claim
        self.invalid_by_code[code] = self.invalid_by_code.get(code, 0) + 1
        if len(self.invalid_kept) < MAX_INVALID_KEPT:
            self.invalid_kept.append(InvalidBlock(rec.line, claim.slot, claim.rank, claim.validator_id, code, reason))

    def _missed_run(self, first: int, last: int) -> None:
        n = last - first + 1
        self.missed += n
        self.missed_runs += 1
        bucket = n.bit_length() - 1  # runs of length in [2**b, 2**(b+1))
        self.run_hist[bucket] = self.run_hist.get(bucket, 0) + 1
        entry = (n, -first, last)
        if len(self.longest) < _LONGEST_RUNS:
            heapq.heappush(self.longest, entry)
        elif entry > self.longest[0]:
            heapq.heapreplace(self.longest, entry)

    def _close_epoch(self, slots: int, final: bool) -> None:
        """Record the current epoch, its first ``slots`` slots being in the range."""
        cur = self.cur
        if cur.blocks and self.mode == "rotation":
            # Health figures per slot cover the epochs with a valid block (their schedule is
            # built already); epochs without one cost no per-slot work, whatever their length
            # (their misses show as missed runs).
            rotation = cur.schedule
            assert isinstance(rotation, Schedule)
            self.outcomes.add_epoch(cur.epoch, rotation.first_slot, rotation.leaders()[:slots], cur.blocks)
        sched = cur.schedule if cur.built else None
        if isinstance(sched, WindowedSchedule):
            self.window_seeds[cur.epoch] = sched.window_seeds
        if self.mode == "secret":
            pass  # no schedule: nobody is scheduled (fairness is binomial, finish())
        elif self.mode == "windowed":
            wsched = cur.schedule
            assert isinstance(wsched, WindowedSchedule)
            if slots == self.length:
                self._add_scheduled(wsched.counts())
            else:
                partial = dict.fromkeys(cur.table.ids, 0)
                for vid in wsched.leaders()[:slots]:  # the revealed part of the range
                    partial[vid] += 1
                self._add_scheduled(partial)
        elif slots == self.length and not cur.built:
            # No block needed the schedule: its counts need only the sampling offset.
            offset = primary_offset(self.config, cur.table, cur.epoch, cur.seed)
            counts = primary_counts(cur.table.stakes, self.length, offset)
            self._add_scheduled(dict(zip(cur.table.ids, counts, strict=True)))
            if final:
                self._record(cur.epoch, cur.table, counts, cur.producers)
        elif slots == self.length:
            rsched = cur.schedule
            assert not isinstance(rsched, (SecretEpoch, WindowedSchedule))
            full = rsched.counts()
            self._add_scheduled(full)
            if final:
                self._record(cur.epoch, cur.table, full, cur.producers)
        else:
            rsched = cur.schedule
            assert not isinstance(rsched, (SecretEpoch, WindowedSchedule))
            partial = dict.fromkeys(cur.table.ids, 0)
            for vid in rsched.leaders()[:slots]:
                partial[vid] += 1
            self._add_scheduled(partial)
        digest = cur.table.digest()
        tally = self._table_tally(cur.table)
        tally.slots += slots
        tally.produced += cur.produced
        self.epochs.append(EpochSummary(cur.epoch, cur.seed, digest, slots, cur.produced, cur.acc.count,
                                        cur.acc.finish(), final or slots >= self.config.cutoff))

    def _add_scheduled(self, counts: dict[str, int]) -> None:
        scheduled = self.scheduled
        for vid, n in counts.items():
            scheduled[vid] = scheduled.get(vid, 0) + n

    # -- the end ------------------------------------------------------------------------
    def finish(self, elapsed: float) -> AuditReport:
        self.end()
        return self.report(elapsed)

    def end(self) -> None:
        """The history's end: verify what is pending, close the last epoch (partial)."""
        self.drain()
        last = self.last_slot
        if last is not None:
            if self.last_valid_slot < last:
                self._missed_run(self.last_valid_slot + 1, last)
            self._close_epoch(last - self.config.first_slot(self.cur.epoch) + 1, final=False)
        self._fold_empty()

    def _fold_empty(self) -> None:
        for empty in self.empty_tallies.values():
            self._add_scheduled(empty.counts())
        self.empty_tallies = {}

    # -- shards (election.chain.parallel) ---------------------------------------------
    def resume(self, start: ShardStart) -> None:
        """Start mid-history, in the state a sequential audit has when the block that opens
        ``start.epoch`` comes (the state :meth:`hand_over` returns)."""
        self.cur = _Epoch(self.ledger, start.epoch, start.seed)
        self.last_slot = start.last_slot
        self.prev_hash = start.prev_hash
        self.valid_hash = start.valid_hash
        self.last_valid_slot = start.last_valid_slot
        self.version = start.version

    def hand_over(self, epoch: int) -> ShardStart:
        """End a shard before the block that opens ``epoch``: verify what is pending,
        close the current epoch, walk the empty ones, and return the state the next
        shard starts from."""
        self.drain()
        self._advance(epoch)
        self._fold_empty()
        return self.state()

    def state(self) -> ShardStart:
        """The state a shard starting here needs (see :class:`ShardStart`)."""
        return ShardStart(self.cur.epoch, self.cur.seed, self.last_slot, self.prev_hash, self.valid_hash,
                          self.last_valid_slot, self.version)

    def absorb(self, part: _Auditor) -> None:
        """Add the figures of the next shard's auditor (after its :meth:`hand_over` or
        :meth:`end`): the result is the sequential audit's over both."""
        self.blocks += part.blocks
        self.valid += part.valid
        room = MAX_INVALID_KEPT - len(self.invalid_kept)
        self.invalid_kept += part.invalid_kept[:max(0, room)]
        for code, n in part.invalid_by_code.items():
            self.invalid_by_code[code] = self.invalid_by_code.get(code, 0) + n
        self.missed += part.missed
        self.missed_runs += part.missed_runs
        for entry in part.longest:
            if len(self.longest) < _LONGEST_RUNS:
                heapq.heappush(self.longest, entry)
            elif entry > self.longest[0]:
                heapq.heapreplace(self.longest, entry)
        for b, n in part.run_hist.items():
            self.run_hist[b] = self.run_hist.get(b, 0) + n
        for r, n in part.by_rank.items():
            self.by_rank[r] = self.by_rank.get(r, 0) + n
        for vid, p in part.produced.items():
            mine = self.produced.setdefault(vid, [0, 0, 0])
            for i in range(3):
                mine[i] += p[i]
        self._add_scheduled(part.scheduled)
        for tally in part.tallies.values():
            t = self._table_tally(tally.table)
            t.slots += tally.slots
            t.produced += tally.produced
        self.epochs.extend(part.epochs)
        if self.version is None:
            self.version = part.version
        self.stale_parents += part.stale_parents
        self.outcomes.extend(part.outcomes)
        for slot, kept in part.kept.items():
            if kept[1] or slot not in self.kept:  # as _settle: a valid block's record wins
                self.kept[slot] = kept
        if part.last_slot is not None:
            self.last_slot = part.last_slot
        self.cur = part.cur

    def __getstate__(self) -> dict[str, Any]:
        """What a shard sends back (no threads, no pending work, no built schedule)."""
        if self.pending or self.inflight:
            raise RuntimeError("an auditor with unverified blocks cannot be sent")
        state = {k: getattr(self, k) for k in _SENT}
        # Keys hold C objects: the genesis travels as its JSON, tables by digest.
        state["genesis"] = self.genesis.to_json(None)
        state["tallies"] = {d: (t.slots, t.produced) for d, t in self.tallies.items()}
        state["cur"] = (self.cur.epoch, self.cur.seed)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        epoch, seed = state.pop("cur")
        genesis = genesis_from_json(state.pop("genesis"))
        tallies = state.pop("tallies")
        self.__init__(genesis, None, state["max_empty_epochs"])  # type: ignore[misc]
        for k, v in state.items():
            setattr(self, k, v)
        tables = {t.digest(): t for _, t in genesis.tables}
        for digest, (slots, produced) in tallies.items():
            tally = self.tallies[digest] = _TableTally(tables[digest])
            tally.slots, tally.produced = slots, produced
        self.cur = _Epoch(self.ledger, epoch, seed)

    def report(self, elapsed: float) -> AuditReport:
        """The report, once :meth:`end` has run."""
        last = self.last_slot
        ids: set[str] = set(self.scheduled)
        last_table = self.cur.table
        rows: list[ValidatorSummary] = []
        for vid in sorted(ids | set(self.produced), key=lambda s: s.encode("utf-8")):
            expected = Fraction(0)
            expected_produced = Fraction(0)
            for tally in self.tallies.values():
                v = tally.table.get(vid)
                if v is not None:
                    expected += Fraction(tally.slots * v.stake, tally.table.total_stake)
                    expected_produced += Fraction(tally.produced * v.stake, tally.table.total_stake)
            p = self.produced.get(vid, [0, 0, 0])
            lv = last_table.get(vid)
            rows.append(ValidatorSummary(vid, 0 if lv is None else lv.stake, expected, expected_produced,
                                         self.scheduled.get(vid, 0), p[0], p[1], p[2]))
        fit = chi_square([r.produced for r in rows], [r.expected_produced for r in rows]) if self.valid else None
        longest = sorted(self.longest, reverse=True)
        hist = {(str(1 << b) if b == 0 else f"{1 << b}-{(1 << (b + 1)) - 1}"): n
                for b, n in sorted(self.run_hist.items())}
        return AuditReport(
            chain_id=self.config.chain_id,
            genesis_start_epoch=self.genesis.start_epoch,
            first_slot=self.first_slot,
            last_slot=self.last_slot,
            blocks=self.blocks,
            valid=self.valid,
            invalid_blocks=self.invalid_kept,
            invalid_by_code=self.invalid_by_code,
            missed=self.missed,
            missed_runs=self.missed_runs,
            longest_missed_runs=[(-neg_first, end) for _, neg_first, end in longest],
            missed_run_histogram=hist,
            by_rank=dict(sorted(self.by_rank.items())),
            validators=rows,
            chi_square=None if fit is None else fit[0],
            chi_square_df=None if fit is None else fit[1],
            p_value=None if fit is None else fit[2],
            epochs=self.epochs,
            elapsed_seconds=elapsed,
            history_version=self.version or 1,
            stale_parents=self.stale_parents,
            health=assess(self.outcomes, ids=[r.id for r in rows]) if last is not None else None,
            inactivity=None if self.inactivity is None else {
                "threshold": self.config.inactivity_threshold, "divisor": self.config.inactivity_divisor,
                "finality": self.config.inactivity_finality, "reduced_epochs": self.inactivity.reduced_epochs,
                "epochs": list(self.inactivity.log)},
            mode=self.mode,
            mode_detail=self._mode_detail(rows, last),
        )

    def _mode_detail(self, rows: list[ValidatorSummary], last: int | None) -> dict[str, Any] | None:
        """Secret mode: the binomial fairness view (a report, not a consensus rule: floats)."""
        if self.mode == "windowed":
            assert self.config.window is not None
            return {"window": self.config.window}
        if self.mode != "secret":
            return None
        k = self.config.proposers
        assert k is not None
        slots = 0 if last is None else last - self.first_slot + 1
        fill = -math.expm1(-k)  # float-ok: 1 - e^-k, P(a slot is filled) with every validator up
        per: list[dict[str, Any]] = []
        max_z = 0.0  # float-ok
        for r in rows:
            p = float(r.expected) / slots * fill if slots else 0.0  # float-ok: stake share times fill
            mean = slots * p
            sd = math.sqrt(slots * p * (1 - p)) if slots else 0.0  # float-ok
            z = (r.produced - mean) / sd if sd > 0 else 0.0  # float-ok
            max_z = max(max_z, abs(z))
            per.append({"id": r.id, "expected": round(mean, 3), "sd": round(sd, 3), "produced": r.produced,
                        "z": round(z, 3)})
        empty = slots - self.valid
        return {"proposers": k, "slots": slots, "empty_slots": empty,
                "empty_rate": empty / slots if slots else 0.0,  # float-ok
                "expected_empty_rate": math.exp(-k),  # float-ok
                "max_abs_z": max_z, "validators": per}


# -- observed blocks ------------------------------------------------------------------------

MAX_OBSERVED = 100_000
"""Most observed blocks one audit accepts (each is checked on its own: bounded work)."""


def _observed_evidence(blocks: list[SignedBlock], table: StakeTable) -> list[Evidence]:
    """Equivocations among valid blocks of one slot (headers, and the votes of their certificates)."""
    out: list[Evidence] = []
    by_validator: dict[str, SignedBlock] = {}
    for b in blocks:
        first = by_validator.setdefault(b.validator_id, b)
        if first is not b and first.header is not None and b.header is not None \
                and first.block_hash() != b.block_hash():
            out.append(HeaderEquivocation.of(first.header, b.header))
    votes: dict[tuple[str, int], TimeoutVote] = {}
    for b in blocks:
        cert = b.claim.certificate
        for v in () if cert is None else cert.votes:
            old = votes.setdefault((v.voter_id, v.rank), v)
            if old is not v and old.message() != v.message():
                out.append(VoteEquivocation.of(old, v))
            producer = by_validator.get(v.voter_id)
            if producer is not None and producer.header is not None and producer.rank < v.rank:
                out.append(ProduceAfterVote.of(producer.header, v))
    seen: set[bytes] = set()
    unique: list[Evidence] = []
    for ev in out:  # one piece of evidence per distinct pair of statements
        key = b"".join(ev.parts())
        if key not in seen:
            seen.add(key)
            unique.append(ev)
    return unique


def _check_observed(genesis: GenesisFile, report: AuditReport, kept: dict[int, tuple[HistoryRecord, bool]],
                    observed: list[HistoryRecord], workers: int | None,
                    table_for: Callable[[int], StakeTable] | None = None,
                    window_seeds: dict[int, tuple[bytes, ...]] | None = None) -> None:
    """Check observed blocks against the audited seed chain, apply the fork choice with the
    history's block of each slot, and collect proven equivocations into ``report``."""
    config = genesis.config
    table_for = genesis.table_for if table_for is None else table_for
    chain = report.epochs  # one item per epoch from the start epoch on, in order
    schedules: dict[int, EpochRules] = {}
    valid: dict[int, list[SignedBlock]] = {}
    betas_of: dict[int, bytes] = {}  # id(block) -> beta (secret: the race entry)
    counts = {"blocks": len(observed), "valid": 0, "invalid": 0, "out_of_range": 0,
              "superseding": 0, "unlisted": 0, "unchecked": 0}
    triples = []
    candidates: list[SignedBlock] = []
    for rec in observed:
        epoch = rec.claim.slot // config.epoch_length
        index = epoch - report.genesis_start_epoch
        if not 0 <= index < len(chain):
            counts["out_of_range"] += 1
            continue
        sched = schedules.get(epoch)
        if sched is None:
            item = chain[index]
            seeds = (window_seeds or {}).get(epoch, ()) if config.mode == "windowed" else ()
            sched = schedules[epoch] = make_rules(config, table_for(epoch), epoch, item.seed, seeds)
        block = SignedBlock(rec.claim, rec.header)
        try:
            triples.append(check_block_static(block, sched, require_header=rec.header is not None)[:3])
            candidates.append(block)
        except WindowNotRevealed:
            counts["unchecked"] += 1  # the history never reached the window: not checkable
        except ElectionError:
            counts["invalid"] += 1
    betas = vrf.verify_many(triples, suite=config.suite, workers=workers) if triples else []
    for block, beta in zip(candidates, betas, strict=True):
        if beta is None:
            counts["invalid"] += 1
            continue
        try:
            check_claim_output(block.claim, schedules[block.slot // config.epoch_length], beta)
        except InvalidClaim:
            counts["invalid"] += 1
            continue
        counts["valid"] += 1
        betas_of[id(block)] = beta
        valid.setdefault(block.slot, []).append(block)
    superseded: list[InvalidBlock] = []
    for slot in sorted(valid):
        blocks = valid[slot]
        hist = kept.get(slot)
        if hist is not None and hist[1]:
            rec = hist[0]
            mine = SignedBlock(rec.claim, rec.header)
            pool = [mine] + [b for b in blocks if b.block_hash() != mine.block_hash() or not b.block_hash()]
            rules = schedules.get(slot // config.epoch_length)
            if isinstance(rules, SecretEpoch):
                betas_of[id(mine)] = vrf.proof_to_hash(mine.claim.proof, config.suite)
                best = canonical_race_index([(rules.entry(b.validator_id, betas_of[id(b)]), b.block_hash())
                                             for b in pool])
                why = "a better-scored valid block"
            else:
                best = canonical_index([(b.rank, b.block_hash()) for b in pool])
                why = f"an observed block at rank {pool[best].rank}"
            if best != 0:
                counts["superseding"] += 1
                superseded.append(InvalidBlock(rec.line, slot, rec.claim.rank, rec.claim.validator_id, "superseded",
                                               f"{why} by {pool[best].validator_id!r} wins the fork choice"))
            blocks = pool
        else:
            counts["unlisted"] += 1  # the history has no valid block for this slot
        table = table_for(slot // config.epoch_length)
        for ev in _observed_evidence(blocks, table):
            ev.verify(table, config)  # built from verified statements; checked again, cheaply
            report.equivocations.append(evidence_to_dict(ev))
    for b in superseded:
        report.valid -= 1
        report.invalid_by_code["superseded"] = report.invalid_by_code.get("superseded", 0) + 1
        if len(report.invalid_blocks) < MAX_INVALID_KEPT:
            report.invalid_blocks.append(b)
    report.observed = counts


def _read_observed(source: HistorySource, max_line_bytes: int) -> list[HistoryRecord]:
    """Every record of an observed-blocks file (at most :data:`MAX_OBSERVED`, lines capped
    like the history's).

    Raises:
        MalformedHistory: malformed lines (all listed), or too many lines.
    """
    lines, path = open_lines(source, max_line_bytes)
    out: list[HistoryRecord] = []
    errors: list[MalformedLine] = []
    bad = 0
    for number, item in enumerate(lines, 1):
        if number > MAX_OBSERVED:
            raise MalformedHistory([MalformedLine(number, f"more than {MAX_OBSERVED} observed blocks", path)], 1, path)
        try:
            out.append(item if isinstance(item, HistoryRecord)
                       else parse_history_item(item, number, path, max_line_bytes))
        except MalformedLine as exc:
            bad += 1
            if len(errors) < MAX_REPORTED_LINES:
                errors.append(exc)
    if bad:
        raise MalformedHistory(errors, bad, path)
    return out


def audit(genesis: GenesisFile | PathLike,
          history: HistorySource,
          workers: int | None = None, progress: ProgressCallback | None = None,
          batch_size: int = BATCH_SIZE, max_line_bytes: int | None = None,
          max_empty_epochs: int = MAX_EMPTY_EPOCHS, observed: HistorySource | None = None,
          l1_finalized: Mapping[int, int] | None = None, executor: Executor | None = None) -> AuditReport:
    """Audit a chain's leader history against its genesis.

    Args:
        genesis: a :class:`GenesisFile` or the path of a genesis file.
        history: the path of a history file, an open file, or an iterable of lines
            (str or bytes) or :class:`HistoryRecord` objects, in file order.
        workers: threads for the VRF checks (passed to :func:`vrf.verify_many`;
            default: one per core).
        progress: called as ``progress(blocks_done, bytes_done, bytes_total)`` after
            each batch (``bytes_total`` is None unless ``history`` is a path).
        batch_size: claims per bulk VRF call (memory is bounded by it).
        max_line_bytes: the longest history line read (without its newline); a longer
            line is malformed and never held in memory whole.  None (default): the
            longest line a legitimate block of this genesis can have,
            :func:`~election.chain.formats.max_line_bytes_for` its largest table.
        max_empty_epochs: the most empty epochs walked before a block; a block further
            ahead is invalid (``epoch_gap``).  Each costs about 15 µs.
        observed: more blocks seen on the network (same line format, any order, several
            per slot; at most :data:`MAX_OBSERVED`): each is checked against the audited
            seed chain, the fork choice is applied with the history's block of its slot
            (a history block it supersedes becomes invalid, code ``superseded``), and
            equivocations among them are reported with their evidence.
        l1_finalized: with the inactivity rule on and ``inactivity_finality = "l1"``: for
            an epoch ``E``, the external finality signal fixed for it (the highest epoch
            the L1 had finalized when the table of ``E`` was fixed); an epoch absent from
            it has nothing finalized (docs/spec.md section 19).  Ignored otherwise.
        executor: audit shards of epochs through this executor (worker processes, a
            ``dask.distributed`` cluster: :mod:`election.chain.parallel`); the report is
            the same.  ``history`` must then be a path or an fsspec URL, and ``workers``
            counts the threads of each shard (default 1).  The executor is not shut down.

    Returns:
        The :class:`AuditReport`; ``report.ok`` is False if any block is invalid or
        the history has no block.

    Raises:
        MalformedGenesis: the genesis file is unusable.
        MalformedHistory: some history lines are malformed; the audit reads the whole
            file first so that every malformed line is listed (up to
            :data:`~election.chain.formats.MAX_REPORTED_LINES`), with its number.
        OSError: a file cannot be read.
        ValueError: ``batch_size``, ``workers`` or ``max_line_bytes`` not a positive
            int, or ``max_empty_epochs`` not an int >= 0; an ``executor`` with a history
            that is not a path or URL.
    """
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size: expected a positive int, got {batch_size!r}")
    if max_line_bytes is not None and (type(max_line_bytes) is not int or max_line_bytes < 1):
        raise ValueError(f"max_line_bytes: expected None or a positive int, got {max_line_bytes!r}")
    if type(max_empty_epochs) is not int or max_empty_epochs < 0:
        raise ValueError(f"max_empty_epochs: expected an int >= 0, got {max_empty_epochs!r}")
    if workers is not None and (type(workers) is not int or workers < 1):
        raise ValueError(f"workers: expected None or a positive int, got {workers!r}")
    if executor is not None:
        if not isinstance(genesis, GenesisFile):
            genesis = GenesisFile.load(genesis)
        if genesis.config.mode != "rotation" or genesis.config.inactivity:
            # Windowed reveals and the inactivity rule carry state across epochs that shards
            # do not hand over yet: these chains are audited in this process (same report).
            executor = None
    if executor is not None:
        if not isinstance(history, (str, os.PathLike)):
            raise ValueError(f"history: an executor needs a path or URL, got {type(history).__name__}")
        from .parallel import audit_sharded  # the layer above this module

        return audit_sharded(genesis, history, executor, workers, progress, batch_size, max_line_bytes,
                             max_empty_epochs, observed)
    started = time.perf_counter()
    if not isinstance(genesis, GenesisFile):
        genesis = GenesisFile.load(genesis)
    total: int | None = None
    if isinstance(history, (str, os.PathLike)):
        total = os.path.getsize(history)
    if max_line_bytes is None:
        max_line_bytes = max_line_bytes_for(max(len(table) for _, table in genesis.tables))
    observed_records: list[HistoryRecord] = []
    if observed is not None:
        observed_records = _read_observed(observed, max_line_bytes)
    lines, path = open_lines(history, max_line_bytes)
    auditor = _Auditor(genesis, workers, max_empty_epochs, l1_finalized)
    auditor.watch = {r.claim.slot for r in observed_records}
    try:
        errors: list[MalformedLine] = []
        bad = 0
        read = 0
        for number, item in enumerate(lines, 1):
            if isinstance(item, HistoryRecord):
                rec = item if item.line else HistoryRecord(item.slot, item.claim, item.block_hash, item.parent_hash,
                                                           number, item.header)
            else:
                size = len(item)
                read += size
                try:
                    if size <= max_line_bytes and type(item) in _LINE_TYPES:  # the hot path: one call
                        rec = parse_history_line(item, number, path)
                    else:
                        rec = parse_history_item(item, number, path, max_line_bytes)
                except MalformedLine as exc:
                    bad += 1
                    if len(errors) < MAX_REPORTED_LINES:
                        errors.append(exc)
                    continue
            if bad:
                continue  # only looking for more malformed lines now
            auditor.feed(rec)
            if len(auditor.pending) >= batch_size or auditor.full():
                auditor.drain_async()
                if progress is not None:
                    progress(auditor.blocks, read, total)
        if bad:
            raise MalformedHistory(errors, bad, path)
        report = auditor.finish(time.perf_counter() - started)
    finally:
        auditor.close()
    if observed is not None:
        _check_observed(genesis, report, auditor.kept, observed_records, workers, auditor.table_for,
                        auditor.window_seeds)
        report.elapsed_seconds = time.perf_counter() - started
    if progress is not None:
        progress(auditor.blocks, read, total)
    return report

