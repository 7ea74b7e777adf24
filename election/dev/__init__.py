"""Development helpers: deterministic keys, development chains and an in-memory test network.
Never for production keys."""
