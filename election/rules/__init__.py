"""The election's rules in code: config, stake tables, hash streams, seeds, schedules
(the rotation in ``schedule``, the other modes in ``windowed`` and ``secret``), votes,
certificates and claims.  Pure and exact (integers and bytes), no I/O, no clock;
docs/spec.md is their byte-level description."""
