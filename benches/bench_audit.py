"""Audit throughput and memory (a measurement script, not a test).

Generates once (cached in --dir) a genesis and a history of --blocks real blocks: 100
dev validators with Pareto-like stakes, the default config (43,200-slot epochs), every
slot filled by its primary with a real ECVRF proof, hash-linked.  Proofs of an epoch
are computed on threads (the C core releases the GIL); seeds chain exactly as the
audit recomputes them.  Then, each in a fresh subprocess:

* throughput: ``election.chain.audit`` over the first --throughput-blocks lines with 1 and
  2 workers, in verified claims per second;
* memory: the whole history audited with the default workers, peak RSS (ru_maxrss).

Run:  python benches/bench_audit.py [--blocks 1000000] [--throughput-blocks 200000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import vrf
from election import ElectionConfig, GenesisFile, LeaderClaim, Schedule
from election.dev.keys import dev_table
from election.rules.seeds import SeedAccumulator

VALIDATORS = 100


def generate(directory: Path, blocks: int) -> tuple[Path, Path]:
    """Write genesis.json and history-<blocks>.jsonl (skipped when already there)."""
    directory.mkdir(parents=True, exist_ok=True)
    gpath = directory / "genesis.json"
    hpath = directory / f"history-{blocks}.jsonl"
    if gpath.exists() and hpath.exists():
        return gpath, hpath
    stakes = [max(1, int(1_000_000 / (i + 1) ** 0.8)) for i in range(VALIDATORS)]
    table, keys = dev_table(stakes, b"bench")
    config = ElectionConfig(b"bench-chain", backups=3)
    genesis = GenesisFile.single(config, hashlib.sha256(b"bench genesis").digest(), table)
    genesis.save(gpath)
    secrets = {vid: d.vrf_secret for vid, d in keys.items()}
    tmp = hpath.with_suffix(".tmp")
    started = time.perf_counter()
    written = 0
    epoch = 0
    seed = genesis.initial_seed
    parent = b""
    with open(tmp, "w", encoding="utf-8") as out, ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        while written < blocks:
            sched = Schedule(config, genesis.table_for(epoch), epoch, seed)
            slots = list(sched.slots)[: blocks - written]
            leaders = sched.leaders()
            alphas = [sched.slot_input(s) for s in slots]

            def prove(i: int, leaders: list[str] = leaders, alphas: list[bytes] = alphas) -> bytes:
                return secrets[leaders[i]].prove(alphas[i], config.suite)

            proofs = list(pool.map(prove, range(len(slots)), chunksize=256))
            acc = SeedAccumulator(config, epoch, seed)
            lines = []
            for i, slot in enumerate(slots):
                claim = LeaderClaim(config.chain_id, epoch, slot, 0, leaders[i], proofs[i])
                acc.add(slot, vrf.proof_to_hash(proofs[i], config.suite))
                block = hashlib.sha256(parent + claim.to_bytes()).digest()
                obj = {"slot": slot, "claim": claim.to_dict(), "block_hash": block.hex()}
                if parent:
                    obj["parent_hash"] = parent.hex()
                lines.append(json.dumps(obj, separators=(",", ":")) + "\n")
                parent = block
            out.writelines(lines)
            written += len(slots)
            seed = acc.finish()
            epoch += 1
            rate = written / (time.perf_counter() - started)
            print(f"  generated {written:,} blocks ({rate:,.0f}/s)", file=sys.stderr)
    tmp.rename(hpath)
    return gpath, hpath


def prefix(hpath: Path, n: int) -> Path:
    """The first n lines of the history, as their own file."""
    out = hpath.with_name(f"{hpath.stem}-first-{n}.jsonl")
    if not out.exists():
        with open(hpath, "rb") as src, open(out, "wb") as dst:
            for i, line in enumerate(src):
                if i >= n:
                    break
                dst.write(line)
    return out


# The child reads its peak RSS from /proc (VmHWM): ru_maxrss survives exec on Linux and
# would report the parent's peak (the generator's) instead.
_CHILD = """
import json, sys, time
from election import audit
g, h, w = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
rep = audit(g, h, workers=None if w == "default" else int(w))
dt = time.perf_counter() - t
hwm = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:"))
print(json.dumps({"ok": rep.ok, "blocks": rep.blocks, "valid": rep.valid, "seconds": dt, "maxrss_kb": hwm}))
"""


def run_audit(gpath: Path, hpath: Path, workers: str) -> dict[str, float]:
    """Audit in a fresh interpreter; returns its figures."""
    r = subprocess.run([sys.executable, "-c", _CHILD, str(gpath), str(hpath), workers],
                       capture_output=True, text=True, check=True)
    out: dict[str, float] = json.loads(r.stdout)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blocks", type=int, default=1_000_000)
    ap.add_argument("--throughput-blocks", type=int, default=200_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/seqvrf-bench"))
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args()
    gpath, hpath = generate(args.dir, args.blocks)
    small = prefix(hpath, min(args.throughput_blocks, args.blocks))
    print(f"history: {hpath} ({hpath.stat().st_size / 1e6:,.0f} MB); cores: {os.cpu_count()}")
    print(f"{'run':<34} {'blocks':>9} {'seconds':>8} {'claims/s':>9} {'peak RSS':>9}")
    for workers in ("1", "2"):
        r = run_audit(gpath, small, workers)
        assert r["ok"] and r["valid"] == r["blocks"]
        print(f"{'throughput, workers=' + workers:<34} {int(r['blocks']):>9,} {r['seconds']:>8.1f} "
              f"{r['blocks'] / r['seconds']:>9,.0f} {r['maxrss_kb'] / 1024:>7.0f}MB")
    if not args.skip_memory:
        r = run_audit(gpath, hpath, "default")
        assert r["ok"] and r["valid"] == r["blocks"]
        print(f"{'full history, default workers':<34} {int(r['blocks']):>9,} {r['seconds']:>8.1f} "
              f"{r['blocks'] / r['seconds']:>9,.0f} {r['maxrss_kb'] / 1024:>7.0f}MB")


if __name__ == "__main__":
    main()
