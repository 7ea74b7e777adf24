"""When a node fixes what its peers must agree on, per election mode (docs/spec.md section 20).

Pure functions of the config: the node runtime calls them to know at which slot it syncs
and fixes an epoch seed or (windowed mode) a window seed, and when a slot's production is
over on every clock.  Every honest node uses the same slots, so they fix the same values
when every valid block reached them in time (the agreement argument of section 20).

* ``lag = ceil((backups + 1) * T / slot) + 1`` in the ranked modes: every production window
  of a slot has closed ``lag - 1`` slots after it started, plus one slot of delivery and
  skew margin.  In secret mode a slot has one window ``[S, S + T)``: ``ceil(T / slot) + 1``.
* the seed of epoch ``e + 1`` is fixed at ``first(e) + c + lag`` (:func:`seed_fix_slot`);
* windowed mode: the seed of absolute window ``g`` (window ``j`` of epoch ``e``,
  ``g = e * L / W + j``) hashes the blocks of window ``g - 2``, which ends at slot
  ``(g - 1) W``; it is fixed at ``(g - 1) W + lag`` (:func:`window_fix_slot`), ``W - lag``
  slots before window ``g`` starts.
"""

from __future__ import annotations

import math

from ..rules.config import ElectionConfig
from ..rules.errors import InvalidConfig

__all__ = ["sync_lag", "seed_fix_slot", "window_fix_slot", "production_span_ms", "sync_slots"]


def production_span_ms(config: ElectionConfig) -> int:
    """Milliseconds from a slot's start to the end of its last production window:
    ``(backups + 1) * T`` in the ranked modes, ``T`` in secret mode (no ladder)."""
    if config.mode == "secret":
        return config.failover_timeout_ms
    return (config.backups + 1) * config.failover_timeout_ms


def sync_lag(config: ElectionConfig) -> int:
    """Slots from a slot's start until its production is over everywhere, plus one slot
    of margin: ``ceil(production_span / slot) + 1``."""
    return -(-production_span_ms(config) // config.slot_duration_ms) + 1


def sync_slots(config: ElectionConfig, sync_timeout: float) -> int:
    """Whole slots a sync may wait for its answers: ``ceil(sync_timeout / slot)``."""
    return math.ceil(sync_timeout * 1000 / config.slot_duration_ms)  # float-ok: a local timeout


def seed_fix_slot(config: ElectionConfig, epoch: int) -> int:
    """The slot at which nodes sync and fix the seed of ``epoch + 1``:
    ``first(epoch) + c + lag`` (every window of the pre-cutoff slots closed, plus one slot
    of delivery and skew margin)."""
    return int(config.first_slot(epoch) + config.cutoff + sync_lag(config))


def window_fix_slot(config: ElectionConfig, epoch: int, window: int) -> int:
    """Windowed mode: the slot at which nodes sync the source window of window ``window``
    of ``epoch`` (absolute window ``g - 2``) and fix its seed: ``(g - 1) * W + lag``.

    For the first two windows of epoch 0 (no source blocks) the result is at most ``lag``:
    they are fixed as soon as the epoch seed is known.

    Raises:
        InvalidConfig: the config is not windowed.
    """
    if config.window is None:
        raise InvalidConfig(f"window_fix_slot: mode {config.mode!r} has no windows")
    g = config.first_slot(epoch) // config.window + window
    return (g - 1) * config.window + sync_lag(config)

