"""The README's quick start and .ci/run must not drift apart."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [c.strip() for c in re.findall(r"```sh\n(.*?)\n\s*```", quick, flags=re.S)]


def test_quick_start_has_two_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert "modelaudit scan examples/" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert readme_commands()[1] in ci


def test_example_targets_exist() -> None:
    target = readme_commands()[0].split("modelaudit scan ", 1)[1].split()[0]
    assert (ROOT / target / "README.md").is_file()
