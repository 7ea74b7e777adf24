"""Deterministic key material for tests, vectors, simulations and benchmarks.

NOT for production keys: everything here derives from a public seed.  Validator
``i`` of a development table gets::

    vrf seed  = SHA-512(tag("seqvrf/dev/vrf-key")  || lp8(seed) || u32(i))[:32]
    vote seed = SHA-512(tag("seqvrf/dev/vote-key") || lp8(seed) || u32(i))[:32]

and the id ``f"{prefix}{i:04d}"``.  The VRF public key equals the Ed25519 public key
of the same seed (RFC 8032 expansion), which PyNaCl computes quickly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from nacl.signing import SigningKey

import vrf

from ..rules._codec import lp8, tag, u32
from ..rules.stake import StakeTable, Validator

__all__ = ["DevValidator", "dev_validators", "dev_table"]


@dataclass(frozen=True)
class DevValidator:
    """A development validator with its secrets.

    Attributes:
        validator: the public :class:`~election.rules.stake.Validator` record.
        vrf_seed: its 32-byte VRF secret seed.
        vote_seed: its 32-byte Ed25519 vote key seed.
    """

    validator: Validator
    vrf_seed: bytes
    vote_seed: bytes

    @property
    def id(self) -> str:
        """The validator's id."""
        return self.validator.id

    @property
    def vrf_secret(self) -> vrf.SecretKey:
        """The VRF secret key (built on each access)."""
        return vrf.SecretKey(self.vrf_seed)


def _ed25519_public(seed: bytes) -> bytes:
    return bytes(SigningKey(seed).verify_key)


def dev_validators(stakes: Sequence[int], seed: bytes = b"", prefix: str = "v") -> list[DevValidator]:
    """Deterministic validators with the given stakes.

    Args:
        stakes: one positive stake per validator.
        seed: at most 255 bytes selecting the key material.
        prefix: id prefix; ids are ``f"{prefix}{i:04d}"``.

    Returns:
        The validators with their secrets, in index order.

    Raises:
        InvalidStakeTable: a stake or id is invalid.
    """
    out = []
    vrf_tag = tag("seqvrf/dev/vrf-key")
    vote_tag = tag("seqvrf/dev/vote-key")
    for i, stake in enumerate(stakes):
        vrf_seed = hashlib.sha512(vrf_tag + lp8(seed) + u32(i)).digest()[:32]
        vote_seed = hashlib.sha512(vote_tag + lp8(seed) + u32(i)).digest()[:32]
        v = Validator(f"{prefix}{i:04d}", _ed25519_public(vrf_seed), _ed25519_public(vote_seed), stake)
        out.append(DevValidator(v, vrf_seed, vote_seed))
    return out


def dev_table(
    stakes: Sequence[int], seed: bytes = b"", prefix: str = "v"
) -> tuple[StakeTable, dict[str, DevValidator]]:
    """A development stake table and its validators' secrets by id.

    Args:
        stakes: one positive stake per validator.
        seed: at most 255 bytes selecting the key material.
        prefix: id prefix.

    Returns:
        ``(table, secrets_by_id)``.

    Raises:
        InvalidStakeTable: a stake or id is invalid.
    """
    devs = dev_validators(stakes, seed, prefix)
    return StakeTable(d.validator for d in devs), {d.id: d for d in devs}
