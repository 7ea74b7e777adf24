"""The audit across processes or a cluster, sharded by epoch ranges.

The sequential audit (:mod:`election.chain.audit`) carries little from one epoch to the
next: the epoch's seed, the last block's slot and hash, the last valid block's slot and
hash, and the history version (:class:`~election.chain.audit.ShardStart`).  Everything
else it reports adds up.  So the history is cut at blocks that open an epoch, and each
piece (a *shard*) is audited on its own by the same auditor, started in the state the
sequential audit would have there; the pieces' auditors are then absorbed in order.

The states at the cuts come from a first pass over the file in this process, the
*predictor*: the same auditor with every rule except the ordering and linking ones
assumed to hold, and each block's beta taken from its proof by :func:`vrf.proof_to_hash`
(no verification; only for blocks before the seed cutoff, the only ones whose beta
feeds a seed).  It also finds malformed lines: the audit fails on them before any shard
result is used, as the sequential audit does.

The prediction can be wrong only where a block before a cutoff is invalid for a rule it
assumes (a bad signature, proof or certificate, another validator's slot): such a block
must not feed the seed, and the predictor fed it.  Therefore every shard's actual end
state (verified by the shard) is compared with the start state the next shard was given,
and on any difference the next shard is audited again from the actual state, then the
one after it is compared the same way.  The merged report is then the sequential
audit's, bit for bit; a misprediction only costs time (the shards after it are audited
one after the other).

Work goes through any :class:`concurrent.futures.Executor`: a
:class:`~concurrent.futures.ProcessPoolExecutor`, or a ``dask.distributed`` client's
executor (:func:`election.chain.cluster.cluster_executor`).  Shards read the history
themselves, from a path or any fsspec URL, from a byte offset: only the small task and
the shard's figures travel.
"""

from __future__ import annotations

import os
import time
from collections import deque
from concurrent.futures import Executor, Future
from dataclasses import dataclass, replace
from typing import IO, Any

import vrf

from ..rules.errors import ElectionError
from .audit import (
    MAX_INVALID_KEPT,
    AuditReport,
    ProgressCallback,
    ShardStart,
    _Auditor,
    _check_observed,
    _read_observed,
    _slim,
    genesis_from_json,
)
from .formats import (
    MAX_REPORTED_LINES,
    GenesisFile,
    HistoryRecord,
    MalformedHistory,
    MalformedLine,
    PathLike,
    _capped_lines,
    max_line_bytes_for,
    parse_history_item,
)

__all__ = ["audit_sharded", "run_shard", "ShardTask", "ShardError", "SHARD_LINES", "open_history"]

SHARD_LINES = 8192
"""Default fewest lines per shard: a shard ends at the first epoch start after as many."""
MAX_PENDING_SHARDS = 8
"""Most shards submitted and not yet merged (their results wait in memory)."""

_NO_BETA = bytes(64)  # fed for blocks past the cutoff: the accumulator ignores them


class ShardError(ElectionError, RuntimeError):
    """A shard could not read the lines the first pass read (the file changed meanwhile)."""


def open_history(source: str) -> IO[bytes]:
    """Open a history for reading bytes: a local path, or any fsspec URL (``s3://``,
    ``gs://``, ``http://``..., with fsspec and its backend installed; fsspec comes with
    dask).

    Raises:
        OSError: the file cannot be opened.
        ImportError: a URL without fsspec installed.
    """
    if "://" in source and not source.startswith("file://"):
        import fsspec  # type: ignore[import-untyped]  # optional: only for URLs

        f: IO[bytes] = fsspec.open(source, "rb").open()
        return f
    return open(source.removeprefix("file://"), "rb")  # noqa: SIM115 - the caller closes it


