"""Fuzz target wire: the node's wire codec (election.node.wire.decode).
Allowed errors: WireError only (every malformed input); on success the message must
re-encode to exactly the input bytes (one canonical encoding per message)."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def check_one(data: bytes) -> None:
    """The property every input must satisfy (also run by tests/test_node_wire.py)."""
    from _common import check

    from election.node import wire

    try:
        msg = wire.decode(data)
    except wire.WireError:
        return
    enc = wire.encode(msg)
    check(enc == data, f"decode accepted a non-canonical encoding: {data[:64].hex()}...")
    check(wire.decode(enc) == msg, "round trip changed the message")


def TestOneInput(data: bytes) -> None:  # noqa: N802
    check_one(data)


if __name__ == "__main__":
    import atheris

    with atheris.instrument_imports():
        import election.node.wire  # noqa: F401
    from _common import main

    main(TestOneInput)
