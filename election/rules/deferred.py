"""Signature checks a rule leaves for later, in the rule's order.

A block's static rules (header, claim, certificate) check structure first and one
Ed25519 signature at a time.  A bulk verifier (the audit's) wants the signatures alone,
many blocks at once, off the thread that parses.  :class:`Deferred` keeps what that
needs without changing which rule a block breaks first:

* ``items``: the ``(public key, message, signature)`` triples the rules would have
  verified, in the order they would have verified them, each with the error that its
  failure raises;
* ``error``: the first structural rule broken *after* those signatures (for example a
  vote with an unknown voter after three well-signed ones, or a certificate under
  quorum), or None.

:meth:`Deferred.resolve` turns the verdicts of the triples into the error the
one-at-a-time rules raise: the first failed signature's error, else ``error``.  A rule
broken before any signature is raised at once by the collecting function, as before.
:meth:`Deferred.check_now` verifies in the caller's thread, so the one-at-a-time
functions (``TimeoutCertificate.verify``, ``check_claim_static``...) are the collecting
ones plus this call: one implementation of each rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import vrf

from .errors import ElectionError

__all__ = ["Deferred", "SignatureItem", "verify_signature"]

SignatureItem = tuple[bytes, bytes, bytes]
"""``(Ed25519 public key (32 bytes), message, signature (64 bytes))``."""

ErrorFactory = Callable[[], ElectionError]
Wrap = Callable[[ElectionError], ElectionError]


def verify_signature(item: SignatureItem) -> bool:
    """One Ed25519 check under the election's single acceptance rule: ZIP-215, cofactored
    (:func:`vrf.ed25519_verify`; docs/spec.md section 8), the rule batches use too.

    Args:
        item: ``(public key, message, signature)``.

    Returns:
        True when the signature verifies.
    """
    pk, msg, sig = item
    return vrf.ed25519_verify(pk, msg, sig)


class Deferred:
    """Pending signature checks of one object's rules, in rule order (module docstring)."""

    __slots__ = ("items", "_fails", "_wraps", "error")

    def __init__(self) -> None:
        self.items: list[SignatureItem] = []
        self._fails: list[ErrorFactory] = []
        # (first item, end, wrap): the items' errors pass through wrap, inner wraps first.
        self._wraps: list[tuple[int, int, Wrap]] = []
        self.error: ElectionError | None = None

    def add(self, item: SignatureItem, fail: ErrorFactory) -> None:
        """Append a signature check; ``fail()`` builds the error when it does not verify."""
        self.items.append(item)
        self._fails.append(fail)

    def wrap_items(self, wrap: Wrap) -> None:
        """Pass the errors of the items added so far through ``wrap`` (how the enclosing
        rule reports them), after any wrap already given."""
        self._wraps.append((0, len(self.items), wrap))

    def extend(self, other: Deferred, wrap: Wrap | None = None) -> None:
        """Append ``other``'s checks and take its structural error, each error passed
        through ``wrap`` if given (how the enclosing rule reports an inner rule's error)."""
        at = len(self.items)
        self.items += other.items
        self._fails += other._fails
        self._wraps += [(a + at, b + at, w) for a, b, w in other._wraps]
        if wrap is not None:
            self._wraps.append((at, len(self.items), wrap))
        if other.error is not None:
            self.error = other.error if wrap is None else wrap(other.error)

    def _failure(self, index: int) -> ElectionError:
        err = self._fails[index]()
        for a, b, wrap in self._wraps:
            if a <= index < b:
                err = wrap(err)
        return err

    def resolve(self, ok: Sequence[bool]) -> ElectionError | None:
        """The error the one-at-a-time rules raise, given each item's verdict.

        Args:
            ok: one verdict per item, in order.

        Returns:
            The first failed item's error, else :attr:`error` (None: every rule holds).

        Raises:
            ValueError: ``ok`` has not one verdict per item.
        """
        if len(ok) != len(self.items):
            raise ValueError(f"expected {len(self.items)} verdicts, got {len(ok)}")
        if all(ok):  # the usual case, decided in C
            return self.error
        for index, good in enumerate(ok):
            if not good:
                return self._failure(index)
        return self.error

    def settle(self) -> None:
        """Raise :attr:`error` at once when no signature precedes it."""
        if not self.items and self.error is not None:
            raise self.error

    def check_now(self) -> None:
        """Verify the items in order in this thread and raise as the rules do.

        Raises:
            ElectionError: the first failed signature's error, else :attr:`error`.
        """
        for index, item in enumerate(self.items):
            if not verify_signature(item):
                raise self._failure(index)
        if self.error is not None:
            raise self.error
