"""The vrf exception hierarchy.

``VRFError`` is the root.  ``InvalidKey`` and ``InvalidProof`` say that the
input was well-formed enough to examine and was rejected (by the Python checks
or by the C core); ``InvalidInputType`` says the caller passed something that
is not bytes at all, so nothing was examined.
"""

from __future__ import annotations


class VRFError(Exception):
    """Root of every error raised by the vrf package."""


class InvalidKey(VRFError, ValueError):
    """A secret seed or public key has the wrong length, does not decode or is of small order."""


class InvalidProof(VRFError, ValueError):
    """A proof has the wrong length, does not decode, or does not verify."""


class InvalidInputType(VRFError, TypeError):
    """An argument is not bytes-like (or a suite is not a known Suite)."""
