"""seqvrf election: verifiable stake-weighted leader rotation with ranked failover.

From a stake table and an epoch seed every node and auditor computes the same leader
and ranked backups for every slot (:class:`Schedule`), proves and checks leadership
claims (:func:`make_claim`, :func:`verify_claim`), and chains epoch seeds through the
VRF outputs of produced blocks (:func:`next_seed`).  Exact integer arithmetic only;
the byte-level specification is docs/spec.md.
"""

from __future__ import annotations

# -- core (issue 3) ------------------------------------------------------------------
from .claims import LeaderClaim, check_claim_static, make_claim, verify_claim, verify_claims
from .config import ElectionConfig
from .errors import (
    ElectionError,
    InvalidCertificate,
    InvalidClaim,
    InvalidConfig,
    InvalidSlot,
    InvalidStakeTable,
    InvalidVote,
    MalformedData,
)
from .hashstream import HashStream
from .schedule import Schedule
from .seeds import SeedAccumulator, next_seed, slot_input
from .stake import StakeTable, Validator
from .votes import TimeoutCertificate, TimeoutVote, is_quorum

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
]
