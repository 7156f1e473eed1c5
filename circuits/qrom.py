"""QROM by unary iteration, from X, CX and CCX only.

``lookup(circuit, index, ancillas, targets, data)`` appends the unitary

    ``|i>|t> -> |i>|t xor data[i]>``  for ``i < L = len(data)``, and ``|i>|t> -> |i>|t>`` for ``i >= L``,

on an index register of ``q = len(index)`` qubits (little-endian: ``index[0]``
is bit 0), with ``q - 1`` clean ancillas returned to ``|0>``. It is its own
inverse, so the same call unloads what it loaded.

**Construction** (unary iteration, Babbush et al., "Encoding electronic spectra
in quantum circuits with linear T complexity", PRX 8, 041015 (2018),
arXiv:1805.03662, sec. III.A and Fig. 7): a binary tree over the index bits,
most significant first. A node at depth ``l`` owns ancilla ``l - 1``, which
holds "the top ``l`` index bits equal this node's prefix". From its parent's
qubit ``c`` and its bit ``t`` it computes ``a = c AND NOT t`` (one CCX),
serves its 0-subtree, turns ``a`` into ``c AND t`` with one CX, serves its
1-subtree, and uncomputes ``a`` with one CCX. The root needs no ancilla: its
children are controlled by the top bit itself (and its negation). Leaves write
their word with one CX per set bit. Subtrees holding no entry (``>= L``) are
skipped, and since every node tests its bit, indices ``>= L`` load nothing.

**Cost**: every node at depths ``1 .. q-1`` that holds an entry costs exactly
2 CCX, so

    ``toffolis(L) = 2 sum_{l=1}^{q-1} ceil(L / 2^(q-l))``,   ``= 2 (L - 2)`` for ``L = 2^q >= 2``.

Against the published count: Babbush et al. give ``L - 2`` Toffoli-class ANDs
for an uncontrolled lookup (``L - 1`` controlled), because each AND is
*uncomputed by measurement* (an X-basis measurement and a classically
controlled CZ, no Toffoli). This module must build a unitary circuit from
X/CX/CCX only (so that Aer can check it on superpositions and every gate is
counted), so each AND is uncomputed by a second CCX: our count is ``2 (L - 2)``
for ``L = 2^q``, exactly twice the published one, and inside the ``L - 2`` to
``2 (L - 1)`` range quoted for constructions with and without measurement.
The Toffoli depth equals the count: every CCX touches the ancilla chain of its
path, so they run one after another.
"""

from __future__ import annotations

from typing import Callable, Sequence

from qiskit import QuantumCircuit
from qiskit.circuit import Qubit


def lookup_toffolis(num_entries: int, num_index: int) -> int:
    """CCX count of :func:`lookup` over ``L = num_entries`` entries on ``q = num_index`` index qubits."""
    L, q = int(num_entries), int(num_index)
    if L < 1 or q < 1 or L > (1 << q):
        raise ValueError(f"need 1 <= num_entries <= 2^num_index, got L={L}, q={q}")
    return 2 * sum(-(-L // (1 << (q - level))) for level in range(1, q))


def unary_iteration(circuit: QuantumCircuit, index: Sequence[Qubit], ancillas: Sequence[Qubit], num_entries: int,
                    leaf: Callable[[Qubit, int], None],
                    release: Callable[[Qubit, Qubit, Qubit, bool], None] | None = None) -> None:
    """The unary-iteration tree of :func:`lookup` (module docstring): ``leaf(ctrl, r)`` acts with
    ``ctrl = [index == r]`` for every ``r < num_entries``.

    ``release(ctrl, bit, a, negated)`` uncomputes ``a = ctrl AND bit`` (``AND NOT
    bit`` if ``negated``); by default a second CCX (the unitary convention;
    :func:`circuits.measured_oracle.and_uncompute` measures it instead).
    """
    q, L = len(index), int(num_entries)
    if q < 1 or not 1 <= L <= (1 << q):
        raise ValueError(f"need 1 <= len(data) <= 2^len(index), got {L} entries, {q} index qubits")
    if len(ancillas) < q - 1:
        raise ValueError(f"lookup needs {q - 1} ancillas, got {len(ancillas)}")

    def ccx_release(ctrl: Qubit, bit: Qubit, a: Qubit, negated: bool) -> None:
        if negated:
            circuit.x(bit)
        circuit.ccx(ctrl, bit, a)
        if negated:
            circuit.x(bit)

    release = release or ccx_release

    def node(ctrl: Qubit, level: int, lo: int) -> None:
        if level == q:
            leaf(ctrl, lo)
            return
        bit = index[q - 1 - level]
        half = 1 << (q - 1 - level)
        a = ancillas[level - 1]
        circuit.x(bit)
        circuit.ccx(ctrl, bit, a)  # a = ctrl AND NOT bit
        circuit.x(bit)
        node(a, level + 1, lo)
        if lo + half < L:
            circuit.cx(ctrl, a)  # a = ctrl AND bit
            node(a, level + 1, lo + half)
            release(ctrl, bit, a, False)
        else:
            release(ctrl, bit, a, True)

    top = index[q - 1]
    half = 1 << (q - 1)
    circuit.x(top)
    node(top, 1, 0)
    circuit.x(top)
    if half < L:
        node(top, 1, half)


def lookup(circuit: QuantumCircuit, index: Sequence[Qubit], ancillas: Sequence[Qubit],
           targets: Sequence[Qubit], data: Sequence[int]) -> None:
    """Append ``targets ^= data[index]`` (module docstring); ``ancillas`` needs ``q - 1`` clean qubits."""
    width = len(targets)
    if any(int(w) < 0 or int(w) >> width for w in data):
        raise ValueError(f"every data word must fit in {width} target bits")

    def leaf(ctrl: Qubit, entry: int) -> None:
        word = int(data[entry])
        for i in range(width):
            if word >> i & 1:
                circuit.cx(ctrl, targets[i])

    unary_iteration(circuit, index, ancillas, len(data), leaf)
