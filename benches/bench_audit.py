"""Audit throughput: one thread, worker processes, a dask LocalCluster (a measurement script, not a test).

Generates once (cached in --dir) a genesis and two version-2 histories (every block with
its producer's signed header), 100 dev validators with Pareto-like stakes, 3 backups:

* ``healthy``: --blocks blocks, every slot filled by its primary;
* ``backup-heavy``: --backup-blocks slots with 20 % of the stake down: a slot whose
  primary is down is taken over by the first live backup with a timeout certificate
  signed by the largest live validators that reach the quorum (about a fifth of the
  blocks are takeovers, a few dozen votes each).

Epochs are --epoch-length slots (default 4,096, so that these short histories hold
several epochs: the parallel audit shards by epoch ranges; a real chain's 43,200-slot
epochs shard the same way over a longer history).  Proofs are computed on threads;
seeds chain exactly as the audit recomputes them.

Then, each run in a fresh interpreter, in interleaved rounds (--rounds), the audit of
each history by: one verification thread in this process (``workers=1``); the default
threads (``workers=None``); 2 worker processes (``ProcessPoolExecutor(2)``, one thread
each); a ``distributed.LocalCluster`` of 2 worker processes (``--scheduler``'s path).
Reported: blocks per second per run (min..max over rounds) and the report checked equal
to the sequential one.  On a shared machine the figures move with the load: compare
runs of one round.

Run:  python benches/bench_audit.py [--blocks 60000] [--backup-blocks 12000] [--rounds 2]
          [--modes thread,threads,processes,cluster] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import vrf
from election import ElectionConfig, GenesisFile, LeaderClaim, Schedule, TimeoutCertificate
from election.chain.formats import HistoryRecord
from election.dev.keys import DevValidator, dev_table
from election.rules.headers import GENESIS_PARENT, make_header
from election.rules.seeds import SeedAccumulator
from election.rules.votes import TimeoutVote, is_quorum

VALIDATORS = 100
DOWN_STAKE = (1, 5)  # a fifth of the stake is down in the backup-heavy chain


def _setup(epoch_length: int) -> tuple[GenesisFile, dict[str, DevValidator]]:
    stakes = [max(1, int(1_000_000 / (i + 1) ** 0.8)) for i in range(VALIDATORS)]
    table, keys = dev_table(stakes, b"bench")
    config = ElectionConfig(b"bench-chain", epoch_length=epoch_length, backups=3)
    return GenesisFile.single(config, hashlib.sha256(b"bench genesis").digest(), table), keys


def _down_set(genesis: GenesisFile) -> set[str]:
    """Validators holding at least a fifth of the stake, picked at random (seeded)."""
    table = genesis.table_for(0)
    rng = random.Random(20)
    ids = list(table.ids)
    rng.shuffle(ids)
    down: set[str] = set()
    stake = 0
    for vid in ids:
        if stake * DOWN_STAKE[1] >= table.total_stake * DOWN_STAKE[0]:
            break
        down.add(vid)
        stake += table[vid].stake
    return down


def generate(directory: Path, name: str, slots: int, epoch_length: int, down_stake: bool) -> tuple[Path, Path]:
    """Write genesis-<epoch_length>.json and <name>.jsonl (skipped when already there)."""
    directory.mkdir(parents=True, exist_ok=True)
    genesis, keys = _setup(epoch_length)
    gpath = directory / f"genesis-{epoch_length}.json"
    hpath = directory / f"{name}-{slots}-{epoch_length}.jsonl"
    if not gpath.exists():
        genesis.save(gpath)
    if hpath.exists():
        return gpath, hpath
    config = genesis.config
    down = _down_set(genesis) if down_stake else set()
    secrets = keys
    tmp = hpath.with_suffix(".tmp")
    epoch, seed, parent, done = 0, genesis.initial_seed, GENESIS_PARENT, 0
    with open(tmp, "w", encoding="utf-8") as out, ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        while done < slots:
            sched = Schedule(config, genesis.table_for(epoch), epoch, seed)
            table = sched.table
            by_stake = sorted(table.ids, key=lambda v: -table[v].stake)
            chosen: list[tuple[int, int, str]] = []
            for slot in list(sched.slots)[: slots - done]:
                ranking = sched.ranking(slot)
                rank = next((r for r, v in enumerate(ranking) if v not in down), None)
                if rank is not None:
                    chosen.append((slot, rank, ranking[rank]))
            alphas = [sched.slot_input(s) for s, _, _ in chosen]
            sks = [secrets[vid].vrf_secret for _, _, vid in chosen]
            proofs = list(pool.map(lambda sk, alpha: sk.prove(alpha, config.suite), sks, alphas, chunksize=256))
            acc = SeedAccumulator(config, epoch, seed)
            lines = []
            for (slot, rank, vid), proof in zip(chosen, proofs, strict=True):
                cert = None
                if rank:
                    below = set(sched.ranking(slot)[:rank])
                    voters: list[str] = []
                    signed = 0
                    for v in by_stake:
                        if v in down or v in below:
                            continue
                        voters.append(v)
                        signed += table[v].stake
                        if is_quorum(signed, table.total_stake):
                            break
                    cert = TimeoutCertificate(
                        TimeoutVote.sign(config, table, epoch, slot, rank, v, secrets[v].vote_seed, parent,
                                         seed=sched.seed) for v in voters)
                claim = LeaderClaim(config.chain_id, epoch, slot, rank, vid, proof, cert)
                acc.add(slot, vrf.proof_to_hash(proof, config.suite))
                payload = hashlib.sha256(slot.to_bytes(8, "big")).digest()
                header = make_header(claim, parent, payload, secrets[vid].vote_seed)
                lines.append(HistoryRecord.signed(claim, header).to_line())
                parent = header.block_hash()
            out.writelines(lines)
            done += min(epoch_length, slots - done)
            seed = acc.finish()
            epoch += 1
            print(f"  {name}: generated {done:,} slots", file=sys.stderr)
    tmp.rename(hpath)
    return gpath, hpath


# Each run in a fresh interpreter; it prints its figures and the report's digest.
_CHILD = """
import hashlib, json, sys, time
from concurrent.futures import ProcessPoolExecutor
from election import audit
g, h, mode = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
if mode == "thread":
    rep = audit(g, h, workers=1)
