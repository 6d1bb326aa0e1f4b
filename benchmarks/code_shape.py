"""The shape of the code under src/: long modules, long functions and typed service signatures.

    uv run python benchmarks/code_shape.py [--list] [--root src]

Prints the modules over 500 lines, the functions over 80 lines (with --list, each of them), and
for the write services (``services.py`` and ``services/`` packages) how many parameters carry a
type annotation and how many ``actor`` parameters do. The house style asks for modules under ~500
lines, functions under ~80 and keyword-only typed services; these figures show how far the tree
is from that; a run on an older checkout (``--root``) gives the baseline to compare with.
"""

import argparse
import ast
from dataclasses import dataclass, field
from pathlib import Path

MODULE_LIMIT = 500
FUNCTION_LIMIT = 80


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "migrations" not in p.parts)


def is_service_module(path: Path) -> bool:
    return path.name == "services.py" or "services" in path.parent.parts[-1:]


@dataclass
class Shape:
    long_modules: list[tuple[str, int]] = field(default_factory=list)
    long_functions: list[tuple[str, str, int]] = field(default_factory=list)
    service_signatures: int = 0
    service_params: int = 0
    service_params_typed: int = 0
    actor_params: int = 0
    actor_params_typed: int = 0


def measure(root: Path) -> Shape:
    shape = Shape()
    for path in python_files(root):
        text = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(root))
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        if lines > MODULE_LIMIT:
            shape.long_modules.append((rel, lines))
        tree = ast.parse(text, filename=rel)
        service = is_service_module(path)
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > FUNCTION_LIMIT:
                shape.long_functions.append((rel, node.name, length))
            if not service:
                continue
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
            every = [a for a in every if a.arg not in ("self", "cls")]
            if not every:
                continue
            shape.service_signatures += 1
            for arg in every:
                shape.service_params += 1
                shape.service_params_typed += arg.annotation is not None
                if arg.arg == "actor":
                    shape.actor_params += 1
                    shape.actor_params_typed += arg.annotation is not None
    shape.long_modules.sort(key=lambda m: -m[1])
    shape.long_functions.sort(key=lambda f: -f[2])
    return shape


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default="src", help="the source folder (default: src)")
    parser.add_argument("--list", action="store_true", help="name every long module and function")
    options = parser.parse_args()
    shape = measure(Path(options.root))
    print(f"modules over {MODULE_LIMIT} lines: {len(shape.long_modules)}")
    if options.list:
        for rel, lines in shape.long_modules:
            print(f"  {lines:5d}  {rel}")
    print(f"functions over {FUNCTION_LIMIT} lines: {len(shape.long_functions)}")
    if options.list:
        for rel, name, lines in shape.long_functions:
            print(f"  {lines:5d}  {rel} {name}")
    print(
        f"service parameters annotated: {shape.service_params_typed} of "
        f"{shape.service_params} (in {shape.service_signatures} signatures)"
    )
    print(f"service actor parameters annotated: {shape.actor_params_typed} of {shape.actor_params}")


if __name__ == "__main__":
    main()
