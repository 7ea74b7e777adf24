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
"""

from __future__ import annotations

import heapq
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import vrf

from ..risk.health import HealthReport, OutcomeLog, assess
from ..rules.claims import check_claim_static
from ..rules.errors import InvalidClaim
from ..rules.schedule import Schedule
from ..rules.seeds import SeedAccumulator
from ..rules.stake import StakeTable
from .formats import (
    MAX_REPORTED_LINES,
    GenesisFile,
    HistoryRecord,
    HistorySource,
    MalformedHistory,
    MalformedLine,
    PathLike,
    open_lines,
    parse_history_line,
)
from .stats import chi_square

__all__ = [
    "audit", "AuditReport", "InvalidBlock", "EpochSummary", "ValidatorSummary", "ProgressCallback",
    "REPORT_FORMAT", "BATCH_SIZE", "MAX_INVALID_KEPT", "MAX_EMPTY_EPOCHS", "REASON_CODES",
]

REPORT_FORMAT = "seqvrf-audit-report"
"""Value of the JSON report's ``format`` key."""
BATCH_SIZE = 4096
"""Claims whose VRF proofs are verified together in one :func:`vrf.verify_many` call."""
MAX_INVALID_KEPT = 1000
"""Invalid blocks kept in full in the report; the rest are counted by reason only."""
MAX_EMPTY_EPOCHS = 4096
"""Longest run of empty epochs the audit walks through; a block further ahead is invalid."""
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
    "epoch_gap": f"more than {MAX_EMPTY_EPOCHS} empty epochs after the previous block",
    "parent_mismatch": "parent_hash is neither the previous block's block_hash nor the last valid block's",
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
    epochs: list[EpochSummary]
    elapsed_seconds: float = field(default=0.0, compare=False)
    health: HealthReport | None = field(default=None, compare=False)
    """Availability and anomaly flags from the slot outcomes (election.risk.health)."""

    @property
    def ok(self) -> bool:
        """True when every block of the history is valid."""
        return self.invalid == 0

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
            "health": None if self.health is None else self.health.to_dict(),
            "elapsed_seconds": round(self.elapsed_seconds, 3),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=indent)

    def summary_text(self, max_validators: int = 30, max_invalid: int = 20) -> str:
        """A human summary: verdict, blocks, missed slots, takeovers, fairness and a
        per-validator table (the largest stakes first)."""
        out: list[str] = []
        verdict = "PASS: every block is valid" if self.ok else f"FAIL: {self.invalid} invalid block(s)"
        out.append(f"seqvrf audit of chain {self.chain_id.hex()}: {verdict}")
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


class _Epoch:
    """Per-epoch state while its blocks stream through."""

    __slots__ = ("epoch", "seed", "table", "schedule", "acc", "produced", "blocks")

    def __init__(self, genesis: GenesisFile, epoch: int, seed: bytes) -> None:
        self.epoch = epoch
        self.seed = seed
        self.table = genesis.table_for(epoch)
        self.schedule = Schedule(genesis.config, self.table, epoch, seed)
        self.acc = SeedAccumulator(genesis.config, epoch, seed)
        self.produced = 0
        self.blocks: dict[int, tuple[int, str]] = {}  # slot -> (rank, producer) of its valid block


class _TableTally:
    """Slots and valid blocks summed over the epochs that used one stake table."""

    __slots__ = ("table", "slots", "produced")

    def __init__(self, table: StakeTable) -> None:
        self.table = table
        self.slots = 0
        self.produced = 0


# A batch item: [record, reason code or None (None: awaiting its VRF check), reason or None,
#                whether the block took its place in the chain (not rejected by an ordering rule)]
_Item = list[Any]


