"""``seqvrf audit GENESIS HISTORY [--json] [--workers N] [--processes N | --scheduler ADDRESS]
[--max-line-bytes N] [--max-empty-epochs N] [--observed FILE] [--l1-finality FILE]``: audit a
chain's leader history.

``--processes N`` audits shards of epochs in N worker processes, ``--scheduler ADDRESS``
on a dask.distributed cluster (the ``cluster`` extra); the report is the same.  HISTORY
may be an fsspec URL (``s3://...``) as well as a path.

Prints a human summary (or, with ``--json``, the full report as JSON) on stdout.  A
progress bar goes to stderr when stderr is a terminal and ``--json`` is not given.
Exit codes: 0 every block valid, 1 at least one invalid block or no block at all, 2
unusable input (missing or malformed genesis or history file, bad arguments), always
with a message on stderr and never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from typing import IO, Any

from ..chain.audit import MAX_EMPTY_EPOCHS, AuditReport, audit
from ..chain.cluster import cluster_executor
from ..chain.formats import MalformedGenesis, MalformedHistory
from ..chain.parallel import open_history
from ..rules._codec import json_int, load_json
from ..rules.config import MAX_SLOT
from ..rules.errors import ElectionError, MalformedData
from . import EXIT_OK, EXIT_USAGE, EXIT_VIOLATION, bounded_int, positive_int

__all__ = ["register", "run", "ProgressBar", "read_l1_finality"]


def register(subparsers: Any) -> None:
    """Add the ``audit`` subcommand to the ``seqvrf`` parser."""
    p = subparsers.add_parser(
        "audit",
        help="check that every block of a history came from its rightful leader",
        description="Audit a leader history (JSON Lines) against its genesis file (JSON): recompute every "
                    "epoch seed and schedule, verify every claim, and report invalid blocks, missed slots, "
                    "takeovers, per-validator shares and the seed chain. See docs/audit.md.",
        epilog="Exit codes: 0 every block valid, 1 violation found (an invalid block or a proven equivocation), "
               "2 unusable input.",
    )
    p.add_argument("genesis", metavar="GENESIS", help="genesis file (JSON, docs/formats.md)")
    p.add_argument("history", metavar="HISTORY", help="history file (JSON Lines, one block per line)")
    p.add_argument("--json", action="store_true", help="print the full report as JSON on stdout")
    p.add_argument("--observed", metavar="FILE", default=None,
                   help="more blocks seen on the network (same line format, any order): checked, applied to "
                        "the fork choice, and searched for proven equivocations")
    p.add_argument("--l1-finality", metavar="FILE", default=None,
                   help="inactivity rule with inactivity_finality 'l1' (docs/spec.md section 19.6): a JSON object "
                        "mapping an epoch (decimal string) to the L1-finalized epoch fixed for its table")
    p.add_argument("--workers", type=positive_int, default=None, metavar="N",
                   help="threads verifying VRF proofs (default: one per core)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--processes", type=positive_int, default=None, metavar="N",
                       help="audit shards of epochs in N worker processes (same report; --workers then counts "
                            "the threads of each process, default 1)")
    where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="audit the shards on a dask.distributed cluster (e.g. tcp://host:8786; needs "
                            "seqvrf[cluster]); the workers must reach HISTORY (shared path or fsspec URL)")
    p.add_argument("--max-line-bytes", type=bounded_int(1, 1 << 40), default=None, metavar="N",
                   help="longest history line read; a longer one is malformed (default: the longest line a "
                        "valid block of this genesis can have, a certificate signed by its largest table)")
    p.add_argument("--max-empty-epochs", type=bounded_int(0, 1 << 40), default=MAX_EMPTY_EPOCHS, metavar="N",
                   help="most empty epochs walked before a block; a block further ahead is invalid (epoch_gap) "
                        f"(default {MAX_EMPTY_EPOCHS}; an empty epoch costs about 15 us)")
    p.set_defaults(func=run)


class ProgressBar:
    """A one-line progress bar redrawn on a terminal stream, at most ten times a second.

    Args:
        stream: the terminal stream (stderr).
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.started = time.perf_counter()
        self._last = 0.0
        self._drawn = False

    def __call__(self, blocks: int, done: int, total: int | None) -> None:
        now = time.perf_counter()
        if now - self._last < 0.1 and not (total and done >= total):
            return
        self._last = now
        rate = blocks / max(now - self.started, 1e-9)
        if total:
            frac = min(1.0, done / total)
            bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
            text = f"\raudit [{bar}] {100 * frac:5.1f}% {blocks:,} blocks {rate:,.0f}/s"
        else:
            text = f"\raudit {blocks:,} blocks {rate:,.0f}/s"
        self.stream.write(text)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the bar's line."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()


