"""Hostile inputs (tests/vectors/edge_cases.json) against the C core and the reference.

The file is generated from vrf.reference by tests/vectors/gen_edge_cases.py, with a
hand-written expectation per case; its format is in tests/vectors/README.md.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

import vrf
from vrf import _lowlevel as ll
from vrf import reference as R
from vrf._native import ffi, lib

VECTORS = Path(__file__).resolve().parent / "vectors"
DATA = json.loads((VECTORS / "edge_cases.json").read_text())
CASES = DATA["cases"]


def _alpha(a: str | dict[str, Any]) -> bytes:
    if isinstance(a, str):
        return bytes.fromhex(a)
    return bytes.fromhex(a["repeat"]) * a["count"]


def _c_result(case: dict[str, Any]) -> tuple[str, bytes | None]:
    op = case["op"]
    if op in ("decode_key", "validate_key"):
        pk = bytes.fromhex(case["pk"])
        try:
            vrf.PublicKey(pk, validate=op == "validate_key")
        except vrf.InvalidKey:
            return "invalid", None
        if op == "validate_key":
            assert ll.validate_key(pk)
        return "valid", None
    suite = vrf.Suite(case["suite"])
    pi = bytes.fromhex(case["pi"])
    if op == "proof_to_hash":
        try:
            return "valid", vrf.proof_to_hash(pi, suite)
        except vrf.InvalidProof:
            return "invalid", None
    assert op == "verify"
    pk, alpha, validate = bytes.fromhex(case["pk"]), _alpha(case["alpha"]), case["validate"]
    # the unparsed C entry point (decode + validate + verify in one call)
    beta_buf = ffi.new("uint8_t[64]")
    rc = lib.seqvrf_verify(beta_buf, pk, pi, alpha, len(alpha), int(suite), 1 if validate else 0)
    raw = bytes(beta_buf) if rc == lib.SEQVRF_OK else None
    if rc != lib.SEQVRF_OK:
        assert raw is None and bytes(beta_buf) == bytes(64), "output not zeroed on failure"
    # the public API with a parsed key
    try:
        beta: bytes | None = vrf.PublicKey(pk, validate=False).verify(alpha, pi, suite, validate_key=validate)
    except (vrf.InvalidKey, vrf.InvalidProof):
        beta = None
    assert beta == raw, "seqvrf_verify and PublicKey.verify disagree"
    if validate:
        assert vrf.verify_many([(pk, alpha, pi)], suite, workers=1) == [beta]
    return ("valid", beta) if beta is not None else ("invalid", None)


def _ref_result(case: dict[str, Any]) -> tuple[str, bytes | None]:
    op = case["op"]
    if op == "decode_key":
        return ("valid" if R.string_to_point(bytes.fromhex(case["pk"])) is not None else "invalid"), None
    if op == "validate_key":
        return ("valid" if R.validate_key(bytes.fromhex(case["pk"])) else "invalid"), None
    if op == "proof_to_hash":
        beta = R.proof_to_hash(bytes.fromhex(case["pi"]), case["suite"])
    else:
        beta = R.verify(bytes.fromhex(case["pk"]), _alpha(case["alpha"]), bytes.fromhex(case["pi"]),
                        case["suite"], case["validate"])
    return ("valid", beta) if beta is not None else ("invalid", None)


def _expected(case: dict[str, Any]) -> tuple[str, bytes | None]:
    beta = case.get("beta")
    return case["result"], bytes.fromhex(beta) if beta else None


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_c_core(case: dict[str, Any]) -> None:
    assert _c_result(case) == _expected(case), case["note"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_reference(case: dict[str, Any]) -> None:
    assert _ref_result(case) == _expected(case), case["note"]


@pytest.mark.parametrize("case", [c for c in CASES if "sk" in c], ids=lambda c: c["name"])
def test_prove_reproduces(case: dict[str, Any]) -> None:
    sk = vrf.SecretKey(bytes.fromhex(case["sk"]))
    assert sk.public_key.to_bytes().hex() == case["pk"]
    assert sk.prove(_alpha(case["alpha"]), vrf.Suite(case["suite"])).hex() == case["pi"]


def test_coverage_of_the_issue() -> None:
    names = " ".join(c["name"] for c in CASES)
    for needle in ("small_order_key_7_validate", "gamma_small_order_0", "noncanonical_y_p_plus_0",
                   "x0_sign1", "s_q_", "s_q_plus_1", "c_all_ones", "mixed_order_key", "empty_alpha",
                   "long_1MiB_alpha", "forged_small_order_key"):
        assert needle in names, needle


def test_generator_reproduces_file() -> None:
    spec = importlib.util.spec_from_file_location("gen_edge_cases", VECTORS / "gen_edge_cases.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.render() == (VECTORS / "edge_cases.json").read_text()
