"""The rule catalog: one ``RuleSpec`` per rule id, whichever stage raises its findings.

Every finding modelaudit reports has an id and a slug listed here, with its default severity, a short and a
full description, how to fix it and where it is documented. The policy engine's rules
(``policy/rules``), the license assessment, the verification and smoke stages, policy validation (unknown
names in ``severity`` / ``disabled_rules``), ``modelaudit policy show`` and the SARIF rule descriptors all
read this one table, so a rule's words exist once. ``docs/rules.md`` is generated from it
(``render_markdown``; a test keeps it in step).

This module imports nothing but the domain models, so any stage may use it without pulling in the rules.
"""


from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from modelaudit.models import Evidence, Finding, Severity

DOCS_URI = "https://github.com/modelaudit/modelaudit/blob/main/docs/rules.md"


class Stage(StrEnum):
    """The pipeline stage whose facts a rule judges."""

    LINEAGE = "lineage"
    LICENSE = "license"
    VERIFY = "verify"
    SMOKE = "smoke"
    POLICY = "policy"
    APPLICATION = "application"
    WAIVER = "waiver"


class RuleSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str  # stable, e.g. "MA201"
    slug: str  # stable, e.g. "use-restrictions-dropped" (the report's ``name``)
    stage: Stage
    default_severity: Severity
    summary: str  # one sentence
    description: str  # what exactly is judged, and why it matters
    how_to_fix: str

    @property
    def name(self) -> str:
        """The slug under the name findings and rule classes use for it."""
        return self.slug

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URI}#{self.id.lower()}-{self.slug}"


