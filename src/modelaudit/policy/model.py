"""Policy files: what an organisation accepts, as data (``policies/*.yaml``), validated strictly."""


import re
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from modelaudit.errors import ConfigError
from modelaudit.models import LicenseCategory, Role, Severity, empty_list


class DatasetHandling(StrEnum):
    """How findings caused by training data are judged (data licensing of models is legally unsettled)."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"
    IGNORE = "ignore"

    def severity(self) -> Severity | None:
        """The severity dataset-caused findings get, or None when they are not reported at all."""
        return None if self is DatasetHandling.IGNORE else Severity(self.value)


class FieldOfUse(StrEnum):
    """Fields of use a policy may declare; ``use_rules`` maps each to the use-policy tags that restrict it."""

    DEFENCE = "defence"
    WEAPONS = "weapons"
    MEDICAL = "medical"
    LEGAL = "legal"
    FINANCIAL = "financial"
    LAW_ENFORCEMENT = "law-enforcement"
    SURVEILLANCE = "surveillance"
    CRITICAL_INFRASTRUCTURE = "critical-infrastructure"
    AUTOMATED_DECISIONS = "automated-decisions"
    EMPLOYMENT = "employment"
    CREDIT = "credit"
    ADULT_CONTENT = "adult-content"


_FIELD_ALIASES = {
    "defense": "defence",
    "military": "defence",
    "healthcare": "medical",
    "health": "medical",
    "finance": "financial",
    "policing": "law-enforcement",
    "justice": "law-enforcement",
}

# EU member states (ISO 3166-1 alpha-2): deploying in any of them is deploying in the EU
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)


class IntendedUse(BaseModel):
    """How the organisation will use the models it audits; every license in a lineage is matched against it."""

    model_config = ConfigDict(extra="forbid")

    commercial_product: bool = False  # used in, or sold as part of, a commercial product
    hosted_service: bool = False  # offered to third parties as a hosted service or API
    internal_research_only: bool = False  # research and evaluation inside the organisation only
    redistribute_weights: bool = False  # the weights are passed on (published, shipped on devices, ...)
    release_finetunes: bool = False  # fine-tunes, adapters, merges or distillations are published
    fields_of_use: list[FieldOfUse] = Field(default_factory=empty_list)
    regions: list[str] = Field(default_factory=empty_list)  # where it is deployed: "EU" or ISO country codes
    monthly_active_users: int | None = Field(default=None, ge=0)
    annual_revenue_usd: int | None = Field(default=None, ge=0)

    @field_validator("fields_of_use", mode="before")
    @classmethod
    def _field_aliases(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [
                _FIELD_ALIASES.get(x.strip().lower(), x.strip().lower()) if isinstance(x, str) else x
                for x in v
            ]
        return v

    @field_validator("regions")
    @classmethod
    def _regions(cls, v: list[str]) -> list[str]:
        out = []
        for region in v:
            code = region.strip().upper()
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise ValueError(
                    f"{region!r} is not a region code (use EU or an ISO 3166 country code such as DE)"
                )
            out.append(code)
        return out

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.internal_research_only and (
            self.commercial_product
            or self.hosted_service
            or self.redistribute_weights
            or self.release_finetunes
        ):
            raise ValueError(
                "internal_research_only contradicts commercial_product, hosted_service, redistribute_weights "
                "and release_finetunes; declare one kind of use"
            )
        return self

    @property
    def commercial(self) -> bool:
        """Commercial use in any form (a product or a hosted service)."""
        return self.commercial_product or self.hosted_service

    @property
    def in_eu(self) -> bool:
        return any(r == "EU" or r in EU_MEMBER_STATES for r in self.regions)


class LicenseSelector(BaseModel):
    """Licenses picked by category and/or id (ids match license_db ids, SPDX ids, Hub ids and aliases)."""

    model_config = ConfigDict(extra="forbid")

    categories: list[LicenseCategory] = Field(default_factory=empty_list)
    ids: list[str] = Field(default_factory=empty_list)

    def empty(self) -> bool:
        return not self.categories and not self.ids


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    # adopter: an unmet obligation is a warning naming the risk inherited from the upstream publisher;
    # publisher (the CI gate on your own model): an unmet obligation of the target is an error
    role: Role = Role.ADOPTER
    fail_on: Severity = Severity.ERROR
    max_depth: int = Field(default=10, ge=0, le=1000)
    severity: dict[str, Severity] = Field(default_factory=dict)  # rule id or slug → severity override
    disabled_rules: list[str] = Field(default_factory=empty_list)  # rule ids or slugs not evaluated
    allow: LicenseSelector = Field(default_factory=LicenseSelector)  # when set, only these licenses pass
    deny: LicenseSelector = Field(default_factory=LicenseSelector)  # never accepted (wins over allow)
    require_osi: bool = False  # model and adapter licenses must be OSI-approved
    datasets: DatasetHandling = DatasetHandling.WARNING  # severity of findings caused by training data
    intended_use: IntendedUse = Field(default_factory=IntendedUse)
    # globs on node ids (org/*, acme/model, ./models/*): those nodes must ship a model signature that verifies
    require_signature: list[str] = Field(default_factory=list)

    def requires_signature(self, node_id: str) -> bool:
        from fnmatch import fnmatchcase

        return any(fnmatchcase(node_id, pattern) for pattern in self.require_signature)


def policies_dir() -> Path:
    """Ready policies: inside the installed package, or the repo's top-level folder in a checkout."""
    packaged = Path(__file__).resolve().parent.parent / "_data" / "policies"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "policies"


def list_policies() -> list[str]:
    return sorted(p.stem for p in policies_dir().glob("*.yaml"))


def policy_path(name_or_path: str) -> Path:
    """The file of a ready policy name (``default``) or a policy file path; ConfigError for an unknown name."""
    path = Path(name_or_path)
    if not (path.suffix in (".yaml", ".yml") or path.exists()):
        path = policies_dir() / f"{name_or_path}.yaml"
        if not path.exists():
            raise ConfigError(
                f"unknown policy {name_or_path!r}",
                hint=f"use one of: {', '.join(list_policies())}, or a path to a policy YAML file",
            )
    return path


def load_policy(name_or_path: str) -> Policy:
    """A ready policy by name (``default``) or a YAML file; errors name the file and the field."""
    from modelaudit.bounded import parse_yaml_mapping

    path = policy_path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read policy ({exc.strerror})") from None
    data = parse_yaml_mapping(text, str(path))
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{path}: invalid policy: {problems}") from None
    unknown = unknown_rule_names(policy)
    if unknown:
        raise ConfigError(
            f"{path}: invalid policy: {'; '.join(unknown)}",
            hint="`modelaudit policy show default` lists every rule id and slug",
        )
    return policy


def unknown_rule_names(policy: Policy) -> list[str]:
    """Rule names in ``severity`` / ``disabled_rules`` that match nothing: a typo must not silently do nothing."""
    from modelaudit.catalog import known

    problems = []
    for field, names in (("severity", sorted(policy.severity)), ("disabled_rules", policy.disabled_rules)):
        for name in names:
            if not known(name):
                problems.append(f"{field}.{name}: unknown rule id or slug")
    return problems
