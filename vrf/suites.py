"""The RFC 9381 cipher suites this package implements."""

from __future__ import annotations

import enum


class Suite(enum.IntEnum):
    """An ECVRF cipher suite, valued by its RFC 9381 ``suite_string`` byte.

    The edwards25519 suites take ``vrf.SecretKey`` / ``vrf.PublicKey``; the P-256 suites
    take ``vrf.P256SecretKey`` / ``vrf.P256PublicKey``.
    """

    EDWARDS25519_SHA512_TAI = 0x03
    EDWARDS25519_SHA512_ELL2 = 0x04
    P256_SHA256_TAI = 0x01
    P256_SHA256_SSWU = 0x02
    # draft-irtf-cfrg-vrf-03 (Algorand's and IOHK/Cardano's libsodium forks).  Values are
    # 0x100 | the draft's suite_string octet: above 0xff, they can never equal an RFC 9381
    # suite_string byte (this enum's RFC members are valued by that byte).
    DRAFT03_EDWARDS25519_SHA512_TAI = 0x103
    DRAFT03_EDWARDS25519_SHA512_ELL2 = 0x104

    @property
    def rfc_name(self) -> str:
        """The suite's name as its specification spells it (RFC 9381, or draft-03 for DRAFT03_*)."""
        if self in P256_SUITES:
            return "ECVRF-P256-SHA256-" + self.name.rsplit("_", 1)[1]
        return _NAMES.get(self.value, "ECVRF-EDWARDS25519-SHA512-" + self.name.rsplit("_", 1)[1])


DEFAULT_SUITE = Suite.EDWARDS25519_SHA512_TAI


# Names of the draft-03 suites as draft-irtf-cfrg-vrf-03 section 5.5 spells them.
_NAMES = {
    0x103: "ECVRF-ED25519-SHA512-TAI (draft-03)",
    0x104: "ECVRF-ED25519-SHA512-Elligator2 (draft-03)",
}

BATCH_COMPATIBLE_SUITES = frozenset({Suite.EDWARDS25519_SHA512_ELL2})
"""Suites whose proofs may take the 128-byte batch-compatible form (Gamma || U || V || s)."""

P256_SUITES = frozenset({Suite.P256_SHA256_TAI, Suite.P256_SHA256_SSWU})
"""The suites over NIST P-256 with SHA-256 (RFC 9381 section 5.5)."""

DEFAULT_P256_SUITE = Suite.P256_SHA256_TAI