@dataclass(frozen=True)
class ShardTask:
    """One shard: lines ``first_line .. first_line + lines - 1`` of ``source``, starting at
    byte ``offset``.

    Attributes:
        genesis: the chain's genesis, as JSON (keys hold C objects that do not pickle).
        source: the history's path or URL.
        offset: the byte offset of the shard's first line.
        first_line: its 1-based line number.
        lines: the shard's number of lines.
        start: the state the shard starts from (None: the history's start).
        next_epoch: the epoch the next shard's first block opens (None: the last shard).
        workers: verification threads in the shard's process.
        max_empty_epochs: as for :func:`~election.chain.audit.audit`.
        max_line_bytes: the longest line read.
        batch_size: claims per verified batch.
        watch: slots with observed blocks (their records are kept).
    """

    genesis: str
    source: str
    offset: int
    first_line: int
    lines: int
    start: ShardStart | None
    next_epoch: int | None
    workers: int | None
    max_empty_epochs: int
    max_line_bytes: int
    batch_size: int
    watch: frozenset[int]


def run_shard(task: ShardTask) -> _Auditor:
    """Audit one shard (in a worker process or on a cluster worker).

    Returns:
        The shard's auditor, handed over to the next epoch (or ended, for the last
        shard); it pickles to its figures only.

    Raises:
        ShardError: the lines are not there or no longer parse.
        OSError: the history cannot be read.
    """
    auditor = _Auditor(genesis_from_json(task.genesis), task.workers, task.max_empty_epochs)
    auditor.watch = set(task.watch)
    if task.start is not None:
        auditor.resume(task.start)
    try:
        with open_history(task.source) as f:
            f.seek(task.offset)
            lines = _capped_lines(f, task.max_line_bytes)
            for number in range(task.first_line, task.first_line + task.lines):
                item = next(lines, None)
                if item is None:
                    raise ShardError(f"{task.source}: line {number} is missing (the file changed during the audit)")
                try:
                    rec = parse_history_item(item, number, task.source, task.max_line_bytes)
                except MalformedLine as exc:
                    raise ShardError(f"{exc} (the file changed during the audit)") from None
                auditor.feed(rec)
                if len(auditor.pending) >= task.batch_size or auditor.full():
                    auditor.drain_async()
        if task.next_epoch is None:
            auditor.end()
        else:
            auditor.hand_over(task.next_epoch)
    finally:
        auditor.close()
    return auditor


class _Predictor(_Auditor):
    """The first pass: the auditor with the claim, header and signature rules assumed to
    hold and betas from :func:`vrf.proof_to_hash` (module docstring)."""

    def __init__(self, genesis: GenesisFile, max_empty_epochs: int) -> None:
        super().__init__(genesis, 1, max_empty_epochs)
        self.cut: tuple[int, ShardStart] | None = None  # (epoch opened, state) at the last epoch start

    def _collect(self, rec: HistoryRecord) -> None:
        self.pending.append([_slim(rec), None, None, True, None, True])
        self.triples.append((rec.claim.slot, b"", rec.claim.proof))

    def _verify(self, triples: list[tuple[Any, bytes, bytes]],
                sigs: list[Any]) -> tuple[list[bytes | None], list[bool]]:
        length = self.length
        cutoff = self.cutoff
        suite = self.suite
        betas: list[bytes | None] = []
        for slot, _, proof in triples:
            if slot % length >= cutoff:
                betas.append(_NO_BETA)
                continue
            try:
                betas.append(vrf.proof_to_hash(proof, suite))
            except vrf.VRFError:
                betas.append(None)  # not even a proof's shape: invalid for sure
        return betas, []

    def _advance(self, epoch: int) -> None:
        super()._advance(epoch)
        self.cut = (epoch, self.state())


