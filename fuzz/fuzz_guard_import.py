"""Fuzz target guard_import: SigningGuard.import_json on arbitrary bytes, their text and JSON variants.
Allowed error: GuardCorrupt only (a fresh guard has nothing to conflict with, so even SigningConflict
is a finding).  On success: the export re-imports into a fresh guard identically, and re-importing it
into the same guard inserts nothing."""

from __future__ import annotations

import os
import sys
from typing import Any

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports():
    from _common import check, json_variants

    from election.node.guard import GuardCorrupt, SigningGuard

# The corpus (fuzz/make_corpus.py) uses this chain and validator.
CHAIN = b"fuzz-chain"
VALIDATOR = "fuzz-validator"


def _fresh() -> SigningGuard:
    return SigningGuard(":memory:", chain_id=CHAIN, validator_id=VALIDATOR)


def one(payload: str | bytes) -> None:
    with _fresh() as guard:
        try:
            inserted = guard.import_json(payload)
        except GuardCorrupt:
            check(guard.export_json()["records"] == [] and guard.low_water() == 0,
                  "a refused import wrote something")
            return
        exported: dict[str, Any] = guard.export_json()
        check(inserted == len(exported["records"]), "import count differs from the stored records")
        check(guard.import_json(exported) == 0, "re-importing the export inserted records")
        with _fresh() as again:
            again.import_json(exported)
            check(again.export_json() == exported, "export -> import -> export is not the identity")


def TestOneInput(data: bytes) -> None:  # noqa: N802
    one(data)
    try:
        one(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    for variant in json_variants(data):
        one(variant)


if __name__ == "__main__":
    from _common import main

    main(TestOneInput)
