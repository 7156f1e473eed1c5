"""Quantum search over "m items, a marked set": oracles, Grover circuits,
find-all strategies with query accounting, and executors (Aer, an exact
emulator of ideal Grover statistics, IBM). Knows nothing of neural networks."""
