"""make lint's check of function length: a function over 60 lines fails it unless its docstring
gives a reason on a line starting "Long:"."""

from pathlib import Path

from warta.devstack.long_functions import long_functions


def _function(name: str, lines: int, doc: str = "") -> str:
    body = "".join(f"    x{i} = {i}\n" for i in range(lines - 1 - (1 if doc else 0)))
    return f"def {name}():\n" + (f'    """{doc}"""\n' if doc else "") + body


def test_a_long_function_needs_a_stated_reason(tmp_path: Path):
    source = tmp_path / "module.py"
    source.write_text(
        _function("short", 60)
        + _function("long", 61)
        + _function("table", 70, "The panels.\n\n    Long: a table of panels, one entry each.\n    ")
        + _function("vague", 70, "It is long.")
    )
    found = list(long_functions([tmp_path]))
    assert [line.split(": ")[1].split(" ")[0] for line in found] == ["long", "vague"]


def test_the_tree_has_no_long_function_without_a_reason():
    root = Path(__file__).resolve().parents[3]
    sources = [root / "runtime/src", root / "contracts/src", root / "tools/devstack/src"]
    sources += sorted((root / "services").glob("*/src"))
    assert list(long_functions(sources)) == []
