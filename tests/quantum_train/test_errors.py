"""Library errors name other options once; the face spells them as flags, Python as keywords."""

import pytest

import quantum_train as qt
from quantum_train.errors import ConfigError, for_command_line, for_python, option
from quantum_train.face.cli import main


def test_option_renders_per_audience():
    text = (f"drop them or use {option('oracle', 'table')}, or set {option('max_logical_qubits')}, "
            f"{option('n', 8)} or {option('physical', True)}")
    assert for_python(text) == "drop them or use oracle='table', or set max_logical_qubits, n=8 or physical=True"
    assert for_command_line(text) == ("drop them or use --oracle table, or set --max-logical-qubits, --n 8 or "
                                      "--physical")
    err = ConfigError("oracle", text)
    assert str(err) == for_python(text) and err.command_line_message == for_command_line(text)


def test_suggested_option_is_a_flag_on_the_command_line(capsys):
    assert main(["compare", "--m", "2^10", "--finders", "grover-emulator", "--oracle", "arithmetic", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "argument --oracle:" in err and "use --oracle table" in err and "⟨" not in err


def test_suggested_option_is_a_keyword_in_python():
    with pytest.raises(ValueError) as caught:
        qt.compare(m=2**10, finders="grover-emulator", oracle="arithmetic", progress=False)
    assert "use oracle='table'" in str(caught.value) and "--" not in str(caught.value)
