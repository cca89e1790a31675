"""The walls between packages hold.

The pure parts of monitor (the rules, the alert policy) load neither the
network (httpx) nor the database (sqlite3) when imported, checked in a fresh
interpreter; and every import contract in pyproject.toml's
``[tool.importlinter]`` is kept, as ``lint-imports`` reports it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

WALLED_OFF = ("httpx", "sqlite3")


@pytest.mark.parametrize("module", ["monitor.rules.score", "monitor.alerts.policy"])
def test_importing_a_pure_module_loads_neither_httpx_nor_sqlite3(module: str) -> None:
    code = (
        "import sys\n"
        f"import {module}\n"
        f"print(' '.join(name for name in {WALLED_OFF!r} if name in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.split()
    assert loaded == [], f"importing {module} loads {', '.join(loaded)}"


def test_lint_imports_keeps_every_contract_in_pyproject() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if not lint_imports.exists():
        pytest.skip(f"import-linter is not installed ({lint_imports} not found)")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
