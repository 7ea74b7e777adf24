"""The audit and the chain view are one set of rules: fed the same blocks, they agree block
by block.

The audit streams a file in batches (signatures and VRF proofs deferred and verified
together); the chain view checks one block at a time as a node receives it.  Both go
through the same ledger (seeds, tables, window reveals), the same block rules and the
same fork choice.  Here a simulated chain in each mode has some of its blocks replaced
by broken ones (a wrong leader, a proof of another input, a header signed by someone
else, a takeover without a certificate, and in secret mode a claim that is not
eligible), and each block's verdict from the audit is compared with the view's
:meth:`~election.chain.view.ChainView.add` result, in slot order, with the seeds and the
windows fixed as a file reader fixes them.  Broken blocks before a seed cutoff change the
next seed for both, so every later verdict depends on agreeing there as well.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import pytest

import vrf
from election import audit
from election.chain.formats import HistoryRecord
from election.chain.view import ChainView, view_from_blocks
from election.dev.keys import DevValidator, dev_table
from election.rules.blocks import SignedBlock
from election.rules.claims import LeaderClaim
from election.rules.headers import make_header
from election.rules.modes import SecretEpoch
from election.rules.windowed import WindowedSchedule
from election.sim import SimParams, SimRun, parse_faults, simulate

PARAMS = {"validators": 6, "epochs": 3, "epoch_length": 20, "stake": "equal"}


@cache
def _run(mode: str) -> SimRun:
    extra: dict[str, object] = {"window": 5} if mode == "windowed" else {"proposers": 3} if mode == "secret" else {}
    return simulate(SimParams(mode=mode, faults=parse_faults("crash:rate=0.2"), **PARAMS, **extra))  # type: ignore[arg-type]


def _secrets(run: SimRun) -> dict[str, DevValidator]:
    # The simulator's development keys: dev_table over its stakes and its seed's label.
    table, secrets = dev_table(list(run.table.stakes), f"seqvrf-sim/{run.params.seed}".encode())
    assert table.digest() == run.table.digest()
    return secrets


def _resign(block: SignedBlock, claim: LeaderClaim, signer: DevValidator) -> SignedBlock:
    assert block.header is not None
    h = block.header.header
    return SignedBlock(claim, make_header(claim, h.parent_hash, h.payload_digest, signer.vote_seed))


def _break(run: SimRun, block: SignedBlock, how: str, secrets: dict[str, DevValidator],
           rules: object) -> SignedBlock:
    claim = block.claim
    others = [v for v in run.table.ids if v != claim.validator_id]
    if how == "wrong_leader":  # another validator's own valid proof and header
        vid = others[claim.slot % len(others)]
        proof = secrets[vid].vrf_secret.prove(rules.slot_input(claim.slot), run.config.suite)  # type: ignore[attr-defined]
        return _resign(block, dataclasses.replace(claim, validator_id=vid, proof=proof), secrets[vid])
    if how == "other_input":  # the producer's proof of another slot's input
        sk = secrets[claim.validator_id].vrf_secret
        proof = sk.prove(rules.slot_input(claim.slot + 1), run.config.suite)  # type: ignore[attr-defined]
        return _resign(block, dataclasses.replace(claim, proof=proof), secrets[claim.validator_id])
    if how == "foreign_signature":  # the header signed by another validator's vote key
        return _resign(block, claim, secrets[others[0]])
    if how == "no_certificate":  # a rank above 0 without its certificate
        assert claim.rank > 0
        return _resign(block, dataclasses.replace(claim, certificate=None), secrets[claim.validator_id])
    raise AssertionError(how)


def _not_eligible(run: SimRun, rules: SecretEpoch, slot: int, secrets: dict[str, DevValidator],
                  block: SignedBlock) -> SignedBlock | None:
    """Secret mode: the block re-made by a validator that is not eligible in ``slot``."""
    for vid in run.table.ids:
        proof = secrets[vid].vrf_secret.prove(rules.slot_input(slot), run.config.suite)
        beta = vrf.proof_to_hash(proof, run.config.suite)
        if not rules.eligible(rules.entry(vid, beta)):
            claim = dataclasses.replace(block.claim, validator_id=vid, proof=proof)
            return _resign(block, claim, secrets[vid])
    return None


def _view_verdicts(run: SimRun, blocks: list[SignedBlock]) -> dict[int, str | None]:
    """Each block's verdict from a ChainView fed in slot order; seeds fixed once the reader
    is past the cutoff, windows once it is past their source window."""
    config = run.config
    view = ChainView(run.genesis, depth=1 << 40, max_pending=0)
    out: dict[int, str | None] = {}
    epoch = 0
    for b in blocks:
        while b.slot >= config.first_slot(epoch) + config.cutoff:
            view.fix_seed(epoch)
            epoch += 1
        rules = view.rules(b.claim.epoch)
        if isinstance(rules, WindowedSchedule):
            view.fix_window(rules.epoch, rules.window_of(b.slot))
        result = view.add(b)
        assert result.status in ("canonical", "rejected"), result
        out[b.slot] = result.reason
    return out


def _sim_rules(run: SimRun) -> ChainView:
    """A view of the simulated chain as it was (every window revealed): its rules give each
    slot's input and ranking."""
    return view_from_blocks(run.genesis, [SignedBlock(p.claim, p.header) for p in run.canonical.values()])


