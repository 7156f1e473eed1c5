"""Output: checked and atomic writes, the one text table, figures, and the files named on Ctrl-C."""
