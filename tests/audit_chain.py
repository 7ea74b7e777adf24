"""Shared chains for the audit tests: a small valid history with misses, takeovers
at ranks 1 and 2, an empty epoch and a stake-table change, built by the library itself."""

from __future__ import annotations

import json
import random
from typing import Any

from election import ElectionConfig
from election.chain.formats import GenesisFile, HistoryRecord
from election.dev.chains import dev_history
from election.dev.keys import dev_table

STAKES = [10, 20, 30, 40, 50, 60, 70, 80]
TABLE, KEYS = dev_table(STAKES, b"audit")
TABLE2, _ = dev_table([s * 3 + 1 for s in STAKES], b"audit")  # same keys, new stakes from epoch 3
CONFIG = ElectionConfig(b"audit-chain", epoch_length=32, backups=2, seed_cutoff=20)
GENESIS = GenesisFile(CONFIG, bytes(range(32)), ((0, TABLE), (3, TABLE2)))
EMPTY_EPOCH = 2
LAST_SLOT = 5 * 32 + 9  # epochs 0..5, the last one partial


def producer(seed: int = 7) -> Any:
    rng = random.Random(seed)

    def pick(slot: int, ranking: list[str]) -> int | None:
        if slot // 32 == EMPTY_EPOCH:
            return None
        x = rng.random()
        if x < 0.12:
            return None
        if x < 0.22:
            return 1
        if x < 0.28:
            return 2
        return 0

    return pick


def build_records() -> list[HistoryRecord]:
    """The valid history's records (deterministic)."""
    return list(dev_history(GENESIS, KEYS, LAST_SLOT, producer()))


def to_lines(records: list[HistoryRecord], encoding: str = "json") -> list[str]:
    return [r.to_line(encoding) for r in records]


def to_objs(records: list[HistoryRecord]) -> list[dict[str, Any]]:
    return [r.to_dict() for r in records]


def dump(objs: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(o, separators=(",", ":")) + "\n" for o in objs]
