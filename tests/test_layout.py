"""Test modules share their support through tests/support, the apps' conftest, factories and
helper modules — never by importing another test module (which would run, or silently lose, that
module's tests and fixtures wherever it is imported)."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _is_test_module(dotted: str) -> bool:
    parts = dotted.split(".")
    if parts[0] != "tests":
        return False
    return any(part.startswith("test_") for part in parts[1:]) and (
        TESTS.joinpath(*parts[1:]).with_suffix(".py").is_file()
    )


def imported_test_modules(source: str, module: str) -> list[str]:
    """The test modules that ``source`` (the text of the module ``module``) imports."""
    package = module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found += [name for name in names if _is_test_module(name)]
    return sorted(set(found))


def _module_name(path: Path) -> str:
    return ".".join(("tests", *path.relative_to(TESTS).with_suffix("").parts))


def test_no_test_module_imports_another_test_module():
    offenders = {}
    for path in sorted(TESTS.rglob("*.py")):
        imported = imported_test_modules(path.read_text(encoding="utf-8"), _module_name(path))
        if imported:
            offenders[str(path.relative_to(TESTS))] = imported
    assert offenders == {}, "move what they share into tests/support or the app's conftest"


def test_the_check_sees_every_way_of_importing_a_test_module():
    module = "tests.channels.test_ordering"
    assert imported_test_modules("from tests.channels.test_sync import x", module) == [
        "tests.channels.test_sync"
    ]
    assert imported_test_modules("from tests.web import test_browser", module) == [
        "tests.web.test_browser"
    ]
    assert imported_test_modules("import tests.web.test_browser as b", module) == [
        "tests.web.test_browser"
    ]
    assert imported_test_modules("from .test_sync import x", module) == ["tests.channels.test_sync"]
    assert imported_test_modules("from ..web.test_browser import x", module) == [
        "tests.web.test_browser"
    ]
    # support, conftest, factories and helper modules are fine
    allowed = (
        "from tests.support.matrix import ROLES\n"
        "from tests.channels.conftest import SKUS\n"
        "from tests.factories import make_user\n"
        "from tests.inventory.helpers import level_of\n"
    )
    assert imported_test_modules(allowed, module) == []