class HasRuleMeta(Protocol):
    """A rule class or a spec: what a finding needs to name its rule."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def how_to_fix(self) -> str: ...
    @property
    def default_severity(self) -> Severity: ...


def make_finding(
    rule: HasRuleMeta | type[HasRuleMeta],
    node: str,
    message: str,
    evidence: Iterable[Evidence] | None = None,
    *,
    severity: Severity | None = None,
    how_to_fix: str | None = None,
) -> Finding:
    """A finding of ``rule`` (a spec, a rule class or a rule) on ``node``: id, slug and fix from the catalog."""
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=severity or rule.default_severity,
        node=node,
        message=message,
        how_to_fix=how_to_fix or rule.how_to_fix,
        evidence=list(evidence or []),
    )


def _spec(
    id: str, slug: str, stage: Stage, severity: Severity, summary: str, description: str, how_to_fix: str
) -> RuleSpec:
    return RuleSpec(
        id=id,
        slug=slug,
        stage=stage,
        default_severity=severity,
        summary=summary,
        description=description,
        how_to_fix=how_to_fix,
    )


_E, _W, _N = Severity.ERROR, Severity.WARNING, Severity.NOTE

# How to fix an unmet obligation, per kind (the obligation-unmet finding carries its kind's text).
OBLIGATION_FIXES: dict[str, str] = {
    "include-agreement": "add the license's full text as LICENSE (an upstream license's as "
    "`LICENSE-THIRD-PARTY-<id>.txt`)",
    "license-reference": "name the license in the card's `license` field or link its text",
    "notice-file": "add a NOTICE file with the license's Notice line, word for word",
    "copyright-notice": "keep the copyright line (yours for your license; the upstream's for its license) in the "
    "license text or NOTICE",
    "upstream-notice": "copy the attribution lines of the upstream's NOTICE file into your NOTICE (Apache-2.0 §4(d))",
    "built-with": 'state the required line (e.g. "Built with Llama") in the model card',
    "use-policy": "ship the license's use policy as USE_POLICY.md, or link it from the card",
    "mark-modifications": "name the model it was changed from in the card (`base_model`)",
    "credit": "credit the upstream model or dataset in the card and name its license",
}

# Kinds checked against the node's files; an unmet one is an ``obligation-unmet`` finding (MA240).
FILE_KINDS = frozenset(
    {
        "include-agreement",
        "license-reference",
        "notice-file",
        "copyright-notice",
        "upstream-notice",
        "built-with",
        "use-policy",
        "mark-modifications",
        "credit",
    }
)
# Unknown statuses of the target an ``obligation-unverified`` finding (MA241) reports: the file kinds, and the duties no
# file can show (corresponding source offered; a name prefix owed only if the model was made with the material)
UNVERIFIED_KINDS = frozenset({"source-disclosure", "naming-prefix"})
# Kinds judged from the licenses along the lineage; the license rules report them (MA201 to MA204).
LINEAGE_KINDS = frozenset(
    {
        "flow-down-use-policy",
        "naming-prefix",
        "share-alike",
        "non-commercial",
        "research-only",
        "no-derivatives",
        "no-redistribution",
    }
)
# Terms of use: they bind how the model is used, not what a repo ships.
TERM_KINDS = frozenset(
    {
        "commercial-condition",
        "output-use",
        "distillation",
        "user-cap",
        "revenue-cap",
        "hosting-restricted",
        "restricted-uses",
        "note",
        "attribution",
    }
)


_SPECS = [
    # ------------------------------------------------------------------------------------------ lineage
    _spec(
        "MA001",
        "lineage-unresolved",
        Stage.LINEAGE,
        _W,
        "A declared parent model or dataset could not be resolved, so its license is unchecked.",
        "A card, tag, adapter config, GGUF header or mergekit config names a parent that could not be read "
        "(not found, gated, private, offline, malformed, or beyond the crawl's depth or node cap). Its "
        "license and its own ancestors are therefore unchecked; the audit does not count them as passing.",
        "Make the parent readable (fix the id, set HF_TOKEN for gated or private repos, or populate the cache "
        "for offline scans), or waive the finding with a reason if the parent is known to be gone.",
    ),
    _spec(
        "MA002",
        "lineage-cycle",
        Stage.LINEAGE,
        _E,
        "Repos name each other as parents, so the lineage has no foundation.",
        "Every elementary cycle of the lineage graph is reported once, on its smallest node id. A cycle "
        "means at least one base_model claim is wrong, so the upstream licenses cannot be trusted.",
        "Correct the base_model fields so that derivation points one way, towards the base model.",
    ),
    _spec(
        "MA003",
        "gated",
        Stage.LINEAGE,
        _N,
        "The repo is gated: its terms must be accepted on the Hub before use.",
        "The Hub reports the repo as gated: someone must accept the publisher's terms before downloading it, "
        "and those terms bind the organisation that uses the model.",
        "Have an authorised person accept the model's terms on the Hub, record the acceptance, and "
        "audit with a token that has access so that weights can be verified.",
    ),
    _spec(
        "MA004",
        "metadata-unreadable",
        Stage.LINEAGE,
        _W,
        "Some of a repo's metadata could not be read, so facts may be missing.",
        "A card's front matter, config.json, adapter_config.json, GGUF or safetensors header or another "
        "metadata file was malformed or unreadable; licenses and parents it may declare are unknown.",
        "Fix or remove the malformed file named in the evidence.",
    ),
    _spec(
        "MA005",
        "lineage-mismatch",
        Stage.LINEAGE,
        _W,
        "The model card names one base model and the repo's files (adapter_config.json, GGUF metadata or "
        "a mergekit config) name another, so the real base is uncertain.",
        "Both claimed bases are kept in the lineage and judged, since either may be the real one; the "
        "disagreement itself is reported because the card is what users read.",
        "Make the card's base_model name the model the weights were actually derived from (the one in "
        "adapter_config.json, the GGUF metadata or the mergekit config), or fix the file; both bases are "
        "kept in the lineage until they agree.",
    ),
    # ------------------------------------------------------------------------------------------ licenses
    _spec(
        "MA101",
        "license-missing",
        Stage.LICENSE,
        _E,
        "No license was found for the model anywhere.",
        "Neither the card, the Hub tags, a LICENSE-like file nor the weights' metadata declares a license "
        "for the model (a code-only license file does not count). Without a license there is no permission "
        "to use or redistribute the model.",
        "Find the model's license (its card on the Hub, the publisher's site) and declare it: set `license:` "
        "in the README front matter (use `other` + `license_name` / `license_link` for custom licenses) and "
        "add the LICENSE file. Without a license there is no permission to use or redistribute the model.",
    ),
    _spec(
        "MA102",
        "license-unknown",
        Stage.LICENSE,
        _W,
        "A license is declared, but it resolves to no license modelaudit knows.",
        "Something is declared (a card value, a tag, a LICENSE file, a metadata key) but no source resolves "
        "to a known license id, an SPDX expression of known ids or a recognised license text, so its terms "
        "cannot be checked against the lineage or the policy.",
        "Declare a recognised license id (a Hub license id or SPDX id), or for a custom license set "
        "`license: other` with a `license_name` and `license_link`; add a LICENSE file with the full text. "
        "If the license is legitimate but new to modelaudit, add a record to license_db/.",
    ),
    _spec(
        "MA103",
        "license-mismatch",
        Stage.LICENSE,
        _W,
        "Two license sources of one repo name licenses that disagree.",
        "The strongest source (card, then tags, then license files, then weights' metadata) gives the node's "
        "license; every other source that resolves to an incompatible license is reported, naming both.",
        "Make the sources agree: fix the card's `license:` (and `license_name`), replace the LICENSE file, "
        "or the weights' metadata, so that every source names the license the weights are really under. "
        "If the repo's code and weights are under different licenses, name the code license file LICENSE-CODE.",
    ),
    # ------------------------------------------------------------------------------------------ lineage terms
    _spec(
        "MA201",
        "use-restrictions-dropped",
        Stage.POLICY,
        _E,
        "A derivative declares a license that drops its upstream's use restrictions, which must flow down to "
        "every derivative (Llama, Gemma, RAIL, DeepSeek, Falcon, Stability, ...).",
        "For every license record up the lineage that carries flow-down use restrictions, the nearest "
        "ancestor under it is checked: the derivative must be under the same agreement (or, for RAIL-style "
        "licenses, another license that carries use restrictions).",
        "Publish the derivative under the upstream's own agreement (alone, or combined with yours using AND), "
        "ship the agreement and its use policy with the weights, and correct the card's license field. A "
        "permissive license such as Apache-2.0 or MIT cannot replace terms that must flow down.",
    ),
    _spec(
        "MA202",
        "license-conflict",
        Stage.POLICY,
        _E,
        "A node's license is incompatible with an upstream license: share-alike or no-derivatives terms, a "
        "quantized copy that changed its source's license, or merge parents whose terms cannot all be met.",
        "Share-alike upstream licenses must be kept by derivatives (file-level copyleft only by modified "
        "files), no-derivatives and no-redistribution terms forbid publishing a derivative, a quantized copy "
        "keeps its source's license, and a merge cannot combine parents that each demand the whole work.",
        "License the derivative as the upstream requires (share-alike: the same license; a quantized copy: "
        "exactly its source's license), or do not publish it (no-derivatives and no-redistribution terms); "
        "for a merge, drop the parent whose terms cannot be combined with the others.",
    ),
    _spec(
        "MA203",
        "noncommercial-upstream",
        Stage.POLICY,
        _E,
        "A derivative whose license permits commercial use has a non-commercial or research-only ancestor "
        "(model or training data).",
        "The nearest non-commercial or research-only ancestor on each path is reported (what lies behind it "
        "is not reported again). Findings caused by training data take the policy's `datasets` severity.",
        "Do not offer the derivative for commercial use: license it non-commercially like its ancestor, or "
        "retrain it without the non-commercial model or data (or obtain a commercial license from its owner).",
    ),
    _spec(
        "MA204",
        "naming-duty",
        Stage.POLICY,
        _W,
        "A derivative's name breaks its upstream's naming duty (Llama 3.x / 4 derivatives must be named "
        'beginning with "Llama").',
        "The repo name, the card's model_name and the model-index name are compared with the naming prefix "
        "of every upstream license; the licensor's own releases are exempt.",
        "Rename the repo (or set the card's model_name) so that the name begins with the required prefix, "
        'e.g. "Llama-3.1-8B-MyTune", and display the upstream\'s "Built with" statement in the card.',
    ),
    _spec(
        "MA205",
        "license-denied",
        Stage.POLICY,
        _E,
        "A license in the lineage is denied by the policy (deny list, allow list, or require_osi).",
        "Every part of every node's license is matched against the policy's deny list, its allow list (when "
        "set) and require_osi; datasets take the policy's `datasets` severity.",
        "Choose a model whose whole lineage is under licenses the policy accepts, ask the policy owner to "
        "accept this license, or waive the finding with a reason and an expiry date.",
    ),
    _spec(
        "MA240",
        "obligation-unmet",
        Stage.POLICY,
        _E,
        "A license in the lineage asks something of the repo's files that they do not do: ship the license text, "
        'a NOTICE line, the use policy, a "Built with" statement, credit, ...',
        "Every duty the node's own license and the licenses upstream of it impose on whoever redistributes it "
        "is checked against the repo's files (LICENSE, NOTICE, USE_POLICY, the model card); the report's "
        "obligations list each with its status and evidence. For a publisher (the policy's role, or --role "
        "publisher) an unmet obligation of the target is an error; for an adopter it is a warning naming the "
        "risk inherited from the target's publisher. Upstream nodes' statuses stay in the report, not in "
        "findings: the duties they pass down are checked on the target itself, and their own repos are their "
        "publishers' to fix. Duties the license rules judge (use restrictions, share-alike, naming, "
        "non-commercial terms) are reported by those rules.",
        "Do what the obligation asks (each finding says how for its kind): "
        + "; ".join(f"{kind}: {text}" for kind, text in OBLIGATION_FIXES.items())
        + ". `modelaudit fix DIR` shows these changes for a local folder as a diff; `--write` applies them.",
    ),
    _spec(
        "MA241",
        "obligation-unverified",
        Stage.POLICY,
        _N,
        "An obligation of the target could not be checked (a file unread, the card's text not fetched, a text "
        "that cannot be identified), so it is not known to be met.",
        "An obligation whose status is unknown never counts as met; it is reported for the target so that a "
        "person checks it (a warning for a publisher, a note for an adopter).",
        "Make the file named in the evidence readable (or identifiable: the license's own text, unmodified) "
        "and scan again, or check the obligation by hand and waive the finding with the reviewer as approver.",
    ),
    _spec(
        "MA210",
        "use-not-permitted",
        Stage.POLICY,
        _E,
        "The policy's intended use is forbidden by a license in the lineage or by its acceptable-use policy, "
        "or would exceed a user or revenue cap.",
        "The policy's intended_use (commercial product, hosted service, redistribution, published "
        "fine-tunes, fields of use, regions, users and revenue) is matched against each node's license "
        "record and its reviewed use restrictions.",
        "Do not use this model for the declared purpose: pick a model whose whole lineage permits it, obtain "
        "a separate license from the licensor named in the message, or correct the policy's intended_use if "
        "it overstates how the model will be used.",
    ),
    _spec(
        "MA211",
        "use-terms-unreviewed",
        Stage.POLICY,
        _W,
        "The policy declares fields of use or regions, but a license's use policy has not been reviewed, so "
        "whether the use is permitted is unverified.",
        "A license record without reviewed restricted_uses cannot confirm that a declared field of use or "
        "region is permitted; the audit reports it instead of assuming it is.",
        "Read the use policy linked in the message against the declared use, record the outcome (add its "
        "restricted_uses to license_db, or waive the finding with the reviewer as approver).",
    ),
    _spec(
        "MA220",
        "files-unverified",
        Stage.POLICY,
        _N,
        "Some of the target's files were not proven to be the bytes the repo recorded (not hashed, missing, "
        "unreadable, or no recorded hash to compare with).",
        "Only a file whose SHA-256 was computed and equals the hash the repo recorded counts as verified; "
        "for a local folder (which records no hashes) hashing it is enough.",
        "Scan with --verify full and with the files present (download them, or scan the HF cache), or pin a "
        "revision whose files carry LFS hashes; waive the finding when the files come from a trusted folder.",
    ),
    _spec(
        "MA221",
        "signature-missing",
        Stage.POLICY,
        _E,
        "The policy requires a model signature for this repo, and it ships none that verifies.",
        "A policy's require_signature lists repos (globs on node ids, e.g. acme/*) that must ship an OpenSSF "
        "model signature (model.sig) verified with the key, certificate chain or Sigstore identity given to "
        "the scan. A repo without one, one whose signature was not checked (no trust material, files not "
        "hashed) or one that could not be read is reported; a signature that fails is signature-invalid.",
        "Ask the publisher to sign the model with model-signing (model_signing sign key|certificate|sigstore) "
        "and ship model.sig, then scan with --sig-key, --sig-cert-chain or --sig-identity/--sig-issuer and "
        "--verify full; or remove the repo from require_signature if the policy should not demand it.",
    ),
    # ------------------------------------------------------------------------------------------ verification
    _spec(
        "MA301",
        "hash-mismatch",
        Stage.VERIFY,
        _E,
        "A file's SHA-256 differs from the hash the repo recorded for it.",
        "The bytes on disk are not the bytes the repo published (a broken download, a tampered copy or a "
        "stale cache); they must not be loaded.",
        "Download the file again (delete it from the HF cache or the folder first) and re-run with --verify "
        "full; if it still differs, the bytes are not the ones the repo recorded: do not use them, and pin a "
        "revision whose hashes verify.",
    ),
    _spec(
        "MA302",
        "file-corrupt",
        Stage.VERIFY,
        _E,
        "A weights file fails its structure check (safetensors header and offsets, GGUF header).",
        "The header is malformed, oversized, or its tensors do not fit the file, so a loader would fail or "
        "read the wrong bytes.",
        "Re-download the file; if the copy on the Hub itself fails the check, ask the publisher to re-upload "
        "it (for safetensors, re-save with safetensors.torch.save_file) and do not load it meanwhile.",
    ),
    _spec(
        "MA303",
        "unsafe-serialization",
        Stage.VERIFY,
        _E,
        "A pickle-based weights file can run code when loaded.",
        "Pickle-based files (.bin, .pt, .pkl, ...) are scanned without loading them; the severity grows with "
        "what they import (an error for dangerous globals).",
        "Do not load pickle-based weights you have not reviewed. Prefer the repo's .safetensors files, or "
        "convert reviewed weights once in a sandbox (torch.load(weights_only=True) then safetensors "
        "save_file); a file importing dangerous globals should be reported to the Hub and never loaded.",
    ),
    _spec(
        "MA304",
        "declared-base-unsupported",
        Stage.VERIFY,
        _E,
        "The weights do not support the base model the card declares.",
        "Weight fingerprints of the model and its declared base share too few tensors, or an adapter does "
        "not fit its base, so the declared lineage (and the licenses it brings) may be wrong.",
        "Check the card's base_model: the weights do not descend from it. Fix the card (name the real base, "
        "or drop the claim) or obtain the model from a publisher who can document its lineage.",
    ),
    _spec(
        "MA305",
        "undeclared-base",
        Stage.VERIFY,
        _E,
        "The weights match a known model that the card does not name as a base.",
        "The model's weight fingerprint matches an indexed model that no ancestor names, so an undeclared "
        "upstream license may bind it.",
        "The weights match a known model the card does not name: add it as base_model on the card and carry "
        "its license obligations, or treat the model's license claim as unreliable.",
    ),
    _spec(
        "MA306",
        "file-unreadable",
        Stage.VERIFY,
        _W,
        "A file listed by the repo could not be read, so its bytes are unproven.",
        "Hashing or the structure check could not read the file (missing, permissions, gated access, I/O "
        "error); it is neither verified nor known to be bad.",
        "Make the file readable (download it, fix its permissions, or use a token with access for gated "
        "repos) and re-run; until then its bytes are unproven and must not be loaded.",
    ),
    _spec(
        "MA307",
        "signature-invalid",
        Stage.VERIFY,
        _E,
        "The model's signature does not verify, or the files are not the ones it signed.",
        "The model signature (model.sig, OpenSSF Model Signing) is checked with the given key, certificate "
        "chain or Sigstore identity, then every file is compared with the digest it signed: a signature that "
        "does not verify or cannot be read, a signed file that differs or is missing, and weights or code "
        "not covered by the signature (added after signing) are errors; other unsigned files are warnings.",
        "Do not use the files: obtain the model again from its publisher and check it with the publisher's "
        "key or identity. If the publisher changed the model on purpose, ask them to sign it again "
        "(model_signing sign ...) so that the signature covers every file.",
    ),
    # ------------------------------------------------------------------------------------------ smoke
    _spec(
        "MA401",
        "remote-code-required",
        Stage.SMOKE,
        _W,
        "The model needs the repository's own Python code to load.",
        "config.json's auto_map (or the adapter's base) or the repo's modeling_*.py files mean transformers "
        "would have to import code from the repo; modelaudit never runs it, so such a model is reported, "
        "not loaded.",
        "Prefer a revision or a port of the model that loads with the architectures built into transformers "
        "(no auto_map). If you must use it, review every .py file the auto_map names at a pinned revision, "
        "and load it yourself in a sandbox; modelaudit never runs repository code.",
    ),
    _spec(
        "MA402",
        "smoke-failed",
        Stage.SMOKE,
        _E,
        "The model did not load or run cleanly in the smoke test.",
        "The smoke run (a child process with a timeout and a memory cap) failed to load the weights, "
        "tokenise, or produce finite outputs.",
        "Read the phase and error: 'load' means the weights, config or dtype do not fit the architecture or "
        "the device (check the files verify cleanly, free memory, or try --device cpu); 'tokenise' means the "
        "tokenizer files are missing or broken; 'run' with non-finite outputs means NaN/inf weights or a "
        "dtype overflow (try float32). A timeout or memory kill needs a larger --smoke-timeout or a machine "
        "with more memory.",
    ),
    # ------------------------------------------------------------------------------------------ application
    _spec(
        "MA501",
        "app-model-fails",
        Stage.APPLICATION,
        _E,
        "A model or dataset the application loads fails its audit under the application's policy.",
        "Every Hub repo the application's code, notebooks, configs or scripts name is audited (lineage, "
        "licenses, the policy's intended use); a repo whose audit fails is reported on every line that "
        "references it, naming the rules it fails.",
        "Replace the reference with a model whose whole lineage the policy accepts, obtain the license the "
        "failing rule names, or waive the finding with a reason; `modelaudit scan <repo>` shows the full audit.",
    ),
    _spec(
        "MA502",
        "app-noncommercial-model",
        Stage.APPLICATION,
        _W,
        "The application's license permits commercial use, but a model it loads is non-commercial or "
        "research-only.",
        "The application's own license (LICENSE, pyproject.toml, package.json) lets anyone use it "
        "commercially, while a license in the lineage of a model it loads forbids commercial use or limits it "
        "to research: whoever uses the application commercially breaks that model's terms. Under a policy "
        "whose intended use is commercial, the model's own audit already fails (app-model-fails).",
        "Use a model whose lineage permits commercial use, or state prominently (README, NOTICE) that the "
        "application may only be used non-commercially with that model and license the application to match.",
    ),
    _spec(
        "MA503",
        "app-terms-not-passed-on",
        Stage.APPLICATION,
        _W,
        "A model's license requires terms to be passed on to the application's users (a use policy, a notice, "
        'a "Built with" statement), and the application\'s README, docs and NOTICE do not carry them.',
        "For every license in the lineage of each model the application loads, the duties that bind a product "
        "built with the model are checked in the application's README, NOTICE and docs: the license's notice "
        'line (e.g. the Gemma notice), its "Built with" statement (e.g. "Built with Llama"), and, for '
        "licenses whose use restrictions flow down, a reference to the acceptable-use policy.",
        "Add the missing text to the application's README or NOTICE: the license's notice line verbatim, the "
        '"Built with" statement where users see it, and a link to the use policy that binds end users.',
    ),
    _spec(
        "MA504",
        "app-weights-redistributed",
        Stage.APPLICATION,
        _E,
        "The repository ships model weights whose license does not let them be redistributed under the "
        "application's license.",
        "Weights committed to the application's repository are redistributed with it, under the application's "
        "license unless their folder carries their own. Their lineage is audited: weights under terms that "
        "must flow down (Llama, Gemma, RAIL ...), share-alike, non-commercial, no-redistribution or unknown "
        "terms cannot ride under a permissive application license.",
        "Remove the weights from the repository and download them at run time from their publisher, or ship "
        "them in a folder with their own license and agreement (LICENSE, use policy, notice) and make the "
        "application's license say that the weights are not covered by it.",
    ),
    _spec(
        "MA505",
        "app-reference-unpinned",
        Stage.APPLICATION,
        _W,
        "A model or dataset is loaded without a pinned revision, so it can change under the application.",
        "A reference names a Hub repo without a 40-character commit (revision=...), like an unpinned "
        "dependency: the publisher can replace the weights, the card or the license at any time.",
        'Pin the revision at the loading call (`revision="<commit>"`, `--revision <commit>`) to the commit you '
        "audited, and update it deliberately.",
    ),
    _spec(
        "MA506",
        "app-reference-unresolved",
        Stage.APPLICATION,
        _N,
        "A loading call's model or dataset could not be determined from the code, so it was not audited.",
        "The name comes from a parameter, the command line, the environment, another module, an expression, "
        "a local path or a task's default model: discovery reports it instead of guessing, and what it "
        "loads is unchecked.",
        "Make the reference auditable: name the Hub repo in the code or configuration (a constant or a "
        "default the call uses), or add the models the application really loads to a fleet inventory.",
    ),
    _spec(
        "MA507",
        "app-model-unaudited",
        Stage.APPLICATION,
        _E,
        "A model or dataset the application references could not be audited (not found, gated, unreadable).",
        "The repo does not exist under that name, is private or gated without access, or could not be read; "
        "its license is unknown and the audit does not count it as passing.",
        "Fix the reference (a typo, a renamed repo), or make the repo readable (HF_TOKEN with access to "
        "gated or private repos) and audit again.",
    ),
    _spec(
        "MA508",
        "app-code-unreadable",
        Stage.APPLICATION,
        _W,
        "A file of the application could not be read for references, so the models it loads are unknown.",
        "A Python file or notebook cell that is not valid Python, malformed YAML / JSON / TOML, or a file too "
        "large to read: references in it may be missed, so it is reported, never taken as naming none.",
        "Fix the file's syntax (or split it), or waive the finding for a file that loads no models.",
    ),
    _spec(
        "MA509",
        "app-license-unknown",
        Stage.APPLICATION,
        _N,
        "The application's own license could not be determined, so redistribution and commercial use of the "
        "models it uses cannot be judged against it.",
        "No LICENSE file, pyproject.toml license or package.json license was found, or none was recognised.",
        "Add a LICENSE file (and the license field of pyproject.toml or package.json) to the application.",
    ),
    # ------------------------------------------------------------------------------------------ waivers
    _spec(
        "MA901",
        "waiver-expired",
        Stage.WAIVER,
        _N,
        "A waiver has passed its expiry date, so the findings it covered count again.",
        "Waivers are judged after every rule has run; an expired waiver no longer hides its findings and is "
        "itself reported so that its approver reviews it.",
        "Fix the underlying finding, or have the approver review the decision and renew the waiver "
        "with a new expiry date; remove waivers that no longer match anything.",
    ),
]

CATALOG: dict[str, RuleSpec] = {s.id: s for s in _SPECS}
_BY_SLUG: dict[str, RuleSpec] = {s.slug: s for s in _SPECS}


def spec(id_or_slug: str) -> RuleSpec:
    """The spec of a rule id (``MA201``) or slug (``use-restrictions-dropped``); KeyError when unknown."""
    found = CATALOG.get(id_or_slug) or _BY_SLUG.get(id_or_slug)
    if found is None:
        raise KeyError(id_or_slug)
    return found


def known(id_or_slug: str) -> bool:
    return id_or_slug in CATALOG or id_or_slug in _BY_SLUG


OBLIGATIONS_EXAMPLE = """## Example: an obligations report and a `fix` session