elif mode == "threads":
    rep = audit(g, h)
elif mode == "processes":
    with ProcessPoolExecutor(2) as ex:
        rep = audit(g, h, executor=ex)
else:
    from distributed import LocalCluster
    from election.chain.cluster import cluster_executor
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        t = time.perf_counter()  # the cluster's start is not the audit's
        with cluster_executor(c) as ex:
            rep = audit(g, h, executor=ex)
dt = time.perf_counter() - t
d = rep.to_dict(); d.pop("elapsed_seconds")
digest = hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]
print(json.dumps({"ok": rep.ok, "blocks": rep.blocks, "takeovers": rep.takeovers, "seconds": dt, "digest": digest}))
"""

MODES = ("thread", "threads", "processes", "cluster")


def run_audit(gpath: Path, hpath: Path, mode: str, baseline: Path | None = None) -> dict[str, float | str]:
    """Audit in a fresh interpreter; returns its figures.  With ``baseline``, the
    interpreter imports ``election`` from that directory (the same ``vrf``)."""
    env = None
    if baseline is not None:
        env = {**os.environ, "PYTHONPATH": str(baseline)}
    r = subprocess.run([sys.executable, "-c", _CHILD, str(gpath.resolve()), str(hpath.resolve()), mode],
                       capture_output=True, text=True, check=True, env=env,
                       cwd=None if baseline is None else baseline)
    out: dict[str, float | str] = json.loads(r.stdout.strip().splitlines()[-1])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blocks", type=int, default=60_000)
    ap.add_argument("--backup-blocks", type=int, default=12_000)
    ap.add_argument("--epoch-length", type=int, default=4096)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--dir", type=Path, default=Path("/tmp/seqvrf-bench"))
    ap.add_argument("--baseline", type=Path, default=None,
                    help="a directory holding another election/ package (e.g. `git archive main election`): "
                         "every run is repeated with it, interleaved, for a before/after comparison")
    args = ap.parse_args()
    histories = {
        "healthy": generate(args.dir, "healthy", args.blocks, args.epoch_length, False),
        "backup-heavy": generate(args.dir, "backup", args.backup_blocks, args.epoch_length, True),
    }
    modes = args.modes.split(",")
    print(f"cores: {os.cpu_count()}; epoch length {args.epoch_length}; version-2 histories (signed headers)")
    rates: dict[tuple[str, str], list[float]] = {}
    digests: dict[str, set[str]] = {}
    info: dict[str, dict[str, float | str]] = {}
    sides: list[tuple[str, Path | None]] = [("", None)]
    if args.baseline is not None:
        sides.append((" (baseline)", args.baseline.resolve()))
    for _ in range(args.rounds):  # interleaved: every run sees the same load drift
        for name, (g, h) in histories.items():
            for mode in modes:
                for label, base in sides:
                    r = run_audit(g, h, mode, base)
                    rates.setdefault((name, mode + label), []).append(float(r["blocks"]) / float(r["seconds"]))
                    digests.setdefault(name, set()).add(str(r["digest"]))
                    info[name] = r
    print(f"{'history':<14} {'blocks':>7} {'takeovers':>9} {'run':<21} {'blocks/s (min..max)':>22}")
    for (name, mode), rs in rates.items():
        r = info[name]
        print(f"{name:<14} {int(r['blocks']):>7,} {int(r['takeovers']):>9,} {mode:<21} "
              f"{min(rs):>10,.0f}..{max(rs):<10,.0f}")
    for name, ds in digests.items():
        same = "identical" if len(ds) == 1 else f"DIFFERENT ({len(ds)} digests)"
        print(f"{name}: reports of every run {same}")


if __name__ == "__main__":
    main()
