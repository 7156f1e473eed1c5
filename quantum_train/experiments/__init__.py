"""The experiments: a side-by-side comparison, a sweep, a Grover find-all, a resources report, the verdict.

Each is a problem (a config), a run, and a typed, frozen result.
"""
