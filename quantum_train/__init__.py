"""quantum-train: two-layer shifted-ReLU networks trained with classical and
quantum fired-neuron discovery (Song, Yang, Zhang, NeurIPS 2021), costed side by side."""

__version__ = "0.1.0"
