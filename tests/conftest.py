"""Shared fixtures: RFC 9381 vectors, hypothesis profiles, a printed random seed."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

HERE = Path(__file__).resolve().parent
VECTORS = HERE / "vectors"

settings.register_profile("default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=False, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))

_SEED = int(os.environ.get("SEQVRF_TEST_SEED", random.SystemRandom().randrange(2**32)))


def pytest_report_header(config: Any) -> str:
    return f"seqvrf random seed: SEQVRF_TEST_SEED={_SEED}"


@pytest.fixture
def rng() -> random.Random:
    """A Random seeded from SEQVRF_TEST_SEED (printed in the header) so failures reproduce."""
    return random.Random(_SEED)


def load_rfc_vectors() -> list[dict[str, Any]]:
    return json.loads((VECTORS / "rfc9381_edwards25519.json").read_text())
