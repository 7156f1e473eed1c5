"""The face: the ``quantum-train`` command (``cli``, ``commands/``) and the Python API (``api``).

Options are checked here and turned into ``--option`` messages; below this layer, errors name no flag.
"""
