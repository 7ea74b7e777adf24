"""Leadership claims: what a block carries to prove its producer's right to the slot.

A :class:`LeaderClaim` holds (chain id, epoch, slot, rank, validator id, VRF proof
over the slot's input, timeout certificate when rank > 0).  The VRF input never
contains block contents; signing the block itself stays the sequencer's business.
:func:`verify_claim` returns the claim's VRF output (beta) or raises
:class:`~election.rules.errors.InvalidClaim`.  :func:`check_claim_static` runs every check
except the VRF one and returns the ``(public key, alpha, proof)`` triple, so that many
claims can have their proofs verified in bulk by :func:`vrf.verify_many`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import vrf

from ._codec import JsonForm, Reader, check_hex, json_int, json_object, json_str, lp8, u8, u64
from .config import MAX_BACKUPS, MAX_CHAIN_ID_BYTES, MAX_SLOT, MODES
from .deferred import Deferred
from .errors import ElectionError, InvalidClaim, InvalidStakeTable, MalformedData
from .modes import EpochRules, SecretEpoch
from .secret import is_eligible
from .stake import check_validator_id
from .votes import TimeoutCertificate

__all__ = [
    "collect_claim_static",
    "LeaderClaim",
    "make_claim",
    "verify_claim",
    "check_claim_static",
    "verify_claims",
    "check_claim_output",
    "PROOF_BYTES",
    "CLAIM_VERSION",
    "CLAIM_VERSION_MODE",
    "MODE_BYTES",
]

PROOF_BYTES = 80
"""Length of an ECVRF-EDWARDS25519 proof."""
CLAIM_VERSION = 1
"""First byte of the binary encoding of a rotation claim (unchanged since before the modes)."""
CLAIM_VERSION_MODE = 2
"""First byte of the binary encoding of a windowed or secret claim; a mode byte follows."""
MODE_BYTES = {"windowed": 1, "secret": 2}
"""The mode byte of a version-2 claim (rotation claims are version 1 and have none)."""
_MODE_OF_BYTE = {b: m for m, b in MODE_BYTES.items()}


@dataclass(frozen=True)
class LeaderClaim(JsonForm):
    """A block producer's claim to a slot at a rank.

    The constructor checks shapes only; :func:`verify_claim` decides rightfulness.

    Args:
        chain_id: the chain (1 to 64 bytes).
        epoch: the slot's epoch.
        slot: the absolute slot number.
        rank: 0 for the primary, r >= 1 for the r-th backup (at most 255).
        validator_id: the producer's id.
        proof: the 80-byte VRF proof over the slot's input.
        certificate: the timeout certificate for (slot, rank) when rank > 0, else None.
        mode: the election mode of the chain the claim belongs to (``"rotation"``,
            ``"windowed"`` or ``"secret"``): it is encoded with the claim, so that a claim
            is never checked under another mode's rules (docs/spec.md, section 10).

    Raises:
        InvalidClaim: a field has the wrong type, length or range.
    """

    chain_id: bytes
    epoch: int
    slot: int
    rank: int
    validator_id: str
    proof: bytes
    certificate: TimeoutCertificate | None = None
    mode: str = "rotation"

    def __post_init__(self) -> None:
        if not isinstance(self.chain_id, bytes) or not 1 <= len(self.chain_id) <= MAX_CHAIN_ID_BYTES:
            raise InvalidClaim(f"chain_id: expected 1 to {MAX_CHAIN_ID_BYTES} bytes, got {self.chain_id!r}")
        for name in ("epoch", "slot"):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value <= MAX_SLOT:
                raise InvalidClaim(f"{name}: expected an int in [0, 2**64-1], got {value!r}")
        if type(self.rank) is not int or not 0 <= self.rank <= MAX_BACKUPS:
            raise InvalidClaim(f"rank: expected an int in [0, {MAX_BACKUPS}], got {self.rank!r}")
        try:
            check_validator_id(self.validator_id)
        except InvalidStakeTable as exc:
            raise InvalidClaim(str(exc)) from None
        if not isinstance(self.proof, bytes) or len(self.proof) != PROOF_BYTES:
            raise InvalidClaim(f"proof: expected {PROOF_BYTES} bytes, got {self.proof!r}")
        if self.certificate is not None and not isinstance(self.certificate, TimeoutCertificate):
            raise InvalidClaim(
                f"certificate: expected a TimeoutCertificate or None, got {type(self.certificate).__name__}"
            )
        if type(self.mode) is not str or self.mode not in MODES:
            raise InvalidClaim(f"mode: expected one of {list(MODES)}, got {self.mode!r}")

    @classmethod
    def _prechecked(cls, chain_id: bytes, epoch: int, slot: int, rank: int, validator_id: str, proof: bytes,
                    certificate: TimeoutCertificate | None, mode: str = "rotation") -> LeaderClaim:
        """A claim built without ``__post_init__``, for a caller that has made exactly its
        checks already (the history parser, on its hot path: the checks would run twice)."""
        claim = object.__new__(cls)
        # Frozen: fields go straight into the instance dict, as dataclass __init__ would put them.
        claim.__dict__.update(chain_id=chain_id, epoch=epoch, slot=slot, rank=rank, validator_id=validator_id,
                              proof=proof, certificate=certificate, mode=mode)
        return claim

    # -- binary ---------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """Canonical binary encoding: ``u8(1) || lp8(chain_id) || u64(epoch) || u64(slot)
        || u8(rank) || lp8(utf8(validator_id)) || proof (80) || u8(0)`` or ``|| u8(1) ||
        certificate`` for a rotation claim; a windowed or secret claim starts with
        ``u8(2) || u8(mode byte)`` (:data:`MODE_BYTES`) instead of ``u8(1)``."""
        version = u8(CLAIM_VERSION) if self.mode == "rotation" else u8(CLAIM_VERSION_MODE) + u8(MODE_BYTES[self.mode])
        head = (
            version
            + lp8(self.chain_id)
            + u64(self.epoch)
            + u64(self.slot)
            + u8(self.rank)
            + lp8(self.validator_id.encode("utf-8"))
            + self.proof
        )
        if self.certificate is None:
            return head + b"\x00"
        return head + b"\x01" + self.certificate.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> LeaderClaim:
        """Parse the binary encoding strictly.

        Raises:
            MalformedData: wrong version or mode byte, truncated or trailing bytes, bad
                flags, non-canonical certificate, or any field out of range.
        """
        r = Reader(data, "LeaderClaim")
        version = r.uint(1, "version")
        mode = "rotation"
        if version == CLAIM_VERSION_MODE:
            mode_byte = r.uint(1, "mode")
            if mode_byte not in _MODE_OF_BYTE:
                raise MalformedData(
                    f"LeaderClaim: expected a mode byte in {sorted(_MODE_OF_BYTE)} after version 2, got {mode_byte}"
                )
            mode = _MODE_OF_BYTE[mode_byte]
        elif version != CLAIM_VERSION:
            raise MalformedData(f"LeaderClaim: expected version {CLAIM_VERSION} or {CLAIM_VERSION_MODE}, got {version}")
        chain_id = r.lp8("chain_id")
        epoch = r.uint(8, "epoch")
        slot = r.uint(8, "slot")
        rank = r.uint(1, "rank")
        raw_id = r.lp8("validator_id")
        try:
            vid = raw_id.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedData(f"LeaderClaim: validator_id is not UTF-8: {raw_id.hex()}") from None
        proof = r.take(PROOF_BYTES, "proof")
        flag = r.uint(1, "certificate flag")
        cert: TimeoutCertificate | None = None
        try:
            if flag == 1:
                cert = TimeoutCertificate.read(r)
            elif flag != 0:
                raise MalformedData(f"LeaderClaim: certificate flag must be 0 or 1, got {flag}")
            r.finish()
            return cls(chain_id, epoch, slot, rank, vid, proof, cert, mode)
        except InvalidClaim as exc:
            raise MalformedData(f"LeaderClaim: {exc}") from None

    # -- JSON -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON form: bytes as lowercase hex, ``certificate`` null or its JSON form; a
        windowed or secret claim adds ``"mode"`` (a rotation claim has no such key, so its
        JSON is unchanged)."""
        out: dict[str, Any] = {
            "chain_id": self.chain_id.hex(),
            "epoch": self.epoch,
            "slot": self.slot,
            "rank": self.rank,
            "validator_id": self.validator_id,
            "proof": self.proof.hex(),
            "certificate": None if self.certificate is None else self.certificate.to_dict(),
        }
        if self.mode != "rotation":
            out["mode"] = self.mode
        return out

    @classmethod
    def from_dict(cls, obj: object) -> LeaderClaim:
        """Parse the JSON form strictly (exact keys, exact types; ``"mode"`` present only
        for ``"windowed"`` or ``"secret"``).

        Raises:
            MalformedData: wrong keys, JSON types or field ranges.
        """
        mode = "rotation"
        keys = _CLAIM_JSON_KEYS
        if isinstance(obj, dict) and "mode" in obj:
            mode = json_str(obj["mode"], "LeaderClaim.mode")
            if mode not in MODE_BYTES:
                raise MalformedData(
                    f"LeaderClaim.mode: expected 'windowed' or 'secret' (rotation has no key), got {mode!r}"
                )
            keys = _CLAIM_JSON_KEYS | {"mode"}
        d = json_object(obj, "LeaderClaim", keys)
        try:
            cert = None if d["certificate"] is None else TimeoutCertificate.from_dict(d["certificate"])
            return cls(
                check_hex(d["chain_id"], "LeaderClaim.chain_id"),
                json_int(d["epoch"], "LeaderClaim.epoch", 0, MAX_SLOT),
                json_int(d["slot"], "LeaderClaim.slot", 0, MAX_SLOT),
                json_int(d["rank"], "LeaderClaim.rank", 0, MAX_BACKUPS),
                json_str(d["validator_id"], "LeaderClaim.validator_id"),
                check_hex(d["proof"], "LeaderClaim.proof", PROOF_BYTES),
                cert,
                mode,
            )
        except InvalidClaim as exc:
            raise MalformedData(f"LeaderClaim: {exc}") from None


