"""A network partition under the inactivity rule: what each side's chain becomes.

A slot-level model with the library's real rules, proofs and signatures, not a timed
network: from ``split_slot`` on, the validators are split into sides that never hear from
each other.  Each side builds its own canonical chain, slot by slot:

* before the split every validator is live and the primary fills its slot;
* after it, a slot is filled by the lowest rank held by a member of the side, at rank 0
  directly, at rank ``r > 0`` only with a timeout certificate signed by the side's members
  not ranked below ``r`` that holds more than two thirds of the epoch's (effective) stake;
* each side chains its own seeds from the blocks it has and, with the rule on, computes
  its own effective tables from its own outcomes (:class:`~election.rules.inactivity.InactivityState`).

Each side's history is a version-2 history (signed headers, seed-bound votes) that
:func:`election.audit` checks like any other.  The model shows the safety cost of the
rule (docs/spec.md section 19.5): with it, two sides that each hold at most two thirds of
the stake both recover, under different effective tables, into two chains the audit
accepts, with certified takeovers of the same slots and no conflicting signature anywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import vrf

from ..chain.formats import GenesisFile, HistoryRecord
from ..dev.keys import DevValidator
from ..rules.claims import make_claim
from ..rules.headers import GENESIS_PARENT, make_header
from ..rules.inactivity import InactivityState, epoch_outcomes
from ..rules.schedule import Schedule
from ..rules.seeds import SeedAccumulator
from ..rules.stake import StakeTable
from ..rules.votes import TimeoutCertificate, TimeoutVote, is_quorum

__all__ = ["SideChain", "side_chain"]


@dataclass
class SideChain:
    """One side's view of the chain after a partition.

    Attributes:
        members: the validators on this side.
        records: its canonical blocks as version-2 history records, in slot order.
        filled: filled slots per epoch.
        tables: the digest of the stake table each epoch used (effective with the rule on).
        reduced: the reduced validators of each epoch that has some.
    """

    members: frozenset[str]
    records: list[HistoryRecord] = field(default_factory=list)
    filled: list[int] = field(default_factory=list)
    tables: list[bytes] = field(default_factory=list)
    reduced: dict[int, list[str]] = field(default_factory=dict)

    def certified_slots(self) -> set[int]:
        """Slots this side filled with a takeover (a certificate of its own members)."""
        return {r.claim.slot for r in self.records if r.claim.rank > 0}


def _certificate(sched: Schedule, secrets: Mapping[str, DevValidator], voters: list[str], slot: int, rank: int,
                 parent: bytes) -> TimeoutCertificate:
    return TimeoutCertificate(
        TimeoutVote.sign(sched.config, sched.table, sched.epoch, slot, rank, v, secrets[v].vote_seed, parent,
                         seed=sched.seed)
        for v in voters)


def side_chain(genesis: GenesisFile, secrets: Mapping[str, DevValidator], side: Collection[str], split_slot: int,
               last_slot: int, l1_finalized: Mapping[int, int] | None = None) -> SideChain:
    """Build one side's canonical chain from the genesis start to ``last_slot``.

    Args:
        genesis: the chain's genesis (one table; the inactivity rule on or off in its config).
        secrets: the dev validators with their secrets, by id.
        side: the ids on this side after the split.
        split_slot: the first slot of the partition (every validator is live before it).
        last_slot: the last slot built.
        l1_finalized: with ``inactivity_finality = "l1"``, the external finality signal
            this side sees for each epoch (as :func:`election.audit` takes it).

    Returns:
        The side's :class:`SideChain`.
    """
    config = genesis.config
    members = frozenset(side)
    out = SideChain(members)
    state = InactivityState(config, genesis.table_for, genesis.start_epoch) if config.inactivity else None
    finality = l1_finalized or {}
    epoch = genesis.start_epoch
    seed = genesis.initial_seed
    parent = GENESIS_PARENT
    everyone = frozenset(genesis.table_for(epoch).ids)
    while config.first_slot(epoch) <= last_slot:
        table: StakeTable = genesis.table_for(epoch) if state is None else state.table(epoch)
        sched = Schedule(config, table, epoch, seed)
        acc = SeedAccumulator(config, epoch, seed)
        blocks: list[tuple[int, str]] = []
        for slot in sched.slots:
            if slot > last_slot:
                break
            live = everyone if slot < split_slot else members
            ranking = sched.ranking(slot)
            rank = next((r for r, v in enumerate(ranking) if v in live), None)
            if rank is None:
                continue
            cert = None
            if rank > 0:
                voters = [v for v in table.ids if v in live and v not in ranking[:rank]]
                if not is_quorum(sum(table[v].stake for v in voters), table.total_stake):
                    continue  # no certificate can form: the slot stays empty
                cert = _certificate(sched, secrets, voters, slot, rank, parent)
            vid = ranking[rank]
            claim = make_claim(sched, secrets[vid].vrf_secret, vid, slot, rank, cert)
            acc.add(slot, vrf.proof_to_hash(claim.proof, config.suite))
            payload = hashlib.sha256(b"seqvrf/partition/payload" + slot.to_bytes(8, "big")).digest()
            header = make_header(claim, parent, payload, secrets[vid].vote_seed)
            out.records.append(HistoryRecord.signed(claim, header))
            parent = header.block_hash()
            blocks.append((rank, vid))
        out.filled.append(len(blocks))
        out.tables.append(table.digest())
        if state is not None:
            cut = state.reduced(epoch)
            if cut:
                out.reduced[epoch] = sorted(cut, key=lambda s: s.encode("utf-8"))
            if config.first_slot(epoch) + config.epoch_length - 1 <= last_slot:
                state.record(epoch, epoch_outcomes(sched.counts(), blocks), finality.get(epoch + 2))
            else:
                break
        seed = acc.finish()
        epoch += 1
    return out
