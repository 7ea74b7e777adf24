"""The election's rules in code: config, stake tables, hash streams, seeds, schedules,
votes, certificates and claims.  Pure and exact (integers and bytes), no I/O, no clock;
docs/spec.md is their byte-level description."""
