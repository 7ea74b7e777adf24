"""Shared helpers for the atheris harnesses in fuzz/.

Each harness defines ``TestOneInput(data: bytes)`` and calls :func:`main`.  The contract
every harness checks: a parser or verifier given arbitrary bytes either succeeds or
raises a *typed* error (``vrf.VRFError`` / ``election.ElectionError``).  Any other
exception, and any crash of the process (a C fault, an abort), is a finding.  Harnesses
also check properties that must hold on success (round trips, agreement with the
reference); a violation raises ``Finding``.
"""

from __future__ import annotations

import json
import sys
import zlib
from collections.abc import Callable
from typing import Any


class Finding(AssertionError):
    """A property violation found by a harness (not an allowed, typed error)."""


def check(cond: bool, message: str) -> None:
    if not cond:
        raise Finding(message)


def main(test_one_input: Callable[[bytes], None]) -> None:
    """Run the harness under atheris (libFuzzer flags come from sys.argv)."""
    import atheris

    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


# Values that break sloppy JSON handling: wrong types, huge, negative, odd strings.
HOSTILE_JSON: list[Any] = [
    None, True, False, 0, -1, 1, 2**64, 2**64 - 1, -(2**63), 10**400, 1.5, 1e308, "", "00",
    "0" * 64, "f" * 64, "zz", "\u0000", "\ud800", "é", "ff" * 300, [], {}, [[[]]], {"a": 1},
    "x" * 10000,
]


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, prefix + (i,))
    return out


def json_variants(data: bytes, count: int = 3) -> list[str]:
    """Deterministic structured mutations of ``data`` when it is a JSON document.

    Replaces a node (picked from a hash of ``data``) with a hostile value, deletes a
    key, or adds an unknown key.  Mutating the parsed tree reaches the field checks
    behind the JSON syntax, which byte-level mutation rarely does.
    """
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):
        return []
    paths = _paths(obj)
    h = zlib.crc32(data)
    out = []
    for i in range(count):
        h = (h * 1103515245 + 12345 + i) & 0xFFFFFFFF
        path = paths[h % len(paths)]
        choice = (h >> 16) % (len(HOSTILE_JSON) + 2)
        tree = json.loads(data)
        if not path:
            if choice < len(HOSTILE_JSON):
                tree = HOSTILE_JSON[choice]
        else:
            parent = tree
            for p in path[:-1]:
                parent = parent[p]
            last = path[-1]
            if choice < len(HOSTILE_JSON):
                parent[last] = HOSTILE_JSON[choice]
            elif choice == len(HOSTILE_JSON) and isinstance(parent, dict):
                del parent[last]
            elif isinstance(parent, dict):
                parent["unknown_key"] = 1
            elif isinstance(parent, list):
                parent.append(parent[last])
        out.append(json.dumps(tree))
    return out
