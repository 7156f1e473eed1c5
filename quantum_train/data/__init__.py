"""Training data: synthetic unit-norm sets, the data sets bundled with scikit-learn, and the user's own files.
"""