The bundled `examples/relicensed-chat` is a fine-tune of `examples/tiny-llama-base` (Llama 3.1 Community
License) that declares Apache-2.0 and ships nothing but its card. Scanned as its publisher, every duty the
Llama license passes down is checked against its files:

```console
$ modelaudit scan examples/relicensed-chat --offline --role publisher
====================================================================================================
FAIL  examples/relicensed-chat
6 errors, 1 warning, 0 notes · policy default (fails on error) · revision unpinned
====================================================================================================
...
  [ERROR] MA240 obligation-unmet · examples/relicensed-chat
    examples/relicensed-chat does not meet the llama3.1 obligation “Ship a "Notice" file with:
    "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc.
    All Rights Reserved."” (a duty that examples/tiny-llama-base's license passes down): a NOTICE
    file with "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta
    Platforms, Inc. All Rights Reserved.": there is no NOTICE file.
    evidence obligation:file: NOTICE
    evidence obligation: llama3.1 notice-file
    evidence looked-for: a NOTICE file with "Llama 3.1 is licensed under the Llama 3.1 Community
      License, Copyright © Meta Platforms, Inc. All Rights Reserved.": there is no NOTICE file
    fix: Add a NOTICE file with the license's Notice line, word for word (`modelaudit fix DIR`
        writes it for a local folder).
...
OBLIGATIONS
───────────
[!] Include the license agreement (Apache-2.0), examples/relicensed-chat: NOT MET
      looked-for: a LICENSE file with the text of Apache-2.0: there is none
[!] Display “Built with …” (llama3.1), examples/relicensed-chat through examples/tiny-llama-base:
      NOT MET
      file:README.md: does not state "Built with Llama" (required by llama3.1)
[!] Pass on the use restrictions (llama3.1), examples/relicensed-chat through
      examples/tiny-llama-base: NOT MET
      license:examples/relicensed-chat: Apache-2.0 does not carry the use restrictions of llama3.1
        (from examples/tiny-llama-base)
[!] Include the license agreement (llama3.1), examples/relicensed-chat through
      examples/tiny-llama-base: NOT MET
      looked-for: a LICENSE file with the text of llama3.1: there is none
[!] Use the required name prefix (llama3.1), examples/relicensed-chat through
      examples/tiny-llama-base: NOT MET
      name: relicensed-chat does not begin with 'Llama'
[!] Ship the required notice (llama3.1), examples/relicensed-chat through examples/tiny-llama-base:
      NOT MET
      looked-for: a NOTICE file with "Llama 3.1 is licensed under the Llama 3.1 Community License,
        Copyright © Meta Platforms, Inc. All Rights Reserved.": there is no NOTICE file
[!] Ship or link the use policy (llama3.1), examples/relicensed-chat through
      examples/tiny-llama-base: NOT MET
      looked-for: a USE_POLICY file, or a link to https://llama.meta.com/llama3_1/use-policy in the
        card or a license file
[-] Mark modifications (Apache-2.0), examples/relicensed-chat: not applicable
      obligation: applies to modified copies; no upstream under this license
6 more of upstream nodes (4 not met by their own repos): see the JSON or HTML report
    terms of use of Apache-2.0: Patent grant terminates on patent litigation
    terms of use of llama3.1: Meet the commercial-use condition; Treat models trained on its outputs
      as derivatives; Respect limits on using outputs; Respect the restricted uses; Stay under the
      user cap

WHAT TO CHANGE: EXAMPLES/RELICENSED-CHAT
────────────────────────────────────────
licenses it may carry: llama3.1 | llama3.1 AND <your own terms>
 1. Publish the model under llama3.1. The lineage requires llama3.1: llama3.1 must travel with every
    derivative. Publish under it alone, or combine it with your own terms using AND.
 2. Add LICENSE with the text of llama3.1: recipients must get a copy of Llama 3.1 Community License
    Agreement.
 3. Add USE_POLICY.md with the use policy of llama3.1: Llama 3.1 Community License Agreement
    incorporates its use policy (https://llama.meta.com/llama3_1/use-policy).
 4. Add NOTICE with the lines “Llama 3.1 is licensed under the Llama 3.1 Community License,
    Copyright © Meta Platforms, Inc. All Rights Reserved.”: the Notice lines the licenses require,
    and the attribution lines collected from upstream.
 5. In the card's front matter set license: llama3.1 (declare llama3.1, which the lineage requires).
 6. State “Built with Llama” in the model card (llama3.1 requires it).
 7. In the card's front matter set model_name: Llama-relicensed-chat (llama3.1 requires the name to
    begin with "Llama" (or rename the repo)).
...
examples/relicensed-chat: FAIL under policy 'default' (6 error, 1 warning, 0 note; 2 node(s))
```

