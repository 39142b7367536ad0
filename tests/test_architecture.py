"""The folder tree is the architecture: the layers contract holds, and it bites when broken;
modules stay small enough to read."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = [
    sys.executable,
    "-c",
    "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
]


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(LINT, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "repo"
    shutil.copytree(ROOT / "layout", dst / "layout", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
    return dst


def test_layers_contract_is_kept() -> None:
    r = _lint(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "contract"),
    [
        ("manifest/units.py", "from ..page import frames as _wrong  # noqa\n", "Phases flow one way"),
        ("text/hyphenate.py", "from ..pdf import draw as _wrong  # noqa\n", "Phases flow one way"),
        ("page/frames.py", "import pypdf as _wrong  # noqa\n", "plain data"),
    ],
)
def test_layers_contract_bites(tree_copy: Path, module: str, wrong_import: str, contract: str) -> None:
    f = tree_copy / "layout" / module
    text = f.read_text(encoding="utf-8")
    # After the module docstring and the __future__ import, where imports go.
    marker = "from __future__ import annotations\n"
    f.write_text(text.replace(marker, marker + wrong_import, 1), encoding="utf-8")
    r = _lint(tree_copy)
    assert r.returncode != 0, r.stdout
    assert contract in r.stdout and "BROKEN" in r.stdout


# The line breaker's inner loop stays one function: a call per candidate break would cost
# about a third of its time (measured), and it is the hottest code in a render.
HOT_LOOPS = {("layout/text/linebreak.py", "_pass")}
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 400


def _modules() -> list[Path]:
    return sorted((ROOT / "layout").rglob("*.py"))


def test_every_module_says_what_it_does() -> None:
    missing = [str(p.relative_to(ROOT)) for p in _modules() if not ast.get_docstring(ast.parse(p.read_text()))]
    assert not missing, f"modules without a docstring: {missing}"


def test_modules_and_functions_stay_small() -> None:
    long_modules = []
    long_functions = []
    for p in _modules():
        text = p.read_text()
        if text.count("\n") > MAX_MODULE_LINES:
            long_modules.append((str(p.relative_to(ROOT)), text.count("\n")))
        for n in ast.walk(ast.parse(text)):
            if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            where = (str(p.relative_to(ROOT)), n.name)
            if n.end_lineno - n.lineno + 1 > MAX_FUNCTION_LINES and where not in HOT_LOOPS:
                long_functions.append((*where, n.end_lineno - n.lineno + 1))
    assert not long_modules, long_modules
    assert not long_functions, long_functions