_CLAIM_JSON_KEYS = frozenset({"chain_id", "epoch", "slot", "rank", "validator_id", "proof", "certificate"})


def _where(claim: LeaderClaim) -> str:
    # Built only for an error (or a backup claim): on the hot path the text would go unused.
    return f"claim by {claim.validator_id!r} for slot {claim.slot} rank {claim.rank}"


def check_claim_static(claim: LeaderClaim, schedule: EpochRules, *,
                       require_seed: bool = False) -> tuple[vrf.PublicKey, bytes, bytes]:
    """Every check of :func:`verify_claim` except the VRF proof (and, in secret mode, the
    eligibility of its output, :func:`check_claim_output`).

    Checks, in order: chain id, mode (the claim's mode is the config's: ``wrong_mode``),
    epoch, slot in the epoch, then by mode:

    - rotation and windowed (``schedule`` a :class:`~election.rules.modes.RankedSchedule`):
      rank within the slot's ranking, validator at that rank, certificate absent for rank
      0, and for rank > 0 a certificate for this epoch, slot and rank that verifies
      against the schedule's stake table.  A certificate of version-2 votes must bind the
      schedule's seed (code ``seed_mismatch``); version-1 votes bind none and are
      accepted unless ``require_seed`` (code ``unbound_vote``).
    - secret (``schedule`` a :class:`~election.rules.modes.SecretEpoch`): rank 0
      (``wrong_rank``), no certificate (``stray_certificate``), a validator of the table
      (``wrong_leader``).

    Args:
        claim: the claim.
        schedule: the rules of the claim's epoch (:func:`~election.rules.modes.make_rules`).
        require_seed: refuse certificates of version-1 votes.

    Returns:
        ``(public_key, alpha, proof)``: the validator's parsed VRF key, the slot's VRF
        input and the claim's proof, ready for ``public_key.verify`` or
        :func:`vrf.verify_many` (with ``schedule.config.suite``).

    Raises:
        InvalidClaim: the first rule the claim breaks, in words.
        WindowNotRevealed: windowed mode, the slot's window is not revealed yet: the claim
            is not checkable yet (neither valid nor invalid); retry once it is.
    """
    triple, deferred = collect_claim_static(claim, schedule, require_seed=require_seed)
    deferred.check_now()
    return triple


