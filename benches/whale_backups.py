"""CPU time of ranked backups in reduced mode: 65,535 validators, one with 75 % of the stake,
255 backups, five slots the whale leads (every draw after the whale is in reduced mode).

    python benches/whale_backups.py [--table /tmp/seqvrf-whale-table.json]

The table is built once (about 15 s: 131,070 development keys) and cached as JSON; loading
it re-validates every key (about 11 s).  Prints CPU ms per slot and a digest of the
rankings, so runs of two versions can be compared for identical output.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time

from election import ElectionConfig, Schedule, StakeTable
from election.dev.keys import dev_validators


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--table", default="/tmp/seqvrf-whale-table.json")
    args = ap.parse_args()
    if not os.path.exists(args.table):
        n = 65_535
        stakes = [1] * n
        stakes[0] = 3 * (n - 1)  # 75 % of the stake
        table = StakeTable(d.validator for d in dev_validators(stakes, b"whale"))
        with open(args.table, "w") as f:
            f.write(table.to_json())
    with open(args.table) as f:
        table = StakeTable.from_json(f.read())
    s = Schedule(ElectionConfig(b"whale", epoch_length=4096, backups=255), table, 0, bytes(32))
    whale = table.ids[0]
    slots = [x for x in s.slots if s.leader(x) == whale][:5]
    t0 = time.process_time()
    rankings = [s.ranking(x) for x in slots]
    dt = time.process_time() - t0
    digest = hashlib.sha256(repr(rankings).encode()).hexdigest()[:16]
    print(f"{dt / len(slots) * 1e3:.1f} ms CPU per slot (tree build included); rankings digest {digest}")


if __name__ == "__main__":
    main()
