"""Time and peak RSS of `seqvrf audit` (and `seqvrf schedule`) on hostile inputs.

    python benches/hostile_audit.py [--dir /tmp/seqvrf-hostile] [--timeout 60] [CASE ...]

Each case is written once into ``--dir`` (kept, so runs before and after a change read
the same bytes) and run as a child process under ``/usr/bin/time``: wall time, CPU time
(user + system: the figure to trust on a shared machine), peak RSS (maximum resident set
size of the child) and exit code are printed per case.  Python's start and imports are
included (about 0.2 s of CPU).  The cases
are the hostile inputs of docs/audit.md, "Bounds"; the big ones (a 300 MB line, 40 lines
with 65,535-vote certificates) take a few hundred MB of disk.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from election import ElectionConfig, GenesisFile, HistoryRecord, LeaderClaim
from election.dev.chains import dev_history
from election.dev.keys import dev_table

_CASES: dict[str, Callable[[Path], list[str]]] = {}


def case(fn: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
    _CASES[fn.__name__] = fn
    return fn


def _genesis(d: Path, config: ElectionConfig, validators: int = 100, start_epoch: int = 0) -> Path:
    g = d / "genesis.json"
    if not g.exists():
        table, _ = dev_table([1000 + i for i in range(validators)], b"hostile")
        GenesisFile.single(config, bytes(32), table, start_epoch).save(g)
    return g


def _zero_claim_line(config: ElectionConfig, slot: int, rank: int = 0, cert: object = None) -> str:
    claim = LeaderClaim(config.chain_id, slot // config.epoch_length, slot, rank, "v0000", bytes(80))
    return HistoryRecord(slot, claim).to_line()


@case
def gap(d: Path) -> list[str]:
    """One 313-byte line at slot 176,990,400 (epoch 4,097 of 43,200-slot epochs), zero proof."""
    cfg = ElectionConfig(b"hostile-chain", epoch_length=43_200, backups=3)
    g = _genesis(d, cfg)
    h = d / "history.jsonl"
    h.write_text(_zero_claim_line(cfg, 4097 * 43_200))
    return ["audit", str(g), str(h)]


@case
def gap_chain(d: Path) -> list[str]:
    """A valid chain of 1-slot epochs with 5,000 empty epochs in a row (must pass, exit 0)."""
    cfg = ElectionConfig(b"gap-chain", epoch_length=1, backups=1)
    table, keys = dev_table([10, 20, 30], b"gap")
    genesis = GenesisFile.single(cfg, bytes(32), table)
    g = d / "genesis.json"
    genesis.save(g)
    h = d / "history.jsonl"
    if not h.exists():
        recs = dev_history(genesis, keys, 5_020, lambda slot, ranking: None if 10 <= slot < 5_010 else 0)
        h.write_text("".join(r.to_line() for r in recs))
    return ["audit", str(g), str(h)]


@case
def huge_epoch(d: Path) -> list[str]:
    """A genesis with epoch_length = 2^32 - 1 (a 34 GiB leader list before the fix)."""
    g = d / "genesis.json"
    cfg = json.loads(GenesisFile.single(ElectionConfig(b"x", epoch_length=8), bytes(32),
                                        dev_table([1, 2], b"h")[0]).to_json())
    cfg["config"]["epoch_length"] = 2**32 - 1
    cfg["config"]["seed_cutoff"] = 1
    g.write_text(json.dumps(cfg))
    h = d / "history.jsonl"
    h.write_text(_zero_claim_line(ElectionConfig(b"x", epoch_length=8), 0))
    return ["audit", str(g), str(h)]


@case
def u64_edge(d: Path) -> list[str]:
    """Start epoch at the last whole epoch below 2^64; a block in the partial epoch after it."""
    length = 10
    last_epoch = (2**64 - length) // length
    cfg = ElectionConfig(b"edge", epoch_length=length, backups=1)
    g = _genesis(d, cfg, 4, last_epoch)
    h = d / "history.jsonl"
    slot = 2**64 - 1
    claim = LeaderClaim(cfg.chain_id, slot // length, slot, 0, "v0000", bytes(80))
    h.write_text(HistoryRecord(slot, claim).to_line())
    return ["audit", str(g), str(h)]


@case
def long_line(d: Path) -> list[str]:
    """One 300 MB line (a claim_hex of 150 MB)."""
    cfg = ElectionConfig(b"hostile-chain", epoch_length=43_200, backups=3)
    g = _genesis(d, cfg)
    h = d / "history.jsonl"
    if not h.exists():
        with open(h, "w") as f:
            f.write('{"slot":0,"claim_hex":"')
            chunk = "00" * (1 << 20)
            for _ in range(143):
                f.write(chunk)
            f.write('"}\n')
    return ["audit", str(g), str(h)]


@case
def big_certs(d: Path) -> list[str]:
    """40 lines, each a rank-1 claim with a 65,535-vote certificate (JSON form)."""
    cfg = ElectionConfig(b"hostile-chain", epoch_length=43_200, backups=3)
    g = _genesis(d, cfg)
    h = d / "history.jsonl"
    if not h.exists():
        sig = "00" * 64
        votes = ",".join(f'{{"voter_id":"w{i:05d}","parent_hash":null,"signature":"{sig}"}}' for i in range(65_535))
        with open(h, "w") as f:
            for slot in range(40):
                cert = (f'{{"chain_id":"{cfg.chain_id.hex()}","epoch":0,"table_digest":"{"11" * 32}",'
                        f'"slot":{slot},"rank":1,"votes":[{votes}]}}')
                claim = (f'{{"chain_id":"{cfg.chain_id.hex()}","epoch":0,"slot":{slot},"rank":1,'
                         f'"validator_id":"v0001","proof":"{"00" * 80}","certificate":{cert}}}')
                f.write(f'{{"slot":{slot},"claim":{claim}}}\n')
    return ["audit", str(g), str(h)]


@case
def gap_chain_flag(d: Path) -> list[str]:
    """The same valid chain with --max-empty-epochs 5000 (exit 0)."""
    return [*gap_chain(d), "--max-empty-epochs", "5000"]


@case
def big_cert_allowed(d: Path) -> list[str]:
    """Two 65,535-vote certificate lines with the line limit raised to MAX_LINE_BYTES."""
    src = d.parent / "big_certs" / "history.jsonl"
    if not src.exists():
        big_certs(d.parent / "big_certs")
    g = _genesis(d, ElectionConfig(b"hostile-chain", epoch_length=43_200, backups=3))
    h = d / "history.jsonl"
    if not h.exists():
        with open(src) as f, open(h, "w") as out:
            out.write(f.readline())
            out.write(f.readline())
    return ["audit", str(g), str(h), "--max-line-bytes", str(33_555_968)]


@case
def max_line(d: Path) -> list[str]:
    """One line of the largest legitimate size: 65,535 votes, every field at its longest
    (64-byte voter ids of 2-byte characters, 64-byte parent hashes), limit MAX_LINE_BYTES."""
    cfg = ElectionConfig(b"hostile-chain", epoch_length=43_200, backups=3)
    g = _genesis(d, cfg)
    h = d / "history.jsonl"
    if not h.exists():
        cid = cfg.chain_id.hex()
        ids = sorted({("\u00e9" * 30) + chr(0x100 + (i >> 8)) + chr(0x100 + (i & 0xFF)) for i in range(65_535)},
                     key=lambda s: s.encode())
        votes = [{"voter_id": i, "parent_hash": "ab" * 64, "signature": "cd" * 64} for i in ids]
        cert = {"chain_id": cid, "epoch": 0, "table_digest": "00" * 32, "slot": 1, "rank": 1, "votes": votes}
        claim = {"chain_id": cid, "epoch": 0, "slot": 1, "rank": 1, "validator_id": "v0001", "proof": "00" * 80,
                 "certificate": cert}
        obj = {"slot": 1, "claim": claim, "block_hash": "11" * 64, "parent_hash": "22" * 64}
        h.write_text(json.dumps(obj, separators=(",", ":")) + "\n")
    return ["audit", str(g), str(h), "--max-line-bytes", str(33_555_968)]


@case
def gaps_50(d: Path) -> list[str]:
    """50 lines, each 4,097 epochs after the previous one (the walk, line after line)."""
    cfg = ElectionConfig(b"hostile-chain", epoch_length=43_200, backups=3)
    g = _genesis(d, cfg)
    h = d / "history.jsonl"
    h.write_text("".join(_zero_claim_line(cfg, 4097 * 43_200 * k) for k in range(1, 51)))
    return ["audit", str(g), str(h)]


@case
def epochs_50(d: Path) -> list[str]:
    """50 lines, each in the next epoch (a schedule per line: the inherent per-epoch cost)."""
    cfg = ElectionConfig(b"hostile-chain", epoch_length=43_200, backups=3)
    g = _genesis(d, cfg)
    h = d / "history.jsonl"
    h.write_text("".join(_zero_claim_line(cfg, 43_200 * k) for k in range(50)))
    return ["audit", str(g), str(h)]


@case
def schedule_count(d: Path) -> list[str]:
    """`seqvrf schedule --count 99999999999999999999`."""
    cfg = ElectionConfig(b"hostile-chain", epoch_length=43_200, backups=3)
    g = _genesis(d, cfg)
    return ["schedule", str(g), "--count", "99999999999999999999"]


def run(name: str, root: Path, timeout: float) -> tuple[str, float, float, int, str]:
    d = root / name
    d.mkdir(parents=True, exist_ok=True)
    argv = _CASES[name](d)
    cmd = ["/usr/bin/time", "-f", "%e %U %S %M", sys.executable, "-m", "election", *argv]
    t0 = time.monotonic()
    # A session of its own, so that a timeout stops the audit itself, not only `time`.
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return name, time.monotonic() - t0, -1.0, -1, f"killed after {timeout:.0f} s"
    last = err.strip().splitlines()[-1].split()
    secs, cpu, rss_kb = float(last[0]), float(last[1]) + float(last[2]), int(last[3])
    lines = [ln for ln in err.strip().splitlines()[:-1] if ln.strip() and not ln.startswith("Command exited")]
    status = f"exit {p.returncode}; " + (lines[-1][:110] if lines else (out.splitlines() or [""])[0][:110])
    return name, secs, cpu, rss_kb // 1024, status


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", help=f"cases (default all): {', '.join(_CASES)}")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/seqvrf-hostile"))
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()
    print(f"{'case':<16} {'wall s':>7} {'cpu s':>6} {'peak MB':>8}  result")
    for name in args.cases or list(_CASES):
        n, secs, cpu, mb, status = run(name, args.dir, args.timeout)
        print(f"{n:<16} {secs:>7.2f} {cpu:>6.2f} {mb:>8}  {status}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
