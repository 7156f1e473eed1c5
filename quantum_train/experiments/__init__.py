"""Experiments: comparisons, sweeps, cost curves and the verdict built from them."""
