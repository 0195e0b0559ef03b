"""Rule ids, slugs and fixes for the findings the verification stage produces."""

from __future__ import annotations

from modelaudit.models import Evidence, Finding, Severity

RULES: dict[str, tuple[str, str]] = {
    "hash-mismatch": (
        "MA301",
        "Download the file again (delete it from the HF cache or the folder first) and re-run with --verify full; "
        "if it still differs, the bytes are not the ones the repo recorded: do not use them, and pin a revision "
        "whose hashes verify.",
    ),
    "file-corrupt": (
        "MA302",
        "Re-download the file; if the copy on the Hub itself fails the check, ask the publisher to re-upload it "
        "(for safetensors, re-save with safetensors.torch.save_file) and do not load it meanwhile.",
    ),
    "unsafe-serialization": (
        "MA303",
        "Do not load pickle-based weights you have not reviewed. Prefer the repo's .safetensors files, or convert "
        "reviewed weights once in a sandbox (torch.load(weights_only=True) then safetensors save_file); a file "
        "importing dangerous globals should be reported to the Hub and never loaded.",
    ),
    "file-unreadable": (
        "MA306",
        "Make the file readable (download it, fix its permissions, or use a token with access for gated repos) "
        "and re-run; until then its bytes are unproven and must not be loaded.",
    ),
    "declared-base-unsupported": (
        "MA304",
        "Check the card's base_model: the weights do not descend from it. Fix the card (name the real base, or "
        "drop the claim) or obtain the model from a publisher who can document its lineage.",
    ),
    "undeclared-base": (
        "MA305",
        "The weights match a known model the card does not name: add it as base_model on the card and carry its "
        "license obligations, or treat the model's license claim as unreliable.",
    ),
}


def finding(
    slug: str, severity: Severity, node: str, message: str, evidence: list[Evidence] | None = None
) -> Finding:
    rule, fix = RULES[slug]
    return Finding(
        rule=rule,
        name=slug,
        severity=severity,
        node=node,
        message=message,
        how_to_fix=fix,
        evidence=list(evidence or []),
    )
