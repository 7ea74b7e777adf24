"""seqvrf election: verifiable stake-weighted leader rotation with ranked failover.

From a stake table and an epoch seed every node and auditor computes the same leader
and ranked backups for every slot (:class:`Schedule`), proves and checks leadership
claims (:func:`make_claim`, :func:`verify_claim`), and chains epoch seeds through the
VRF outputs of produced blocks (:func:`next_seed`).  Exact integer arithmetic only;
the byte-level specification is docs/spec.md.

>>> from election import ElectionConfig, Schedule, make_claim, verify_claim, next_seed
>>> from election.dev.keys import dev_table
>>> table, keys = dev_table([10, 20, 30, 40])          # development keys only
>>> config = ElectionConfig(b"my-rollup", epoch_length=100, backups=2)
>>> schedule = Schedule(config, table, epoch=0, seed=bytes(32))
>>> leader = schedule.leader(7)
>>> len(schedule.ranking(7))                            # the leader, then 2 ranked backups
3
>>> claim = make_claim(schedule, keys[leader].vrf_secret, leader, 7)
>>> beta = verify_claim(claim, schedule)                # raises InvalidClaim if not rightful
>>> len(next_seed(config, 0, bytes(32), [(7, beta)]))   # the seed of epoch 1
32
"""

from __future__ import annotations

# Grouped by component in __all__ below; imports sorted.
from .chain.audit import AuditReport, EpochSummary, InvalidBlock, ValidatorSummary, audit
from .chain.formats import (
    GenesisFile,
    HistoryRecord,
    HistoryWriter,
    MalformedGenesis,
    MalformedHistory,
    MalformedLine,
    read_history,
)
from .node.failover import (
    Abandon,
    Alert,
    BadVoteSignature,
    BlockSeen,
    BroadcastVote,
    DuplicateVote,
    FailoverController,
    Heartbeat,
    Produce,
    UnknownVoter,
    VotePool,
    VoteReceived,
    VoteRejected,
    WrongVoteContext,
)
from .node.health import BlockIntervalMonitor, PhiAccrualDetector
from .rules.claims import (
    LeaderClaim,
    check_claim_output,
    check_claim_static,
    make_claim,
    verify_claim,
    verify_claims,
)
from .rules.config import ElectionConfig
from .rules.errors import (
    ElectionError,
    InvalidCertificate,
    InvalidClaim,
    InvalidConfig,
    InvalidSlot,
    InvalidStakeTable,
    InvalidVote,
    MalformedData,
)
from .rules.hashstream import HashStream
from .rules.modes import EpochRules, RankedSchedule, SecretEpoch, make_rules, make_schedule
from .rules.schedule import Schedule
from .rules.secret import RaceEntry, RaceScore, better_claim, compare_scores, is_eligible, race_ranking, score
from .rules.seeds import SeedAccumulator, next_seed, slot_input
from .rules.stake import StakeTable, Validator
from .rules.votes import TimeoutCertificate, TimeoutVote, is_quorum
from .rules.windowed import WindowedSchedule, WindowNotRevealed, WindowSeedAccumulator, window_seed, window_source

__all__ = [
    # -- core (issue 3) --
    "ElectionError",
    "MalformedData",
    "InvalidStakeTable",
    "InvalidConfig",
    "InvalidSlot",
    "InvalidVote",
    "InvalidCertificate",
    "InvalidClaim",
    "Validator",
    "StakeTable",
    "ElectionConfig",
    "HashStream",
    "Schedule",
    "slot_input",
    "next_seed",
    "SeedAccumulator",
    "TimeoutVote",
    "TimeoutCertificate",
    "is_quorum",
    "LeaderClaim",
    "make_claim",
    "verify_claim",
    "check_claim_static",
    "verify_claims",
    # -- election modes (windowed rotation, secret race) --
    "make_schedule",
    "make_rules",
    "EpochRules",
    "SecretEpoch",
    "check_claim_output",
    "RankedSchedule",
    "WindowedSchedule",
    "WindowNotRevealed",
    "WindowSeedAccumulator",
    "window_seed",
    "window_source",
    "RaceScore",
    "RaceEntry",
    "score",
    "compare_scores",
    "is_eligible",
    "better_claim",
    "race_ranking",
    # -- audit (issue 5) --
    "audit",
    "AuditReport",
    "InvalidBlock",
    "EpochSummary",
    "ValidatorSummary",
    "GenesisFile",
    "HistoryRecord",
    "HistoryWriter",
    "read_history",
    "MalformedGenesis",
    "MalformedLine",
    "MalformedHistory",
    # -- failover (issue 4) --
    "PhiAccrualDetector",
    "BlockIntervalMonitor",
    "FailoverController",
    "VotePool",
    "Heartbeat",
    "BlockSeen",
    "VoteReceived",
    "BroadcastVote",
    "Produce",
    "Abandon",
    "Alert",
    "VoteRejected",
    "UnknownVoter",
    "WrongVoteContext",
    "BadVoteSignature",
    "DuplicateVote",
]
