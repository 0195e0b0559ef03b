"""Policy files: what an organisation accepts, as data (``policies/*.yaml``), validated strictly."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from modelaudit.errors import ConfigError
from modelaudit.models import Severity


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    fail_on: Severity = Severity.ERROR
    max_depth: int = Field(default=10, ge=0, le=1000)
    severity: dict[str, Severity] = Field(default_factory=dict)  # rule id or slug → severity override
    disabled_rules: list[str] = Field(default_factory=list)  # rule ids or slugs not evaluated


def policies_dir() -> Path:
    """Ready policies: inside the installed package, or the repo's top-level folder in a checkout."""
    packaged = Path(__file__).resolve().parent.parent / "_data" / "policies"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "policies"


def list_policies() -> list[str]:
    return sorted(p.stem for p in policies_dir().glob("*.yaml"))


def load_policy(name_or_path: str) -> Policy:
    """A ready policy by name (``default``) or a YAML file; errors name the file and the field."""
    from modelaudit.sources._card import parse_yaml_mapping

    path = Path(name_or_path)
    if not (path.suffix in (".yaml", ".yml") or path.exists()):
        path = policies_dir() / f"{name_or_path}.yaml"
        if not path.exists():
            raise ConfigError(
                f"unknown policy {name_or_path!r}",
                hint=f"use one of: {', '.join(list_policies())}, or a path to a policy YAML file",
            )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read policy ({exc.strerror})") from None
    data = parse_yaml_mapping(text, str(path))
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: invalid policy: {problems}") from None