def audit_sharded(genesis: GenesisFile | PathLike, history: PathLike, executor: Executor,
                  workers: int | None = None, progress: ProgressCallback | None = None,
                  batch_size: int = 4096, max_line_bytes: int | None = None,
                  max_empty_epochs: int = 4096, observed: Any = None,
                  shard_lines: int = SHARD_LINES) -> AuditReport:
    """:func:`~election.chain.audit.audit` with the shards audited through ``executor``.

    Same arguments and report as the sequential audit (``report.to_dict()`` is equal
    but for ``elapsed_seconds``), plus:

    Args:
        history: a path or an fsspec URL (the shards read it themselves).
        executor: runs :func:`run_shard` (picklable tasks and results); it is not shut down.
        workers: verification threads in each shard (default 1).
        shard_lines: fewest lines per shard.

    Raises:
        As :func:`~election.chain.audit.audit`; ShardError if the file changes meanwhile.
    """
    started = time.perf_counter()
    if not isinstance(genesis, GenesisFile):
        genesis = GenesisFile.load(genesis)
    if type(shard_lines) is not int or shard_lines < 1:
        raise ValueError(f"shard_lines: expected a positive int, got {shard_lines!r}")
    source = os.fspath(history)
    total: int | None = None if "://" in source else os.path.getsize(source)
    if max_line_bytes is None:
        max_line_bytes = max_line_bytes_for(max(len(table) for _, table in genesis.tables))
    observed_records: list[HistoryRecord] = []
    if observed is not None:
        observed_records = _read_observed(observed, max_line_bytes)
    watch = frozenset(r.claim.slot for r in observed_records)

    def task(offset: int, first: int, lines: int, start: ShardStart | None, nxt: int | None) -> ShardTask:
        return ShardTask(genesis_json, source, offset, first, lines, start, nxt, 1 if workers is None else workers,
                         max_empty_epochs, max_line_bytes, batch_size, watch)

    genesis_json = genesis.to_json(None)
    merged = _Auditor(genesis, workers, max_empty_epochs)
    queue: deque[tuple[ShardTask, Future[_Auditor]]] = deque()
    expected: ShardStart | None = None  # the actual state the next shard must start from
    state = {"read": 0}

    def absorb_head() -> None:
        nonlocal expected
        t, future = queue.popleft()
        part = None if future.cancelled() else future.result()
        if part is None or t.start != expected:
            # Mispredicted (or cancelled after a misprediction): audit it again from the
            # actual state; the shards after it started from predictions that follow it.
            for _, later in queue:
                later.cancel()
            t = replace(t, start=expected)
            part = executor.submit(run_shard, t).result()
        merged.absorb(part)
        expected = None if t.next_epoch is None else part.state()
        if progress is not None:
            progress(merged.blocks, state["read"], total)

    predictor = _Predictor(genesis, max_empty_epochs)
    errors: list[MalformedLine] = []
    bad = 0
    try:
        with open_history(source) as f:
            offset = 0
            shard = (0, 1, None)  # (offset, first line, start state) of the open shard
            number = 0
            for number, item in enumerate(_capped_lines(f, max_line_bytes), 1):
                at = offset
                offset += len(item)
                state["read"] = offset
                try:
                    rec = parse_history_item(item, number, source, max_line_bytes)
                except MalformedLine as exc:
                    bad += 1
                    if len(errors) < MAX_REPORTED_LINES:
                        errors.append(exc)
                    continue
                if bad:
                    continue
                predictor.cut = None
                predictor.feed(rec)
                if len(predictor.pending) >= batch_size:
                    predictor.drain_async()
                if predictor.cut is not None and number - shard[1] >= shard_lines:
                    epoch, start = predictor.cut
                    t = task(shard[0], shard[1], number - shard[1], shard[2], epoch)
                    queue.append((t, executor.submit(run_shard, t)))
                    shard = (at, number, start)
                    while queue and (queue[0][1].done() or len(queue) > MAX_PENDING_SHARDS):
                        absorb_head()
            if bad:
                raise MalformedHistory(errors, bad, source)
            t = task(shard[0], shard[1], number - shard[1] + 1, shard[2], None)
            queue.append((t, executor.submit(run_shard, t)))
        while queue:
            absorb_head()
    finally:
        predictor.close()
        for _, future in queue:
            future.cancel()
    report = merged.report(time.perf_counter() - started)
    if observed is not None:
        _check_observed(genesis, report, merged.kept, observed_records, workers)
        report.elapsed_seconds = time.perf_counter() - started
    assert len(report.invalid_blocks) <= MAX_INVALID_KEPT
    return report