class _Auditor:
    def __init__(self, genesis: GenesisFile, workers: int | None) -> None:
        self.genesis = genesis
        self.config = genesis.config
        self.length = genesis.config.epoch_length
        self.suite = genesis.config.suite
        self.workers = workers
        self.first_slot = genesis.config.first_slot(genesis.start_epoch)
        self.cur = _Epoch(genesis, genesis.start_epoch, genesis.initial_seed)
        self.pending: list[_Item] = []
        self.triples: list[tuple[vrf.PublicKey, bytes, bytes]] = []
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
        self.epochs: list[EpochSummary] = []
        self.outcomes = OutcomeLog()

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
            if epoch - self.cur.epoch > MAX_EMPTY_EPOCHS + 1:
                self._early(rec, "epoch_gap", f"slot {slot} is in epoch {epoch}, more than {MAX_EMPTY_EPOCHS} "
                                              f"empty epochs after epoch {self.cur.epoch}")
                return
            self.drain()
            while self.cur.epoch < epoch:
                self._close_epoch(self.length, final=True)
                self.cur = _Epoch(self.genesis, self.cur.epoch + 1, self.epochs[-1].next_seed)
        # The block takes its place in the chain: later lines come after it and may link to it.
        self.last_slot = slot
        if rec.slot != slot:
            self._early(rec, "slot_mismatch", f"line says slot {rec.slot} but its claim is for slot {slot}", True)
            return
        try:
            triple = check_claim_static(claim, self.cur.schedule)
        except InvalidClaim as exc:
            self._early(rec, exc.code, str(exc), True)
            return
        self.pending.append([rec, None, None, True])
        self.triples.append(triple)

    def _early(self, rec: HistoryRecord, code: str, reason: str, in_order: bool = False) -> None:
        self.pending.append([rec, code, reason, in_order])

    def drain(self) -> None:
        """Verify the pending batch's proofs in bulk, then account its blocks in order."""
        if not self.pending:
            return
        betas = vrf.verify_many(self.triples, suite=self.suite, workers=self.workers) if self.triples else []
        it = iter(betas)
        for rec, code, reason, in_order in self.pending:
            if code is None:
                beta = next(it)
                parent = rec.parent_hash
                if beta is None:
                    code, reason = "invalid_proof", "VRF proof does not verify under the validator's key"
                elif (parent is not None and self.prev_hash is not None
                        and parent != self.prev_hash and parent != self.valid_hash):
                    code = "parent_mismatch"
                    reason = (f"parent_hash {parent.hex()} is neither the previous block's block_hash "
                              f"{self.prev_hash.hex()} nor the last valid block's")
                else:
                    self._accept(rec, beta)
                    self.prev_hash = self.valid_hash = rec.block_hash
                    continue
            if in_order:
                self.prev_hash = rec.block_hash
            self._reject(rec, code, reason)
        self.pending = []
        self.triples = []

    def _accept(self, rec: HistoryRecord, beta: bytes) -> None:
        claim = rec.claim
        slot = claim.slot
        cur = self.cur
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
        sched = cur.schedule
        self.outcomes.add_epoch(cur.epoch, sched.first_slot, sched.leaders()[:slots], cur.blocks)
        if slots == self.length:
            counts = sched.counts()
        else:
            counts = dict.fromkeys(cur.table.ids, 0)
            for vid in sched.leaders()[:slots]:
                counts[vid] += 1
        scheduled = self.scheduled
        for vid, n in counts.items():
            scheduled[vid] = scheduled.get(vid, 0) + n
        digest = cur.table.digest()
        tally = self.tallies.get(digest)
        if tally is None:
            tally = self.tallies[digest] = _TableTally(cur.table)
        tally.slots += slots
        tally.produced += cur.produced
        self.epochs.append(EpochSummary(cur.epoch, cur.seed, digest, slots, cur.produced, cur.acc.count,
                                        cur.acc.finish(), final or slots >= self.config.cutoff))

    # -- the end ------------------------------------------------------------------------
    def finish(self, elapsed: float) -> AuditReport:
        self.drain()
        last = self.last_slot
        if last is not None:
            if self.last_valid_slot < last:
                self._missed_run(self.last_valid_slot + 1, last)
            self._close_epoch(last - self.cur.schedule.first_slot + 1, final=False)
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
            last_slot=last,
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
            health=assess(self.outcomes, ids=[r.id for r in rows]) if last is not None else None,
        )


def audit(genesis: GenesisFile | PathLike,
          history: HistorySource,
          workers: int | None = None, progress: ProgressCallback | None = None,
          batch_size: int = BATCH_SIZE) -> AuditReport:
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

    Returns:
        The :class:`AuditReport`; ``report.ok`` is False if any block is invalid.

    Raises:
        MalformedGenesis: the genesis file is unusable.
        MalformedHistory: some history lines are malformed; the audit reads the whole
            file first so that every malformed line is listed (up to
            :data:`~election.chain.formats.MAX_REPORTED_LINES`), with its number.
        OSError: a file cannot be read.
        ValueError: ``batch_size`` or ``workers`` not a positive int.
    """
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size: expected a positive int, got {batch_size!r}")
    if workers is not None and (type(workers) is not int or workers < 1):
        raise ValueError(f"workers: expected None or a positive int, got {workers!r}")
    started = time.perf_counter()
    if not isinstance(genesis, GenesisFile):
        genesis = GenesisFile.load(genesis)
    total: int | None = None
    if isinstance(history, (str, os.PathLike)):
        total = os.path.getsize(history)
    lines, path = open_lines(history)
    auditor = _Auditor(genesis, workers)
    errors: list[MalformedLine] = []
    bad = 0
    read = 0
    for number, item in enumerate(lines, 1):
        if isinstance(item, HistoryRecord):
            rec = item if item.line else HistoryRecord(item.slot, item.claim, item.block_hash, item.parent_hash, number)
        else:
            read += len(item)
            try:
                rec = parse_history_line(item, number, path)
            except MalformedLine as exc:
                bad += 1
                if len(errors) < MAX_REPORTED_LINES:
                    errors.append(exc)
                continue
        if bad:
            continue  # only looking for more malformed lines now
        auditor.feed(rec)
        if len(auditor.pending) >= batch_size:
            auditor.drain()
            if progress is not None:
                progress(auditor.blocks, read, total)
    if bad:
        raise MalformedHistory(errors, bad, path)
    report = auditor.finish(time.perf_counter() - started)
    if progress is not None:
        progress(auditor.blocks, read, total)
    return report

