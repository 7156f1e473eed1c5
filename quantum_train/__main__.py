"""``python -m quantum_train``: the ``quantum-train`` command."""

from quantum_train.face.cli import entry

if __name__ == "__main__":
    entry()
