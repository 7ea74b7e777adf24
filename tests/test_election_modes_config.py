"""ElectionConfig modes: validation, JSON forms, and the rotation default left unchanged."""

from __future__ import annotations

import json

import pytest

from election import ElectionConfig, InvalidConfig, MalformedData, Schedule
from election.dev.keys import dev_table

BASE_KEYS = {"chain_id", "epoch_length", "slot_duration_ms", "failover_timeout_ms", "backups", "seed_cutoff", "suite"}


def test_rotation_json_has_no_mode_keys() -> None:
    c = ElectionConfig(b"x", epoch_length=30)
    assert c.mode == "rotation" and c.window is None and c.proposers is None
    assert set(c.to_dict()) == BASE_KEYS
    # The canonical text of a rotation config is what it was before modes existed.
    assert c.to_json() == (
        '{"backups":3,"chain_id":"78","epoch_length":30,"failover_timeout_ms":500,'
        '"seed_cutoff":20,"slot_duration_ms":2000,"suite":3}'
    )


def test_mode_round_trips() -> None:
    w = ElectionConfig(b"x", epoch_length=60, seed_cutoff=40, mode="windowed", window=20)
    s = ElectionConfig(b"x", epoch_length=60, mode="secret", proposers=3)
    assert set(w.to_dict()) == BASE_KEYS | {"mode", "window"} and w.to_dict()["window"] == 20
    assert set(s.to_dict()) == BASE_KEYS | {"mode", "proposers"} and s.to_dict()["proposers"] == 3
    for c in (w, s):
        assert ElectionConfig.from_json(c.to_json()) == c
    assert w.windows_per_epoch == 3
    with pytest.raises(InvalidConfig):
        s.windows_per_epoch  # noqa: B018


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mode": "lottery"},
        {"mode": 1},
        {"mode": "windowed"},  # window missing
        {"mode": "windowed", "window": 0},
        {"mode": "windowed", "window": 7},  # does not divide 60
        {"mode": "windowed", "window": 30},  # cutoff 40 > 60 - 30
        {"mode": "windowed", "window": 60},
        {"mode": "windowed", "window": True},
        {"mode": "windowed", "window": 20, "proposers": 2},
        {"mode": "secret"},  # proposers missing
        {"mode": "secret", "proposers": 0},
        {"mode": "secret", "proposers": 256},
        {"mode": "secret", "proposers": 2, "window": 20},
        {"window": 20},  # rotation has no window
        {"proposers": 2},
    ],
)
def test_mode_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidConfig):
        ElectionConfig(b"x", epoch_length=60, **kwargs)  # type: ignore[arg-type]


def test_window_and_cutoff() -> None:
    # window 30 is fine once the cutoff leaves a whole window before the epoch ends.
    c = ElectionConfig(b"x", epoch_length=60, seed_cutoff=30, mode="windowed", window=30)
    assert c.windows_per_epoch == 2
    assert ElectionConfig(b"x", epoch_length=43_200, mode="windowed", window=600).cutoff == 28_800


def test_mode_json_is_strict() -> None:
    base = ElectionConfig(b"x", epoch_length=60).to_dict()
    for extra in (
        {"mode": "rotation"},  # not canonical: rotation has no key
        {"mode": "windowed"},
        {"mode": "windowed", "window": 20, "proposers": 1},
        {"mode": "secret", "proposers": 1, "window": 20},
        {"window": 20},
        {"mode": 3, "proposers": 1},
        {"mode": "secret", "proposers": 1.0},
    ):
        with pytest.raises(MalformedData):
            ElectionConfig.from_json(json.dumps(base | extra))
    with pytest.raises(InvalidConfig):
        ElectionConfig.from_json(json.dumps(base | {"mode": "secret", "proposers": 0}))


def test_rotation_schedule_refuses_other_modes() -> None:
    table, _ = dev_table([1, 2, 3])
    for c in (
        ElectionConfig(b"x", epoch_length=60, seed_cutoff=40, mode="windowed", window=20),
        ElectionConfig(b"x", epoch_length=60, mode="secret", proposers=2),
    ):
        with pytest.raises(InvalidConfig, match="mode"):
            Schedule(c, table, 0, bytes(32))
