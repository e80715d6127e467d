"""The modules split into packages (the services and forms of cases and referrals, the
intelligence services, the referral pages) keep every name importable from their old
path, each the very object its own module defines, so callers, URL configurations and
tests need no change."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil

import pytest

PACKAGES = (
    "macehub.cases.forms",
    "macehub.cases.services",
    "macehub.intelligence.services",
    "macehub.referrals.forms",
    "macehub.referrals.services",
    "macehub.referrals.views",
)


def _public_definitions(module_name: str) -> set[str]:
    """The public names a module defines itself (not those it imports)."""
    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {name for name in names if not name.startswith("_")}


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_is_re_exported_as_itself(name: str) -> None:
    package = importlib.import_module(name)
    checked = 0
    exported: set[str] = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{name}.{info.name}")
        for attribute in _public_definitions(module.__name__):
            assert getattr(package, attribute) is getattr(module, attribute), (
                f"{name}.{attribute}")
            exported.add(attribute)
            checked += 1
    assert checked, f"{name} has no public names: the check ran on nothing"
    assert set(package.__all__) == exported
