"""Rules family. ``RULES`` is the registry: every rule class, keyed by its stable id.

Add a rule by writing a class in a themed module and listing it here; a test checks that every rule has
an id, a contract slug, a summary, a how-to-fix text and a default severity.
"""

from __future__ import annotations

from modelaudit.policy.rules.base import Rule, RuleContext, make_finding
from modelaudit.policy.rules.code_rules import RemoteCodeRequired
from modelaudit.policy.rules.license_rules import (
    LicenseConflict,
    LicenseDenied,
    NamingDuty,
    NoncommercialUpstream,
    UseRestrictionsDropped,
)
from modelaudit.policy.rules.lineage_rules import (
    GatedRepo,
    LineageCycle,
    LineageMismatch,
    LineageUnresolved,
    MetadataProblem,
)
from modelaudit.policy.rules.obligation_rules import ObligationUnmet, ObligationUnverified
from modelaudit.policy.rules.use_rules import UseNotPermitted, UseTermsUnreviewed
from modelaudit.policy.rules.verification_rules import FilesUnverified, SignatureMissing
from modelaudit.policy.rules.waiver_rules import WaiverExpired

RULES: dict[str, type[Rule]] = {
    cls.id: cls
    for cls in (
        LineageUnresolved,
        LineageCycle,
        GatedRepo,
        MetadataProblem,
        LineageMismatch,
        WaiverExpired,
        UseRestrictionsDropped,
        LicenseConflict,
        NoncommercialUpstream,
        NamingDuty,
        LicenseDenied,
        ObligationUnmet,
        ObligationUnverified,
        UseNotPermitted,
        UseTermsUnreviewed,
        FilesUnverified,
        SignatureMissing,
        RemoteCodeRequired,
    )
}

__all__ = ["RULES", "Rule", "RuleContext", "make_finding"]