`modelaudit fix` prints the same plan as a unified diff of the folder (stdout) and changes nothing;
`--write` applies it, keeping a copy of every file it changes, and scans again:

```console
$ modelaudit fix examples/relicensed-chat --offline            # the plan as a unified diff; nothing changes
--- /dev/null
+++ b/LICENSE
@@ -0,0 +1,48 @@
+ LLAMA 3.1 COMMUNITY LICENSE AGREEMENT
...
--- /dev/null
+++ b/USE_POLICY.md
@@ -0,0 +1,48 @@
+**Llama 3.1** **Acceptable Use Policy**
...
--- /dev/null
+++ b/NOTICE
@@ -0,0 +1 @@
+Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.
--- a/README.md
+++ b/README.md
@@ -1,12 +1,20 @@
 ---
-license: apache-2.0
+license: llama3.1
 library_name: transformers
 pipeline_tag: text-generation
 base_model: tiny-llama-base
 base_model_relation: finetune
 tags: [llama, example]
+model_name: Llama-relicensed-chat
 ---

 # relicensed-chat

 An example of what modelaudit catches: a fine-tune of tiny-llama-base declared Apache-2.0.
+
+<!-- modelaudit fix: license and attribution -->
+## License and attribution
+
+Built with Llama.
+
+<!-- /modelaudit fix -->
licenses it may carry: llama3.1 | llama3.1 AND <your own terms>
  The lineage requires llama3.1: llama3.1 must travel with every derivative. Publish under it alone, or combine it with your own terms using AND.
4 file(s) would change; run again with --write to apply
$ modelaudit fix examples/relicensed-chat --offline --write    # applied after a backup, then rescanned
licenses it may carry: llama3.1 | llama3.1 AND <your own terms>
  The lineage requires llama3.1: llama3.1 must travel with every derivative. Publish under it alone, or combine it with your own terms using AND.
created LICENSE
created USE_POLICY.md
created NOTICE
changed README.md
backup of the previous files: /tmp/demo/examples/relicensed-chat/.modelaudit-backup/20261208T002001Z
rescan: every license and obligation rule passes (policy verdict: pass)
```