def _audit_verdicts(run: SimRun, blocks: list[SignedBlock]) -> dict[int, str | None]:
    report = audit(run.genesis, [HistoryRecord.signed(b.claim, b.header) for b in blocks])  # type: ignore[arg-type]
    assert len(report.invalid_blocks) == report.invalid  # every verdict is listed
    out: dict[int, str | None] = {b.slot: None for b in blocks}
    for inv in report.invalid_blocks:
        out[inv.slot] = inv.code
    return out


def _no_cascade(run: SimRun, slot: int) -> bool:
    """Whether a broken block at ``slot`` leaves every later seed and window seed alone:
    past its epoch's cutoff (rotation, secret), or (windowed, where every window feeds the
    one two windows on) in the last two windows of the run."""
    config = run.config
    if config.mode == "windowed":
        assert config.window is not None
        return slot >= run.params.epochs * run.params.epoch_length - 2 * config.window
    return slot % config.epoch_length >= config.cutoff


@pytest.mark.parametrize("mode", ["rotation", "windowed", "secret"])
def test_audit_and_chain_view_agree_block_by_block(mode: str) -> None:
    run = _run(mode)
    secrets = _secrets(run)
    sim_view = _sim_rules(run)
    blocks = [SignedBlock(p.claim, p.header) for _, p in sorted(run.canonical.items())]
    # (in secret mode another validator may be a rightful proposer too: its not_eligible case instead)
    ways = ["other_input", "foreign_signature"] + ([] if mode == "secret" else ["wrong_leader"])
    broken: dict[int, str] = {}
    k = 0
    for i, b in enumerate(blocks):
        if not _no_cascade(run, b.slot) or i % 2:
            continue
        rules = sim_view.rules(b.claim.epoch)
        k += 1
        if mode == "secret" and k % 4 == 0:
            assert isinstance(rules, SecretEpoch)
            nb = _not_eligible(run, rules, b.slot, secrets, b)
            if nb is not None:
                blocks[i], broken[b.slot] = nb, "not_eligible"
                continue
        how = "no_certificate" if b.rank > 0 else ways[k % len(ways)]
        blocks[i], broken[b.slot] = _break(run, b, how, secrets, rules), how
    assert len(broken) >= 5

    by_audit = _audit_verdicts(run, blocks)
    assert _view_verdicts(run, blocks) == by_audit
    for slot, how in broken.items():  # each broken block is refused
        assert by_audit[slot] is not None, (slot, how)
    assert sum(c is None for c in by_audit.values()) == len(blocks) - len(broken)  # and only those
    codes = {c for c in by_audit.values() if c}
    assert "header_signature" in codes and "invalid_proof" in codes
    assert ("not_eligible" if mode == "secret" else "wrong_leader") in codes


@pytest.mark.parametrize("mode", ["rotation", "windowed", "secret"])
def test_audit_and_chain_view_agree_on_the_seeds_after_a_broken_seed_input(mode: str) -> None:
    """A broken block early in epoch 0 (a seed input in every mode) changes the seeds that
    follow: the audit and the view must derive the same ones, which shows in identical
    verdicts for every later block (most of them now wrong under the changed seeds)."""
    run = _run(mode)
    secrets = _secrets(run)
    sim_view = _sim_rules(run)
    blocks = [SignedBlock(p.claim, p.header) for _, p in sorted(run.canonical.items())]
    first = blocks[1]
    blocks[1] = _break(run, first, "other_input", secrets, sim_view.rules(first.claim.epoch))
    by_audit = _audit_verdicts(run, blocks)
    assert _view_verdicts(run, blocks) == by_audit
    assert by_audit[first.slot] == "invalid_proof"
    later = [c for s, c in by_audit.items() if s >= run.params.epoch_length]
    assert any(c is not None for c in later)  # the cascade happened
