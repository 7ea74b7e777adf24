"""Discrete-event simulation of a sequencer network on the real election library.

>>> from election.sim import SimParams, simulate, parse_faults
>>> run = simulate(SimParams(validators=8, epochs=1, epoch_length=30, faults=parse_faults("none")))
>>> len(run.canonical)
30

See docs/simulate.md for the model, the fault specifications and the figures.
"""

from __future__ import annotations

from .engine import Published, SimError, SimParams, SimRun, Simulation, pareto_stakes, simulate
from .faults import KINDS, FaultItem, FaultSpec, FaultSpecError, parse_faults
from .summary import SUMMARY_FORMAT, human_summary, percentile, summarize, write_outputs

__all__ = [
    "SimParams", "SimRun", "Simulation", "SimError", "Published", "simulate", "pareto_stakes",
    "FaultSpec", "FaultItem", "FaultSpecError", "parse_faults", "KINDS",
    "summarize", "write_outputs", "human_summary", "percentile", "SUMMARY_FORMAT",
]
