"""quantum-train: two-layer shifted-ReLU networks trained with classical and quantum fired-neuron
discovery (Song, Yang, Zhang, NeurIPS 2021), costed side by side.

The public API (see the README's "Python API"):

- :func:`compare`: train one network with several finders; returns a :class:`Comparison`;
- :func:`find_fired`: Grover find-all of the fired neurons of random inputs; returns a :class:`FiredSearch`;
- :func:`circuits.run_search_circuit` (package ``circuits``): one Grover search circuit on a backend.
"""

from quantum_train.api import Comparison, FiredSearch, compare, find_fired
from quantum_train.results import FinderResult

__version__ = "0.1.0"

__all__ = ["compare", "find_fired", "Comparison", "FinderResult", "FiredSearch", "__version__"]
