"""Audit throughput with signed block headers (history version 2) vs without (version 1).

Builds one development chain twice — the same claims, once as a version-1 history and once
with every block's signed header (and seed-bound certificates) — then audits both in
interleaved rounds in this process and reports blocks/s and the ratio v2/v1 per round
(range and median): the cost of proving authorship.  A measurement script, not a test.

Run:  python benches/bench_audit_headers.py [--blocks 4000] [--rounds 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

from election import ElectionConfig, GenesisFile, audit
from election.dev.chains import dev_history
from election.dev.keys import dev_table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blocks", type=int, default=4000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    table, keys = dev_table([max(1, int(1_000_000 / (i + 1) ** 0.8)) for i in range(50)], b"bench-headers")
    genesis = GenesisFile.single(ElectionConfig(b"bench-headers", epoch_length=1000, backups=3), bytes(32), table)

    def producer(slot: int, ranking: list[str]) -> int:
        return 1 if slot % 10 == 7 else 0  # 10 % takeovers: certificates in the mix

    last = args.blocks - 1
    t0 = time.perf_counter()
    v1 = [r.to_line() for r in dev_history(genesis, keys, last, producer)]
    v2 = [r.to_line() for r in dev_history(genesis, keys, last, producer, signed=True)]
    print(f"built {len(v1)} blocks twice in {time.perf_counter() - t0:.1f} s; "
          f"line bytes v1 {sum(map(len, v1)) / len(v1):.0f}, v2 {sum(map(len, v2)) / len(v2):.0f}")
    rates: dict[str, list[float]] = {"v1": [], "v2": []}
    for _ in range(args.rounds):
        for name, lines in (("v1", v1), ("v2", v2)):
            t = time.perf_counter()
            report = audit(genesis, lines, workers=args.workers)
            dt = time.perf_counter() - t
            assert report.ok and report.valid == len(lines)
            rates[name].append(len(lines) / dt)
    ratios = [b / a for a, b in zip(rates["v1"], rates["v2"], strict=True)]
    for name in ("v1", "v2"):
        r = rates[name]
        print(f"{name}: {min(r):,.0f}-{max(r):,.0f} blocks/s (median {statistics.median(r):,.0f})")
    print(f"v2/v1 throughput ratio per round: {min(ratios):.2f}-{max(ratios):.2f} "
          f"(median {statistics.median(ratios):.2f})")


if __name__ == "__main__":
    main()