def collect_claim_static(claim: LeaderClaim, schedule: EpochRules, *, require_seed: bool = False
                         ) -> tuple[tuple[vrf.PublicKey, bytes, bytes], Deferred]:
    """:func:`check_claim_static` with the certificate's vote signatures left for a bulk
    verifier (:class:`~election.rules.deferred.Deferred`).

    Returns:
        ``(public_key, alpha, proof)`` and the pending signature checks; resolved in
        order, they give exactly the error :func:`check_claim_static` raises (a bad vote:
        ``invalid_certificate``; a rule broken after good votes, e.g. under quorum, comes
        after them).

    Raises:
        InvalidClaim: a rule broken before any signature check.
    """
    if not isinstance(claim, LeaderClaim):
        raise InvalidClaim(f"expected a LeaderClaim, got {type(claim).__name__}")
    deferred = Deferred()
    config = schedule.config
    if claim.chain_id != config.chain_id:
        where = _where(claim)
        raise InvalidClaim(
            f"{where}: wrong chain: expected chain_id {config.chain_id.hex()}, got {claim.chain_id.hex()}",
            "wrong_chain",
        )
    if claim.mode != config.mode:
        where = _where(claim)
        raise InvalidClaim(f"{where}: wrong mode: the chain is {config.mode!r}, the claim {claim.mode!r}",
                           "wrong_mode")
    if claim.epoch != schedule.epoch:
        where = _where(claim)
        raise InvalidClaim(f"{where}: wrong epoch: expected {schedule.epoch}, got {claim.epoch}", "wrong_epoch")
    if not schedule.contains(claim.slot):
        where = _where(claim)
        raise InvalidClaim(
            f"{where}: wrong slot: epoch {schedule.epoch} holds slots "
            f"[{schedule.first_slot}, {schedule.first_slot + config.epoch_length}), got {claim.slot}",
            "wrong_slot",
        )
    if isinstance(schedule, SecretEpoch):
        return _check_secret_static(claim, schedule), deferred
    if claim.rank > schedule.depth:
        where = _where(claim)
        raise InvalidClaim(
            f"{where}: wrong rank: expected a rank in [0, {schedule.depth}], got {claim.rank}", "wrong_rank"
        )
    rightful = schedule.at_rank(claim.slot, claim.rank)
    if rightful != claim.validator_id:
        where = _where(claim)
        raise InvalidClaim(
            f"{where}: wrong validator: rank {claim.rank} of slot {claim.slot} belongs to {rightful!r}",
            "wrong_leader",
        )
    cert = claim.certificate
    if claim.rank == 0:
        if cert is not None:
            where = _where(claim)
            raise InvalidClaim(f"{where}: a rank-0 claim must not carry a certificate", "stray_certificate")
    else:
        where = _where(claim)
        if cert is None:
            raise InvalidClaim(
                f"{where}: missing timeout certificate (required for rank > 0)", "missing_certificate"
            )
        if (cert.epoch, cert.slot, cert.rank) != (claim.epoch, claim.slot, claim.rank):
            raise InvalidClaim(
                f"{where}: certificate is for epoch {cert.epoch} slot {cert.slot} rank {cert.rank}, "
                f"expected epoch {claim.epoch} slot {claim.slot} rank {claim.rank}",
                "certificate_mismatch",
            )
        votes = cert.collect(schedule.table, config,
                             schedule.seed if (cert.seed is not None or require_seed) else None)

        def wrap(exc: ElectionError) -> ElectionError:
            code = getattr(exc, "code", "")
            code = code if code in ("seed_mismatch", "unbound_vote") else "invalid_certificate"
            return InvalidClaim(f"{where}: invalid certificate: {exc}", code)

        deferred.extend(votes, wrap)
        deferred.settle()
    key = schedule.table[claim.validator_id].vrf_public_key
    return (key, schedule.slot_input(claim.slot), claim.proof), deferred


