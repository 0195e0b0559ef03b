"""``modelaudit verify-attestation``: check a signed audit where the model is deployed (see attest.py)."""

from __future__ import annotations

import sys

import click

from modelaudit.cli._options import format_option, offline_option, timeout_option
from modelaudit.config import DEFAULT_DEADLINE, env_offline


@click.command("verify-attestation")
@click.argument("attestation", type=click.Path(dir_okay=False))
@click.argument("target")
@click.option(
    "--key",
    required=True,
    type=click.Path(dir_okay=False),
    envvar="MODELAUDIT_ATTEST_PUBKEY",
    help="PEM public key (or certificate) of the key that signed the attestation.",
)
@click.option(
    "--policy",
    help="The policy the audit must have passed: a ready policy name or a policy file (its name and the "
    "SHA-256 of its file must be the attested ones).",
)
@click.option("--max-age", metavar="AGE", help="Refuse attestations older than this: 30d, 12h, 90m, 2w.")
@format_option(help="text: one line; json: the check as an object.")
@offline_option("Read a Hub target from the Hugging Face cache only.", envvar=False)
@timeout_option("Seconds per Hub request.", envvar=False)
def verify_attestation_command(
    attestation: str,
    target: str,
    key: str,
    policy: str | None,
    max_age: str | None,
    fmt: str,
    offline: bool,
    timeout: float,
) -> int:
    """Check that ATTESTATION (written by `scan --attest`) vouches for the files at TARGET.

    TARGET is a model folder or a Hub repo at a revision (org/name@rev). All must hold: the signature
    verifies with --key, the files at TARGET are exactly the attested ones (same paths, same SHA-256), the
    verdict is pass (under --policy when given) and the attestation is younger than --max-age.

    \b
    Exit codes: 0 all hold; 1 the attestation is valid but says no (a FAIL verdict, another policy,
    stale, different files); 2 it is malformed or its signature does not verify, or an input is missing.

    \b
    Examples:
      modelaudit verify-attestation audit.intoto.json ./my-model --key audit.pub --policy commercial
      modelaudit verify-attestation audit.intoto.json org/model@3f2a... --key audit.pub --max-age 30d
    """
    from modelaudit.attest import parse_age, verify_attestation
    from modelaudit.sources import SourceSet

    age = parse_age(max_age) if max_age is not None else None
    sources = SourceSet(offline=offline or env_offline(), timeout=timeout, deadline=DEFAULT_DEADLINE)
    check = verify_attestation(attestation, target, key, policy=policy, max_age=age, sources=sources)
    from modelaudit.formats import ATTESTATION_FORMATS

    sys.stdout.write(ATTESTATION_FORMATS.render_text(fmt, check))
    sys.stdout.flush()
    return check.code
