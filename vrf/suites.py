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

    @property
    def rfc_name(self) -> str:
        """The suite's name as RFC 9381 spells it."""
        if self in P256_SUITES:
            return "ECVRF-P256-SHA256-" + self.name.rsplit("_", 1)[1]
        return "ECVRF-EDWARDS25519-SHA512-" + self.name.rsplit("_", 1)[1]


DEFAULT_SUITE = Suite.EDWARDS25519_SHA512_TAI

P256_SUITES = frozenset({Suite.P256_SHA256_TAI, Suite.P256_SHA256_SSWU})
"""The suites over NIST P-256 with SHA-256 (RFC 9381 section 5.5)."""

DEFAULT_P256_SUITE = Suite.P256_SHA256_TAI