def _check_secret_static(claim: LeaderClaim, rules: SecretEpoch) -> tuple[vrf.PublicKey, bytes, bytes]:
    """The secret-mode rules that need no VRF output: rank 0, no certificate, a known validator."""
    if claim.rank != 0:
        raise InvalidClaim(f"{_where(claim)}: wrong rank: secret mode has rank 0 only", "wrong_rank")
    if claim.certificate is not None:
        raise InvalidClaim(f"{_where(claim)}: secret mode has no timeout certificates", "stray_certificate")
    v = rules.table.get(claim.validator_id)
    if v is None:
        raise InvalidClaim(f"{_where(claim)}: wrong validator: not in the epoch's stake table", "wrong_leader")
    return v.vrf_public_key, rules.slot_input(claim.slot), claim.proof


def check_claim_output(claim: LeaderClaim, schedule: EpochRules, beta: bytes) -> None:
    """The rule on a claim's verified VRF output: in secret mode the output must make its
    validator eligible (docs/spec.md, section 14.1); nothing in the ranked modes.

    Call it after :func:`check_claim_static` and a successful VRF verification.

    Raises:
        InvalidClaim: ``not_eligible``.
    """
    if isinstance(schedule, SecretEpoch):
        stake = schedule.table[claim.validator_id].stake
        if not is_eligible(beta, stake, schedule.table.total_stake, schedule.proposers):
            raise InvalidClaim(
                f"{_where(claim)}: not eligible: its score is not below k / total stake "
                f"(k = {schedule.proposers})",
                "not_eligible",
            )


