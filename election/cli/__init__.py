"""The ``seqvrf`` command line.

Each subcommand lives in its own module, which exposes ``register(subparsers)``:
it adds its parser and sets ``func(args) -> int`` as the parser default. Modules
are listed in ``_COMMANDS``; add a line there to add a command.

Exit codes, for every command: 0 success, 1 the work ran and found a violation
(an invalid block, a failed check), 2 unusable input or bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

EXIT_OK = 0
EXIT_VIOLATION = 1
EXIT_USAGE = 2

def _number(kind: type[int] | type[float], ok: Callable[[float], bool], what: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


def bounded_int(lo: int, hi: int) -> Callable[[str], Any]:
    """An argparse type: an integer in ``[lo, hi]`` (bounds say what is sane to ask for)."""
    return _number(int, lambda v: lo <= v <= hi, f"an integer in [{lo}, {hi}]")


# Argument types shared by the subcommands (argparse turns their errors into exit code 2).
positive_int = _number(int, lambda v: v > 0, "a positive integer")
positive_float = _number(float, lambda v: v > 0, "a positive number")
nonnegative_float = _number(float, lambda v: v >= 0, "a number >= 0")
unit_fraction = _number(float, lambda v: 0 <= v < 1, "a number in [0, 1)")

# Command modules, imported when the parser is built so `seqvrf --help` stays fast.
_COMMANDS: list[str] = [
    "election.cli.audit",
    "election.cli.risk",
    "election.cli.simulate",
    "election.cli.tools",
    "election.cli.node",
    "election.cli.devnet",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seqvrf",
        description="Verifiable stake-weighted leader election for rollup sequencers (RFC 9381 ECVRF).",
        epilog="Exit codes: 0 success, 1 violation found, 2 unusable input or bad usage.",
    )
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("seqvrf")
    except PackageNotFoundError:  # running from a source tree
        ver = "unknown"
    parser.add_argument("--version", action="version", version=f"seqvrf {ver}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in _COMMANDS:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        print("seqvrf: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as shell tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + 13  # SIGPIPE
    return code


if __name__ == "__main__":
    sys.exit(main())
