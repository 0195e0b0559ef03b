"""``modelaudit scan``: the main job. A thin layer over :func:`modelaudit.pipeline.scan`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from modelaudit.cli._options import (
    device_option,
    max_depth_option,
    max_nodes_option,
    no_cache_option,
    offline_option,
    quiet_option,
    role_option,
    timeout_option,
)
from modelaudit.cli.verify import VERIFY_MODES, early_hashing
from modelaudit.config import DEFAULT_DEADLINE
from modelaudit.errors import ExitCode, UsageError
from modelaudit.verify.hashing import DEFAULT_WORKERS

# the pipeline, the models and the report writers load inside the command, once hashing has started
if TYPE_CHECKING:
    from modelaudit.pipeline import ScanOptions
    from modelaudit.verify.hashpool import HashPool

FORMAT_CHOICES = ["text", "json", "html", "md", "sarif", "spdx", "spdx3", "cyclonedx", "notice"]


@click.command("scan")
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(FORMAT_CHOICES),
    envvar="MODELAUDIT_FORMAT",
    help="Report format; repeat for several (then -o must be a folder). Default: text.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    envvar="MODELAUDIT_OUTPUT",
    help="Write the report to this file, or into this folder for several formats or targets.",
)
@click.option(
    "--policy",
    default="default",
    show_default=True,
    envvar="MODELAUDIT_POLICY",
    help="A ready policy name (see `modelaudit policy list`) or a policy YAML file.",
)
@role_option()
@click.option(
    "--waivers",
    type=click.Path(dir_okay=False),
    envvar="MODELAUDIT_WAIVERS",
    help="YAML file of waivers (rule, node, reason, expiry, approver).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    envvar="MODELAUDIT_BASELINE",
    help="An earlier JSON report: only findings new since then count toward failure.",
)
@click.option(
    "--against",
    metavar="REVISION",
    help="Also scan the same Hub repo at REVISION (e.g. main) and report what TARGET changes (a pull "
    "request such as org/name@refs/pr/3); only findings TARGET introduces count toward failure. "
    "text and md show the comparison; json the target's report with the comparison under `comparison`; "
    "other formats the target's report.",
)
@offline_option("Read only the Hugging Face cache and local folders (also: HF_HUB_OFFLINE=1).")
@click.option(
    "--verify",
    "verify_mode",
    type=click.Choice(VERIFY_MODES),
    envvar="MODELAUDIT_VERIFY",
    help="Weight checks: none, headers (structure only), full (hash every file). "
    "Default: headers for Hub targets, full for folders and the cache.",
)
@click.option(
    "--fingerprint/--no-fingerprint",
    "fingerprint",
    default=None,
    help="Compare weight fingerprints of the target and its direct parents with the declared lineage and "
    "the fingerprint index (range reads only). Default: on unless --verify none.",
)
@click.option(
    "--fingerprint-index",
    type=click.Path(dir_okay=False),
    envvar="MODELAUDIT_FINGERPRINT_INDEX",
    help="Fingerprint index of known base models (built with `modelaudit fingerprint index add`); "
    "default: the user data folder's.",
)
@click.option(
    "--smoke", is_flag=True, help="Run a smoke inference in a child process (needs the [smoke] extra)."
)
@device_option("Device for --smoke.")
@click.option(
    "--smoke-timeout",
    default=300.0,
    show_default=True,
    type=click.FloatRange(min=1),
    help="Seconds before the smoke run is killed.",
)
@click.option(
    "--signature",
    type=click.Path(),
    envvar="MODELAUDIT_SIGNATURE",
    help="The target's model signature: a local file, or a path in the repo. Default: the repo's model.sig.",
)
@click.option(
    "--sig-key",
    type=click.Path(dir_okay=False),
    envvar="MODELAUDIT_SIG_KEY",
    help="Verify the model signature with this PEM public key (model_signing sign key).",
)
@click.option(
    "--sig-cert-chain",
    type=click.Path(dir_okay=False),
    multiple=True,
    help="Verify the model signature with this PEM certificate chain (model_signing sign certificate); "
    "repeat for several files.",
)
@click.option(
    "--sig-identity",
    metavar="IDENTITY",
    help="Verify a Sigstore-signed model signature: the signer's identity (e-mail or workflow URI).",
)
@click.option("--sig-issuer", metavar="URL", help="With --sig-identity: the OIDC issuer of the identity.")
@click.option(
    "--trust-root",
    type=click.Path(dir_okay=False),
    help="With --sig-identity: a Sigstore trust root (ClientTrustConfig JSON) for air-gapped verification; "
    "without it the public-good instance's root is fetched.",
)
@click.option(
    "--attest",
    type=click.Path(dir_okay=False),
    help="Write a signed attestation of this audit (in-toto Statement in a DSSE envelope) to this file; "
    "check it with `modelaudit verify-attestation`. Needs --attest-key and the files hashed (--verify full).",
)
@click.option(
    "--attest-key",
    type=click.Path(dir_okay=False),
    envvar="MODELAUDIT_ATTEST_KEY",
    help="PEM private key (PKCS#8: Ed25519, ECDSA or RSA) that signs the --attest attestation.",
)
@max_depth_option("Lineage depth limit (default: the policy's, 10).")
@max_nodes_option("Stop the lineage crawl after this many nodes.", default=500)
@timeout_option()
@click.option(
    "--deadline",
    default=DEFAULT_DEADLINE,
    show_default=True,
    type=click.FloatRange(min=0.1),
    envvar="MODELAUDIT_DEADLINE",
    help="Seconds for all Hub requests of a scan together; what is not read by then is reported as timed out.",
)
@click.option(
    "--allow-incomplete",
    is_flag=True,
    envvar="MODELAUDIT_ALLOW_INCOMPLETE",
    help="When repos of the lineage cannot be read after retries (5xx, resets, timeouts, --deadline), report "
    "them as a warning finding instead of ending with exit 2 (audit incomplete).",
)
@no_cache_option()
@quiet_option()
def scan_command(
    targets: tuple[str, ...],
    formats: tuple[str, ...],
    output: str | None,
    policy: str,
    role: str | None,
    waivers: str | None,
    baseline: str | None,
    against: str | None,
    offline: bool,
    verify_mode: str | None,
    fingerprint: bool | None,
    fingerprint_index: str | None,
    smoke: bool,
    device: str,
    smoke_timeout: float,
    signature: str | None,
    sig_key: str | None,
    sig_cert_chain: tuple[str, ...],
    sig_identity: str | None,
    sig_issuer: str | None,
    trust_root: str | None,
    attest: str | None,
    attest_key: str | None,
    max_depth: int | None,
    max_nodes: int,
    timeout: float,
    deadline: float,
    allow_incomplete: bool,
    no_cache: bool,
    quiet: bool,
) -> int:
    """Audit TARGET: a Hub id (org/name[@rev]), a Hub URL, datasets/org/name, or a model folder.

    \b
    Examples:
      modelaudit scan meta-llama/Llama-3.1-8B-Instruct
      modelaudit scan ./my-model --policy commercial -f sarif -o modelaudit.sarif
      modelaudit scan org/model -f html -f json -o reports/
      modelaudit scan org/model@refs/pr/3 --against main -f md
    """
    # ScanOptions (pydantic) loads inside _scan: the settings travel as a dict
    settings: dict[str, Any] = {
        "policy": policy,
        "role": role,
        "waivers": waivers,
        "baseline": baseline,
        "offline": offline,
        "verify": verify_mode,
        "fingerprint": fingerprint,
        "fingerprint_index": fingerprint_index,
        "smoke": smoke,
        "device": device,
        "smoke_timeout": smoke_timeout,
        "max_depth": max_depth,
        "max_nodes": max_nodes,
        "timeout": timeout,
        "deadline": deadline,
        "no_cache": no_cache,
        "allow_incomplete": allow_incomplete,
        "signature": signature,
        "sig_key": sig_key,
        "sig_cert_chain": list(sig_cert_chain),
        "sig_identity": sig_identity,
        "sig_issuer": sig_issuer,
        "trust_root": trust_root,
    }
    if signature is not None and len(targets) > 1:
        raise UsageError("--signature names the signature of one target; give one TARGET")
    attestation = _attest_request(targets, against, attest, attest_key, verify_mode)
    fmts = list(dict.fromkeys(formats)) or ["text"]
    if (len(fmts) > 1 or len(targets) > 1) and output is None and any(f != "text" for f in fmts):
        raise UsageError("several formats or targets need -o FOLDER", hint="e.g. -o reports/")
    if against is not None and len(targets) != 1:
        raise UsageError("--against compares one target with another revision of it; give one TARGET")
    # local folders hashed in full (a folder's default): their large files are hashed from now on, while the
    # pipeline loads and the lineage is crawled; the verify stage takes the digests by file identity
    full = against is None and verify_mode in (None, "full")
    pool = early_hashing(list(targets), DEFAULT_WORKERS) if full else None
    try:
        return _scan(targets, fmts, output, against, quiet, settings, attestation, pool)
    finally:
        if pool is not None:
            pool.close()


def _attest_request(
    targets: tuple[str, ...], against: str | None, attest: str | None, key: str | None, verify_mode: str | None
) -> tuple[str, str] | None:
    """(attestation file, key file) when --attest is asked for and can be honoured; UsageError otherwise."""
    if attest is None and key is None:
        return None
    if attest is None or key is None:
        raise UsageError("--attest FILE and --attest-key KEY go together")
    if len(targets) != 1 or against is not None:
        raise UsageError("--attest signs the audit of one target; give one TARGET (and no --against)")
    if verify_mode not in (None, "full"):
        raise UsageError(
            "--attest lists the SHA-256 of every file of the target: it needs --verify full",
            hint="leave --verify out (--attest hashes every file) or pass --verify full",
        )
    if not os.path.isfile(key):
        from modelaudit.errors import InputError

        raise InputError(key, "no such file")
    return attest, key


def _scan(
    targets: tuple[str, ...],
    fmts: list[str],
    output: str | None,
    against: str | None,
    quiet: bool,
    settings: dict[str, Any],
    attestation: tuple[str, str] | None = None,
    pool: HashPool | None = None,
) -> int:
    from modelaudit.cli._output import emit_reports, summary_line
    from modelaudit.cli._progress import TerminalProgress
    from modelaudit.models import ScanReport, Verdict
    from modelaudit.pipeline import ScanOptions, scan

    if attestation is not None and settings.get("verify") is None:
        settings = {**settings, "verify": "full"}  # the attestation's subjects are the files' digests
    options = ScanOptions.model_validate(settings)
    options.signature_trust().check()  # contradictory or missing signature options: exit 2 before any work
    # on a terminal: the stage on one line, and a bar in bytes while --verify full hashes; CI logs stay clean
    terminal = None if quiet or not sys.stderr.isatty() else TerminalProgress(sys.stderr)
    progress = terminal.stage if terminal is not None else None
    if against is not None:
        return _scan_against(targets[0], against, options, fmts, output, progress, quiet)
    reports: list[ScanReport] = []
    try:
        for target in targets:
            hashing = terminal.hashing if terminal is not None else None
            report = scan(target, options, progress=progress, hashing=hashing, pool=pool)
            reports.append(report)
    finally:
        if terminal is not None:
            terminal.close()
    emit_reports(reports, fmts, output)
    if attestation is not None:  # after the report: a report is written even when the audit cannot be signed
        from modelaudit.attest import write_attestation

        path, key = attestation
        written = write_attestation(reports[0], key, path, policy=options.policy)
        if not quiet:
            click.echo(f"wrote attestation {written} ({reports[0].verdict.value})", err=True)
    if os.environ.get("GITHUB_ACTIONS") == "true":  # annotations on the pull request; stdout stays the report
        from modelaudit.cli._annotations import annotation_lines

        for line in annotation_lines(reports):
            click.echo(line, err=True)
    if not quiet:
        for report in reports:
            click.echo(summary_line(report), err=True)
    failed = any(r.verdict is Verdict.FAIL for r in reports)
    sys.stdout.flush()
    return int(ExitCode.POLICY_FAILED if failed else ExitCode.OK)


def _scan_against(
    target: str,
    against: str,
    options: ScanOptions,
    fmts: list[str],
    output: str | None,
    progress: Callable[[str], None] | None,
    quiet: bool,
) -> int:
    """``scan TARGET --against REV``: text and md render the comparison, other formats the head report (which
    carries the comparison: the JSON report has it under ``comparison``)."""
    from pathlib import Path

    from modelaudit.cli._output import emit_reports, report_slug, summary_line, write_atomic
    from modelaudit.compare import compare_revisions
    from modelaudit.formats import COMPARISON_FORMATS
    from modelaudit.models import Verdict

    comparison, report = compare_revisions(target, against, options, progress=progress)
    as_folder = output is not None and (
        len(fmts) > 1 or output.endswith(("/", os.sep)) or Path(output).is_dir()
    )
    for name in fmts:
        if name not in COMPARISON_FORMATS:
            emit_reports([report], [name], os.path.join(output, "") if output and as_folder else output)
            continue
        formatter = COMPARISON_FORMATS.formatter(name)
        text = formatter.render(comparison)
        if output is None:
            sys.stdout.write(text if isinstance(text, str) else text.decode("utf-8"))
        elif as_folder:
            path = Path(output) / f"{report_slug(report)}{formatter.suffix}"
            write_atomic(path, text)
            click.echo(f"wrote {path}", err=True)
        else:
            write_atomic(Path(output), text)
    if not quiet:
        click.echo(summary_line(report), err=True)
    sys.stdout.flush()
    return int(ExitCode.POLICY_FAILED if report.verdict is Verdict.FAIL else ExitCode.OK)
