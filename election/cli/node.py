"""``seqvrf node --config node.toml``: run one sequencer node until SIGTERM or SIGINT.

Exit codes: 0 after a clean stop, 2 for an unusable configuration or a node that refuses
to start (e.g. its signing guard is behind what the network shows it signed).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

from . import EXIT_OK, EXIT_USAGE


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "node",
        help="run a sequencer node",
        description="Run one sequencer node (failover controller, chain view, signing guard, UDP transport on "
        "127.0.0.1) from a TOML configuration; structured JSON logs on stdout; see docs/node.md.",
    )
    p.add_argument("--config", required=True, type=Path, help="node TOML file")
    p.set_defaults(func=run_node)


def run_node(args: argparse.Namespace) -> int:
    """Load the configuration and run the node until a signal stops it."""
    from ..node.runtime import NodeError, SequencerNode, load_config

    try:
        cfg = load_config(args.config)
    except NodeError as exc:
        print(f"seqvrf node: {exc}", file=sys.stderr)
        return EXIT_USAGE

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await SequencerNode(cfg).run(stop)

    try:
        asyncio.run(main())
    except NodeError as exc:
        print(f"seqvrf node: refused to run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
