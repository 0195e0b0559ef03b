"""The import contracts (.importlinter, run by lint-imports in .ci/run) cover every module of the package:
a top-level module missing from the floors would be checked by no contract at all."""

from __future__ import annotations

import configparser
import pkgutil
import re
from pathlib import Path

import modelaudit

CONFIG = Path(__file__).resolve().parents[2] / ".importlinter"


def _contract(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(inline_comment_prefixes=None)
    parser.read(CONFIG, encoding="utf-8")
    return parser[f"importlinter:contract:{name}"]


def _top_level() -> set[str]:
    return {f"modelaudit.{m.name}" for m in pkgutil.iter_modules(modelaudit.__path__)}


def _named(text: str) -> set[str]:
    return set(re.findall(r"modelaudit(?:\.[A-Za-z_][A-Za-z0-9_]*)+", text))


def test_every_top_level_module_has_a_floor() -> None:
    floors = _named(_contract("floors")["layers"])
    assert _top_level() - floors == set()
    assert floors - _top_level() == set()  # and no floor names a module that is gone


def test_only_the_cli_may_import_the_root_package() -> None:
    contract = _contract("root-package")
    assert contract["forbidden_modules"].split() == ["modelaudit"]
    sources = {m.removesuffix(".**") for m in contract["source_modules"].split()}
    assert _top_level() - sources == {"modelaudit.cli", "modelaudit.__main__"}
    packages = {f"modelaudit.{m.name}" for m in pkgutil.iter_modules(modelaudit.__path__) if m.ispkg}
    for package in packages - {"modelaudit.cli"}:  # a package's modules are listed with it, not only its __init__
        assert f"{package}.**" in contract["source_modules"].split(), package
