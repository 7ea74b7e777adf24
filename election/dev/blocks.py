"""Development blocks: a valid :class:`~election.rules.blocks.SignedBlock` for any slot
and rank of a schedule, signed with development keys (tests, fuzz corpora, examples)."""

from __future__ import annotations

import hashlib

from ..rules.blocks import SignedBlock
from ..rules.claims import make_claim
from ..rules.headers import GENESIS_PARENT, make_header
from ..rules.schedule import Schedule
from ..rules.votes import TimeoutCertificate, TimeoutVote, is_quorum
from .keys import DevValidator

__all__ = ["dev_block"]


def dev_block(schedule: Schedule, secrets: dict[str, DevValidator], slot: int, rank: int = 0,
              parent: bytes = GENESIS_PARENT, salt: bytes = b"") -> SignedBlock:
    """The block of ``slot`` at ``rank`` by the validator the schedule ranks there, with a
    certificate of version-2 votes (bound to the schedule's seed) for ``rank > 0``.

    Args:
        schedule: the slot's epoch schedule.
        secrets: the development validators by id.
        slot: the slot.
        rank: the rank.
        parent: the parent hash in the header (and the votes).
        salt: changes the payload digest (a different block by the same producer).
    """
    table = schedule.table
    vid = schedule.at_rank(slot, rank)
    cert = None
    if rank:
        below = set(schedule.ranking(slot)[:rank])
        voters = [v for v in table.ids if v not in below]
        if not is_quorum(sum(table[v].stake for v in voters), table.total_stake):
            voters = list(table.ids)
        cert = TimeoutCertificate(
            TimeoutVote.sign(schedule.config, table, schedule.epoch, slot, rank, v, secrets[v].vote_seed,
                             parent_hash=parent, seed=schedule.seed)
            for v in voters)
    claim = make_claim(schedule, secrets[vid].vrf_secret, vid, slot, rank, cert)
    payload = hashlib.sha256(b"seqvrf/dev/payload" + salt + slot.to_bytes(8, "big")).digest()
    return SignedBlock(claim, make_header(claim, parent, payload, secrets[vid].vote_seed))
