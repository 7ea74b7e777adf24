"""Operator commands: ``seqvrf keygen`` and ``seqvrf schedule``.

``keygen`` makes a validator's two keys, which must differ (DESIGN: an
ECVRF-EDWARDS25519 key that also signs Ed25519 messages can leak): a VRF key
for leadership proofs and an Ed25519 vote key for timeout votes. It writes
them as PKCS#8 PEM files readable only by their owner and prints the public
stake-table entry. ``schedule`` prints who leads, and who backs up, each slot
of an epoch of a genesis file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import vrf

from ..chain.formats import GenesisFile
from ..rules.config import MAX_EPOCH_LENGTH
from ..rules.errors import ElectionError
from ..rules.schedule import Schedule
from ..rules.stake import Validator
from . import EXIT_OK, EXIT_USAGE, bounded_int, positive_int

VRF_KEY_FILE = "vrf-key.pem"
VOTE_KEY_FILE = "vote-key.pem"


def register(subparsers: Any) -> None:
    keygen = subparsers.add_parser(
        "keygen",
        help="make a validator's VRF key and vote key",
        description="Write a new VRF key and a separate Ed25519 vote key as PKCS#8 PEM files (mode 0600) "
        "and print the validator's public stake-table entry as JSON.",
    )
    keygen.add_argument("--out", required=True, type=Path, help="directory for vrf-key.pem and vote-key.pem")
    keygen.add_argument("--id", required=True, dest="validator_id", help="the validator id for the table entry")
    keygen.add_argument("--stake", type=positive_int, default=1, help="stake for the printed entry (default 1)")
    keygen.add_argument("--force", action="store_true", help="overwrite existing key files")
    keygen.set_defaults(func=run_keygen)

    schedule = subparsers.add_parser(
        "schedule",
        help="print an epoch's leaders and ranked backups",
        description="Compute an epoch's schedule from a genesis file and print leader and backups per slot.",
    )
    schedule.add_argument("genesis", type=Path, help="genesis JSON file")
    schedule.add_argument("--epoch", type=int, default=None, help="epoch (default: the genesis start epoch)")
    schedule.add_argument(
        "--seed",
        default=None,
        help="the epoch's seed as 64 hex digits (required after the start epoch: "
        "`seqvrf audit --json` reports the seed chain)",
    )
    schedule.add_argument("--from-slot", type=int, default=None, help="first slot to print (default: epoch start)")
    schedule.add_argument("--count", type=bounded_int(1, MAX_EPOCH_LENGTH), default=20,
                          help=f"number of slots to print, at most {MAX_EPOCH_LENGTH} (the longest epoch); "
                          "printing stops at the epoch's end (default 20)")
    schedule.add_argument("--json", action="store_true", help="print JSON instead of a table")
    schedule.set_defaults(func=run_schedule)


def _write_secret(path: Path, data: bytes, force: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def run_keygen(args: argparse.Namespace) -> int:
    """Write two fresh keys; print the public table entry.  Never prints a secret."""
    vrf_key = vrf.SecretKey.generate()
    vote_key = vrf.SecretKey.generate()  # an independent seed; used only through Ed25519 signing
    try:
        validator = Validator(args.validator_id, bytes(vrf_key.public_key), bytes(vote_key.public_key), args.stake)
    except ElectionError as exc:
        print(f"seqvrf keygen: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        _write_secret(args.out / VRF_KEY_FILE, vrf_key.to_pem(), args.force)
        _write_secret(args.out / VOTE_KEY_FILE, vote_key.to_pem(), args.force)
    except FileExistsError as exc:
        print(f"seqvrf keygen: {exc.filename} exists; use --force to overwrite", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"seqvrf keygen: cannot write keys: {exc}", file=sys.stderr)
        return EXIT_USAGE
    entry = {
        "id": validator.id,
        "stake": validator.stake,
        "vote_key": bytes(vote_key.public_key).hex(),
        "vrf_key": bytes(vrf_key.public_key).hex(),
    }
    print(json.dumps(entry, sort_keys=True))
    return EXIT_OK


def run_schedule(args: argparse.Namespace) -> int:
    """Print leaders and backups for a range of slots of one epoch."""
    try:
        genesis = GenesisFile.load(args.genesis)
        config = genesis.config
        epoch = genesis.start_epoch if args.epoch is None else args.epoch
        if epoch < genesis.start_epoch:
            raise ElectionError(f"epoch {epoch} precedes the genesis start epoch {genesis.start_epoch}")
        if args.seed is not None:
            try:
                seed = bytes.fromhex(args.seed)
            except ValueError:
                raise ElectionError(f"--seed: expected 64 hex digits, got {args.seed!r}") from None
        elif epoch == genesis.start_epoch:
            seed = genesis.initial_seed
        else:
            raise ElectionError(
                f"epoch {epoch} is after the start epoch {genesis.start_epoch}: its seed depends on the "
                "history; pass --seed (from `seqvrf audit --json`)"
            )
        span = config.slots(epoch)  # raises InvalidSlot for an epoch past 2**64 - 1: before any work
        first = span.start if args.from_slot is None else args.from_slot
        # The requested slots inside the epoch: computed, never enumerated.
        slots = range(max(first, span.start), min(first + args.count, span.stop))
        if not slots:
            raise ElectionError(f"slot {first} is not in epoch {epoch} (slots {span.start}..{span.stop - 1})")
        schedule = Schedule(config, genesis.table_for(epoch), epoch, seed)
    except (ElectionError, OSError) as exc:
        print(f"seqvrf schedule: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if config.inactivity and epoch >= genesis.start_epoch + 2:
        print(f"seqvrf schedule: note: the inactivity rule is on, so epoch {epoch}'s effective stake table "
              f"depends on the history (epoch {epoch - 2}'s outcomes, docs/spec.md section 19); this is the "
              "schedule on the genesis table (the audit's seed_chain gives the effective table's digest)",
              file=sys.stderr)
    out = sys.stdout
    if args.json:  # streamed row by row, the same text as json.dumps(..., indent=2) of the whole
        out.write(f'{{\n  "epoch": {epoch},\n  "seed": "{seed.hex()}",\n  "slots": [')
        for i, s in enumerate(slots):
            row = json.dumps({"slot": s, "ranking": schedule.ranking(s)}, indent=2).replace("\n", "\n    ")
            out.write(("\n    " if i == 0 else ",\n    ") + row)
        out.write("\n  ]\n}\n")
        return EXIT_OK
    print(f"epoch {epoch}  seed {seed.hex()}  table {genesis.table_for(epoch).digest().hex()[:16]}...")
    print(f"{'slot':>10}  {'leader':<20} backups (rank 1, 2, ...)")
    for s in slots:
        ranking = schedule.ranking(s)
        print(f"{s:>10}  {ranking[0]:<20} {', '.join(ranking[1:])}")
    return EXIT_OK
