"""Exception hierarchy of the ``election`` package.

Every error raised on purpose by ``election`` derives from :class:`ElectionError`.
Errors about bad input values are also :class:`ValueError`, so generic callers can
catch them the usual way.  Messages say what was expected and what came.
"""

from __future__ import annotations

__all__ = [
    "ElectionError",
    "MalformedData",
    "InvalidStakeTable",
    "InvalidConfig",
    "InvalidSlot",
    "InvalidVote",
    "InvalidCertificate",
    "InvalidClaim",
]


class ElectionError(Exception):
    """Root of every error raised by the ``election`` package."""


class MalformedData(ElectionError, ValueError):
    """Bytes or JSON that do not parse as the canonical encoding they claim to be.

    Raised for truncated or trailing bytes, wrong lengths, wrong JSON types, unknown
    or missing JSON keys, non-canonical orderings and similar encoding faults.
    """


class InvalidStakeTable(ElectionError, ValueError):
    """A validator or stake table violates a rule (bad key, duplicate id, bad stake...)."""


class InvalidConfig(ElectionError, ValueError):
    """An :class:`~election.rules.config.ElectionConfig` field is out of range or of the wrong type."""


class InvalidSlot(ElectionError, ValueError):
    """A slot or epoch number is out of range for the operation (e.g. not in the epoch)."""


class InvalidVote(ElectionError, ValueError):
    """A timeout vote is malformed, unsigned by its voter, or does not bind the right context.

    Attributes:
        code: a stable name of the broken rule (``seed_mismatch``: the vote binds another
            epoch seed than the checker's; ``unbound_vote``: a version-1 vote, which binds no
            seed, where version 2 is required; ``invalid_vote`` otherwise).
    """

    def __init__(self, message: str, code: str = "invalid_vote") -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (str(self), self.code))


class InvalidCertificate(ElectionError, ValueError):
    """A timeout certificate is inconsistent, under quorum, or carries an invalid vote.

    Attributes:
        code: a stable name of the broken rule (``seed_mismatch``, ``unbound_vote`` as for
            :class:`InvalidVote`; ``duplicate_voter``; ``no_quorum``; ``invalid_certificate``
            otherwise).
    """

    def __init__(self, message: str, code: str = "invalid_certificate") -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (str(self), self.code))


class InvalidClaim(ElectionError, ValueError):
    """A leadership claim is not rightful; the message says which rule it broke.

    Attributes:
        code: a stable, machine-readable name of the broken rule (``wrong_chain``,
            ``wrong_epoch``, ``wrong_slot``, ``wrong_rank``, ``wrong_leader``,
            ``stray_certificate``, ``missing_certificate``, ``certificate_mismatch``,
            ``invalid_certificate``, ``invalid_proof``; ``invalid_claim`` otherwise).
            Reports key on it; the message is for people and may change.
    """

    def __init__(self, message: str, code: str = "invalid_claim") -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (str(self), self.code))
