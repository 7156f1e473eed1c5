"""Output: checked and atomic writes, the text table, figures, and reading documents back (``qt.load``).
"""
