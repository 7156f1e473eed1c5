"""The training core: the network, plain gradient descent over a fired-set finder, fired sets, the cost ledger,
seeds, threads and the RAM guard.
"""
