"""Deterministic development chains: a genesis and a valid history, built with real
proofs, certificates and the real seed chain.

NOT for production: keys come from :mod:`election.dev.keys`.  Tests, benchmarks and
simulations use :func:`dev_history` to get histories that the audit must accept, and
then tamper with them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

import vrf

from ..chain.formats import GenesisFile, HistoryRecord
from ..rules.claims import make_claim
from ..rules.headers import GENESIS_PARENT, make_header
from ..rules.schedule import Schedule
from ..rules.seeds import SeedAccumulator
from ..rules.votes import TimeoutCertificate, TimeoutVote, is_quorum
from .keys import DevValidator

__all__ = ["dev_history", "certificate_for", "Producer"]

Producer = Callable[[int, list[str]], int | None]
"""``producer(slot, ranking) -> rank or None``: which rank fills the slot, None for a miss."""


def certificate_for(schedule: Schedule, secrets: dict[str, DevValidator], slot: int, rank: int,
                    parent_hash: bytes | None = None, bind_seed: bool = False) -> TimeoutCertificate:
    """A timeout certificate for (slot, rank).

    Signed by every validator not ranked below ``rank`` when they hold a quorum,
    otherwise by every validator.

    Args:
        schedule: the slot's epoch schedule.
        secrets: the dev validators by id.
        slot: the slot.
        rank: the rank taking over (>= 1).
        parent_hash: the parent hash the voters saw.
        bind_seed: sign version-2 votes bound to the schedule's seed.

    Returns:
        The certificate.

    Raises:
        InvalidVote: a rank or slot out of range.
    """
    below = set(schedule.ranking(slot)[:rank])
    table = schedule.table
    voters = [v.id for v in table.validators if v.id not in below]
    if not is_quorum(sum(table[v].stake for v in voters), table.total_stake):
        voters = list(table.ids)  # the missing validators vote too (e.g. after recovering)
    return TimeoutCertificate(
        TimeoutVote.sign(schedule.config, table, schedule.epoch, slot, rank, v, secrets[v].vote_seed, parent_hash,
                         seed=schedule.seed if bind_seed else None)
        for v in voters
    )


def dev_history(genesis: GenesisFile, secrets: dict[str, DevValidator], last_slot: int,
                producer: Producer | None = None, hashes: bool = True,
                signed: bool = False) -> Iterator[HistoryRecord]:
    """Produce a valid history from the genesis start slot to ``last_slot``.

    Seeds are chained exactly as the audit recomputes them.

    Args:
        genesis: the chain's genesis.
        secrets: the dev validators (with secrets) by id, covering every table.
        last_slot: the last slot to consider (inclusive).
        producer: picks the rank that fills each slot, or None to leave it empty;
            default: the primary fills every slot.
        hashes: give each block a ``block_hash`` and link ``parent_hash`` (version 1).
        signed: version 2: every block carries its producer's signed header (parent: the
            previous block's hash, :data:`~election.rules.headers.GENESIS_PARENT` first;
            payload digest derived from the slot) and certificates hold seed-bound votes.

    Yields:
        One record per produced block, in slot order (``line`` is 0).

    Raises:
        InvalidClaim: the producer picked a rank beyond the slot's depth.
        InvalidCertificate: a takeover whose certificate cannot reach quorum.
    """
    config = genesis.config
    epoch = genesis.start_epoch
    seed = genesis.initial_seed
    parent: bytes | None = None
    while config.first_slot(epoch) <= last_slot:
        sched = Schedule(config, genesis.table_for(epoch), epoch, seed)
        acc = SeedAccumulator(config, epoch, seed)
        for slot in sched.slots:
            if slot > last_slot:
                break
            ranking = sched.ranking(slot)
            rank = 0 if producer is None else producer(slot, ranking)
            if rank is None:
                continue
            vid = ranking[rank]
            if signed:
                tip = parent or GENESIS_PARENT
                cert = certificate_for(sched, secrets, slot, rank, tip, bind_seed=True) if rank else None
                claim = make_claim(sched, secrets[vid].vrf_secret, vid, slot, rank, cert)
                acc.add(slot, vrf.proof_to_hash(claim.proof, config.suite))
                payload = hashlib.sha256(b"seqvrf/dev/payload" + slot.to_bytes(8, "big")).digest()
                header = make_header(claim, tip, payload, secrets[vid].vote_seed)
                yield HistoryRecord.signed(claim, header)
                parent = header.block_hash()
                continue
            cert = certificate_for(sched, secrets, slot, rank, parent) if rank else None
            claim = make_claim(sched, secrets[vid].vrf_secret, vid, slot, rank, cert)
            acc.add(slot, vrf.proof_to_hash(claim.proof, config.suite))
            block = hashlib.sha256((parent or b"") + claim.to_bytes()).digest() if hashes else None
            yield HistoryRecord(slot, claim, block, parent if hashes else None)
            parent = block
        seed = acc.finish()
        epoch += 1
