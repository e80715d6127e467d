"""The layers contract (import-linter, in pyproject.toml) holds for the hub, and it can
fail: a copy of the package with one wrong-way import planted in it breaks the contract,
and the report names that import.

The copy lives in a temporary directory put first on PYTHONPATH, and lint-imports reads
the very contracts pyproject.toml declares, so what is tested is the real configuration.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(
    config: Path, *, cwd: Path, pythonpath: Path
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run(  # noqa: S603 - our own virtual environment's lint-imports
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python files of the macehub package, copied, with the real contracts beside
    them in a config file of their own."""
    base = tmp_path_factory.mktemp("layers")
    shutil.copytree(
        ROOT / "macehub", base / "macehub",
        ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "*.html", "*.csv"),
    )
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (base / "contracts.toml").write_text(_as_toml(contracts))
    return base


def _as_toml(importlinter: dict[str, object]) -> str:
    """The [tool.importlinter] table written back out (strings, booleans and lists of
    strings are all it holds)."""

    def value(item: object) -> str:
        if isinstance(item, bool):
            return "true" if item else "false"
        if isinstance(item, list):
            return "[" + ", ".join(value(element) for element in item) + "]"
        return '"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["[tool.importlinter]"]
    for key, item in importlinter.items():
        if key != "contracts":
            lines.append(f"{key} = {value(item)}")
    for contract in importlinter["contracts"]:  # type: ignore[attr-defined]
        lines.append("[[tool.importlinter.contracts]]")
        lines.extend(f"{key} = {value(item)}" for key, item in contract.items())
    return "\n".join(lines) + "\n"


def test_the_hub_keeps_its_layers() -> None:
    result = _lint_imports(ROOT / "pyproject.toml", cwd=ROOT, pythonpath=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 broken." in result.stdout


def test_a_wrong_way_import_breaks_the_layers(package_copy: Path) -> None:
    planted = package_copy / "macehub" / "people" / "wrong_way.py"
    planted.write_text('"""Planted by the test."""\n\nfrom macehub.referrals import models\n')
    try:
        result = _lint_imports(package_copy / "contracts.toml", cwd=package_copy,
                               pythonpath=package_copy)
    finally:
        planted.unlink()
    assert result.returncode != 0
    assert "macehub.people is not allowed to import macehub.referrals" in result.stdout
    assert "macehub.people.wrong_way -> macehub.referrals.models" in result.stdout


def test_product_code_importing_the_demo_breaks_the_contract(package_copy: Path) -> None:
    planted = package_copy / "macehub" / "performance" / "wrong_way.py"
    planted.write_text('"""Planted by the test."""\n\nfrom macehub.demo import models\n')
    try:
        result = _lint_imports(package_copy / "contracts.toml", cwd=package_copy,
                               pythonpath=package_copy)
    finally:
        planted.unlink()
    assert result.returncode != 0
    assert "macehub.performance.wrong_way -> macehub.demo.models" in result.stdout
    assert "Product code never imports the demo" in result.stdout


def test_a_new_app_outside_the_layers_breaks_the_contract(package_copy: Path) -> None:
    new_app = package_copy / "macehub" / "unlayered"
    new_app.mkdir()
    (new_app / "__init__.py").write_text("")
    try:
        result = _lint_imports(package_copy / "contracts.toml", cwd=package_copy,
                               pythonpath=package_copy)
    finally:
        shutil.rmtree(new_app)
    assert result.returncode != 0
    assert "- macehub.unlayered" in result.stdout
