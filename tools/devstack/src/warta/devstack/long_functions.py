"""``make lint``'s check of function length: a production function over 60 lines reads as several
things at once. One that is long for a reason (a table written as code, a script of steps) says so
in its docstring, on a line starting ``Long:``.

    python -m warta.devstack.long_functions runtime/src services/*/src contracts/src tools/devstack/src
"""

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

LIMIT = 60
REASON = "Long:"


def long_functions(paths: list[Path]) -> Iterator[str]:
    for path in paths:
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
            for node in ast.walk(tree):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                doc = ast.get_docstring(node) or ""
                if lines > LIMIT and not any(line.strip().startswith(REASON) for line in doc.splitlines()):
                    yield f"{file}:{node.lineno}: {node.name} is {lines} lines (over {LIMIT}, no '{REASON}' reason)"


def main(argv: list[str]) -> int:
    found = list(long_functions([Path(a) for a in argv]))
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