The texts `fix` writes come from `license_db/texts` (sources in its `SOURCES.md`); it never touches weights,
refuses a Hub id (clone the repo first) and a read-only folder (exit 2), and lists on stderr what it cannot do
(a copyright holder only you can name, a license whose text modelaudit does not ship). See
[obligations.md](obligations.md) for every check.
"""


def render_markdown() -> str:
    """``docs/rules.md``: every rule, grouped by stage, in id order."""
    out = [
        "# Rules",
        "",
        "Generated from `src/modelaudit/catalog.py` (`python -m modelaudit.catalog > "
        "docs/rules.md`); do not edit by hand.",
        "Each finding in a report names its rule by id (`rule`) and slug (`name`); a policy's `severity` and "
        "`disabled_rules` accept either.",
        "",
    ]
    for s in sorted(CATALOG.values(), key=lambda s: s.id):
        out += [
            f"## {s.id} {s.slug}",
            "",
            f"Stage: {s.stage.value} · default severity: {s.default_severity.value}",
            "",
            s.summary,
            "",
            s.description,
            "",
        ]
        if s.slug == "obligation-unmet":
            out += ["**How to fix**, by obligation kind (each finding carries its kind's):", ""]
            out += ["| kind | how to fix |", "|---|---|"]
            out += [
                f"| `{kind}` | {text[0].upper() + text[1:]}. |" for kind, text in OBLIGATION_FIXES.items()
            ]
            out += [
                "",
                "`modelaudit fix DIR` shows these changes for a local folder as a diff; `--write` applies them.",
                "",
            ]
        else:
            out += [f"**How to fix:** {s.how_to_fix}", ""]
    out += OBLIGATIONS_EXAMPLE.splitlines()
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover - regenerates docs/rules.md
    import sys

    sys.stdout.write(render_markdown())
