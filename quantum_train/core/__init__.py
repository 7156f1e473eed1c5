"""The training core: the finder contract, plain gradient descent over a fired-set finder, the network, fired sets,
the cost ledger, threads, and the Grover search's options (checked once, below every layer that takes them).
"""