MAX_L1_FINALITY_BYTES = 1 << 24
"""Largest --l1-finality file read (16 MiB)."""


def read_l1_finality(path: str) -> dict[int, int]:
    """Read a ``{"epoch": l1_finalized_epoch}`` JSON object (epochs as decimal strings,
    values integers in [0, 2**64 - 1]).

    Raises:
        MalformedData: not such an object (or larger than 16 MiB).
        OSError: the file cannot be read.
    """
    with open(path, "rb") as f:
        data = f.read(MAX_L1_FINALITY_BYTES + 1)
    if len(data) > MAX_L1_FINALITY_BYTES:
        raise MalformedData(f"--l1-finality: larger than {MAX_L1_FINALITY_BYTES} bytes")
    obj = load_json(data, "l1 finality")
    if not isinstance(obj, dict):
        raise MalformedData(f"--l1-finality: expected a JSON object, got {type(obj).__name__}")
    out: dict[int, int] = {}
    for key, value in obj.items():
        if not (key.isascii() and key.isdigit() and (key == "0" or key[0] != "0")):
            raise MalformedData(f"--l1-finality: expected decimal epoch keys, got {key!r}")
        out[json_int(int(key), "l1 finality epoch", 0, MAX_SLOT)] = json_int(value, f"l1 finality[{key}]", 0, MAX_SLOT)
    return out


def run(args: argparse.Namespace) -> int:
    """Run the audit for parsed arguments; returns the exit code."""
    err = sys.stderr
    bar = ProgressBar(err) if (not args.json and err.isatty()) else None
    try:
        report = _audit(args, bar)
    except MalformedHistory as exc:
        if bar:
            bar.close()
        for e in exc.errors:
            print(f"seqvrf audit: malformed history: {e}", file=err)
        if exc.count > len(exc.errors):
            print(f"seqvrf audit: ... {exc.count - len(exc.errors)} more malformed line(s)", file=err)
        if args.json:
            print(json.dumps({"format": "seqvrf-audit-report", "version": 1, "ok": False, "error": "malformed history",
                              "malformed_lines": exc.count,
                              "errors": [{"line": e.line, "reason": e.reason} for e in exc.errors]}, indent=2))
        return EXIT_USAGE
    except MalformedGenesis as exc:
        if bar:
            bar.close()
        print(f"seqvrf audit: malformed genesis: {exc}", file=err)
        if args.json:
            print(json.dumps({"format": "seqvrf-audit-report", "version": 1, "ok": False,
                              "error": "malformed genesis", "line": exc.line, "reason": exc.reason}, indent=2))
        return EXIT_USAGE
    except (ElectionError, ValueError, OSError, RecursionError, ImportError) as exc:
        # ElectionError covers every MalformedData; OSError a missing file or a directory.
        if bar:
            bar.close()
        print(f"seqvrf audit: unusable input: {exc}", file=err)
        return EXIT_USAGE
    if bar:
        bar.close()
    if args.json:
        print(report.to_json())
    else:
        print(report.summary_text())
        secs = report.elapsed_seconds
        if secs > 0 and report.blocks:
            print(f"audited {report.blocks:,} blocks in {secs:.2f} s ({report.blocks / secs:,.0f} blocks/s)")
    if not report.blocks:
        print("seqvrf audit: the history has no blocks: nothing was audited (is it the right file?)", file=err)
    return EXIT_OK if report.ok else EXIT_VIOLATION


def _audit(args: argparse.Namespace, bar: ProgressBar | None) -> AuditReport:
    """The audit the arguments ask for: in this process, in worker processes, or on a cluster."""
    kwargs: dict[str, Any] = {"workers": args.workers, "progress": bar, "max_line_bytes": args.max_line_bytes,
                              "max_empty_epochs": args.max_empty_epochs, "observed": args.observed}
    if args.l1_finality is not None:
        kwargs["l1_finalized"] = read_l1_finality(args.l1_finality)
    if args.processes is not None:
        with ProcessPoolExecutor(args.processes) as pool:  # shut down (and its processes ended) on exit
            return audit(args.genesis, args.history, executor=pool, **kwargs)
    if args.scheduler is not None:
        with cluster_executor(args.scheduler) as executor:
            return audit(args.genesis, args.history, executor=executor, **kwargs)
    if "://" in args.history:
        with open_history(args.history) as f:
            return audit(args.genesis, f, **kwargs)
    return audit(args.genesis, args.history, **kwargs)
