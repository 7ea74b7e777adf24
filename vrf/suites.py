"""The RFC 9381 cipher suites this package implements."""

from __future__ import annotations

import enum


class Suite(enum.IntEnum):
    """An ECVRF cipher suite, valued by its RFC 9381 ``suite_string`` byte.

    The P-256 suites (0x01, 0x02) are reserved for later; they are not members yet.
    """

    EDWARDS25519_SHA512_TAI = 0x03
    EDWARDS25519_SHA512_ELL2 = 0x04

    @property
    def rfc_name(self) -> str:
        """The suite's name as RFC 9381 spells it."""
        return "ECVRF-EDWARDS25519-SHA512-" + self.name.rsplit("_", 1)[1]


DEFAULT_SUITE = Suite.EDWARDS25519_SHA512_TAI