def verify_claim(claim: LeaderClaim, schedule: EpochRules, *, require_seed: bool = False) -> bytes:
    """Check a claim is rightful and return its VRF output.

    Args:
        claim: the claim.
        schedule: the rules of the claim's epoch (a rotation or windowed schedule, or a
            :class:`~election.rules.modes.SecretEpoch`).
        require_seed: as in :func:`check_claim_static`.

    Returns:
        The 64-byte VRF output (beta) of the claim's proof.

    Raises:
        InvalidClaim: wrong chain, mode, epoch, slot, rank or validator, a missing, stray
            or invalid certificate, a VRF proof that does not verify under the
            validator's key for the slot's input, or (secret mode) an output that does not
            make the validator eligible (``not_eligible``).
        WindowNotRevealed: as :func:`check_claim_static`.
    """
    key, alpha, proof = check_claim_static(claim, schedule, require_seed=require_seed)
    try:
        beta = key.verify(alpha, proof, schedule.config.suite)
    except vrf.VRFError as exc:
        raise InvalidClaim(
            f"claim by {claim.validator_id!r} for slot {claim.slot} rank {claim.rank}: "
            f"VRF proof does not verify under the validator's key: {exc}",
            "invalid_proof",
        ) from None
    check_claim_output(claim, schedule, beta)
    return beta


def verify_claims(
    claims: Sequence[LeaderClaim], schedule: EpochRules, workers: int | None = None
) -> list[bytes | InvalidClaim]:
    """Verify many claims of one epoch, with their VRF proofs checked in bulk.

    Args:
        claims: the claims.
        schedule: the schedule of their epoch.
        workers: passed to :func:`vrf.verify_many`.

    Returns:
        For each claim, its beta, or the :class:`InvalidClaim` explaining why it fails
        (secret mode: ``not_eligible`` included).

    Raises:
        WindowNotRevealed: windowed mode, a claim's window is not revealed yet (nothing is
            verified; reveal the window or leave such claims out).
    """
    out: list[bytes | InvalidClaim] = []
    triples: list[tuple[vrf.PublicKey, bytes, bytes]] = []
    where: list[int] = []
    for i, claim in enumerate(claims):
        try:
            triples.append(check_claim_static(claim, schedule))
            where.append(i)
            out.append(b"")
        except InvalidClaim as exc:
            out.append(exc)
    betas = vrf.verify_many(triples, suite=schedule.config.suite, workers=workers)
    for i, beta in zip(where, betas, strict=True):
        if beta is None:
            c = claims[i]
            out[i] = InvalidClaim(
                f"claim by {c.validator_id!r} for slot {c.slot} rank {c.rank}: "
                "VRF proof does not verify under the validator's key"
            )
        else:
            try:
                check_claim_output(claims[i], schedule, beta)
                out[i] = beta
            except InvalidClaim as exc:
                out[i] = exc
    return out


def make_claim(
    schedule: EpochRules,
    secret_key: vrf.SecretKey,
    validator_id: str,
    slot: int,
    rank: int = 0,
    certificate: TimeoutCertificate | None = None,
) -> LeaderClaim:
    """Prove the slot's input and build a rightful claim.

    Args:
        schedule: the rules of the slot's epoch (any mode; the claim takes the config's mode).
        secret_key: the validator's VRF secret key.
        validator_id: the validator's id.
        slot: the slot.
        rank: the validator's rank for the slot (0 for the primary).
        certificate: for rank > 0, a certificate for (slot, rank).

    Returns:
        A claim that passes :func:`verify_claim`.

    Raises:
        InvalidClaim: the validator is not at this rank for this slot, the key does not
            match its VRF key, the certificate is missing or invalid, or (secret mode)
            the validator is not eligible in this slot (``not_eligible``).
        WindowNotRevealed: windowed mode, the slot's window is not revealed yet.
    """
    v = schedule.table.get(validator_id)
    if v is None:
        raise InvalidClaim(f"validator {validator_id!r} is not in the stake table")
    if secret_key.public_key != v.vrf_public_key:
        raise InvalidClaim(f"secret_key does not match the vrf_key of {validator_id!r}")
    try:
        alpha = schedule.slot_input(slot)
    except ElectionError as exc:
        raise InvalidClaim(str(exc)) from None
    # Every non-VRF rule first, on a placeholder proof, so no proof is computed in vain.
    mode = schedule.config.mode
    probe = LeaderClaim(
        schedule.config.chain_id, schedule.epoch, slot, rank, validator_id, bytes(PROOF_BYTES), certificate, mode
    )
    check_claim_static(probe, schedule)
    claim = LeaderClaim(
        schedule.config.chain_id,
        schedule.epoch,
        slot,
        rank,
        validator_id,
        secret_key.prove(alpha, schedule.config.suite),
        certificate,
        mode,
    )
    if isinstance(schedule, SecretEpoch):
        check_claim_output(claim, schedule, vrf.proof_to_hash(claim.proof, schedule.config.suite))
    return claim
