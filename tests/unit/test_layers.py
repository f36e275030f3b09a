"""The layer rule from DESIGN.md: core imports neither store, ui, platform nor Qt; store imports
only core. Checked twice: statically (every import statement) and for real (a fresh interpreter
that imports every core and store module must not have loaded Qt)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import microapp

PACKAGE_DIR = Path(microapp.__file__).resolve().parent
QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2")
UPPER = ("microapp.ui", "microapp.platform", "microapp.app", "microapp.cli")
FORBIDDEN = {
    "core": (*QT, "microapp.store", *UPPER),
    "store": (*QT, *UPPER),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """Every module ``source`` imports (line, dotted name), relative imports resolved and
    ``from a import b`` also reported as ``a.b`` (b may be a module)."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and ast.unparse(node.func) in ("importlib.import_module", "import_module",
                                             "__import__")):
            found.append((node.lineno, node.args[0].value))
    return found


def violations(source: str, module: str, forbidden: tuple[str, ...],
               is_package: bool = False) -> list[str]:
    bad = []
    for line, name in imported_names(source, module, is_package):
        for prefix in forbidden:
            if name == prefix or name.startswith(prefix + "."):
                bad.append(f"{module}:{line} imports {name} ({prefix} is off limits)")
    return bad


def layer_modules(layer: str) -> list[Path]:
    files = sorted((PACKAGE_DIR / layer).rglob("*.py"))
    assert files, f"no modules found in microapp/{layer}"
    return files


# --- the checker itself -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("source", "module", "caught"),
    [
        ("import PySide6", "microapp.core.x", "PySide6"),
        ("import PySide6.QtCore as qc", "microapp.core.x", "PySide6.QtCore"),
        ("from PySide6.QtWidgets import QLabel", "microapp.core.x", "PySide6.QtWidgets"),
        ("from shiboken6 import isValid", "microapp.store.x", "shiboken6"),
        ("from microapp.store.history import History", "microapp.core.x", "microapp.store.history"),
        ("from microapp import ui", "microapp.core.x", "microapp.ui"),
        ("from microapp import cli, app", "microapp.store.x", "microapp.cli"),
        ("from ..store import db", "microapp.core.x", "microapp.store"),
        ("from ..platform.logs import setup_logging", "microapp.store.x", "microapp.platform.logs"),
        ("from .. import app", "microapp.store.x", "microapp.app"),
        ("def f():\n    import microapp.ui.tray\n", "microapp.core.x", "microapp.ui.tray"),
        ("if TYPE_CHECKING:\n    from microapp.store import db\n", "microapp.core.x",
         "microapp.store"),
        ("import importlib\nimportlib.import_module('PySide6.QtGui')", "microapp.core.x",
         "PySide6.QtGui"),
        ("__import__('shiboken6')", "microapp.core.x", "shiboken6"),
    ],
)
def test_the_checker_catches_a_violation(source: str, module: str, caught: str) -> None:
    layer = module.split(".")[1]
    found = violations(source, module, FORBIDDEN[layer])
    assert any(f"imports {caught} " in v for v in found), found


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from microapp.core.clock import Stamp", "microapp.store.x"),
        ("from ..core import clock", "microapp.store.x"),
        ("from . import records", "microapp.core.x"),
        ("import peewee, sqlite3", "microapp.store.x"),
        ("from microapp import APP_NAME", "microapp.core.x"),
        ("import storage\nimport microapp.corex", "microapp.core.x"),  # prefixes, not substrings
        ("x = 'import PySide6'", "microapp.core.x"),  # a string is not an import
    ],
)
def test_the_checker_allows_what_the_rule_allows(source: str, module: str) -> None:
    layer = module.split(".")[1]
    assert violations(source, module, FORBIDDEN[layer]) == []


def test_relative_imports_in_a_package_init_resolve_from_the_package_itself() -> None:
    assert violations("from .store import db", "microapp", ("microapp.store",),
                      is_package=True)
    assert violations("from ..store import db", "microapp.core", FORBIDDEN["core"],
                      is_package=True)


# --- the real modules -------------------------------------------------------------------------

@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(layer: str) -> None:
    problems = []
    for path in layer_modules(layer):
        problems += violations(path.read_text(encoding="utf-8"), module_name(path),
                               FORBIDDEN[layer], is_package=path.name == "__init__.py")
    assert problems == []


def test_importing_every_core_and_store_module_loads_no_qt() -> None:
    modules = [module_name(p) for layer in ("core", "store") for p in layer_modules(layer)]
    assert "microapp.core.clock" in modules and "microapp.store.history" in modules
    code = (
        f"import {', '.join(modules)}\n"
        "import json, sys\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert set(modules) <= set(loaded)  # the probe really imported them
    leaked = [m for m in loaded
              if m.split(".")[0] in QT or any(m == u or m.startswith(u + ".") for u in UPPER)]
    assert leaked == []
