"""``modelaudit serve-webhook``: the Hub pull-request gate as a small web service (modelaudit.webhook)."""

from __future__ import annotations

import logging
import os

import click

from modelaudit.cli._options import timeout_option
from modelaudit.errors import ExitCode, UsageError


@click.command("serve-webhook")
@click.option(
    "--repo",
    "repos",
    multiple=True,
    required=True,
    metavar="ORG/NAME",
    help="A repo to gate (repeat; globs such as acme/* allowed). Events for other repos are ignored.",
)
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False, exists=True),
    help="File holding the webhook secret. Default: the MODELAUDIT_WEBHOOK_SECRET environment variable.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
)
@click.option(
    "--policy",
    default="default",
    show_default=True,
    envvar="MODELAUDIT_POLICY",
    help="A ready policy name or a policy YAML file.",
)
@click.option(
    "--waivers", type=click.Path(dir_okay=False), envvar="MODELAUDIT_WAIVERS", help="YAML file of waivers."
)
@click.option(
    "--verify",
    type=click.Choice(["none", "headers"]),
    default="headers",
    show_default=True,
    help="Weight checks on the pull request's files (headers: structure through range reads).",
)
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 32), help="Scans run at once."
)
@click.option(
    "--queue-size",
    default=32,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Pull requests waiting at most; beyond it the Hub is told to retry (503).",
)
@timeout_option()
def serve_webhook_command(
    repos: tuple[str, ...],
    secret_file: str | None,
    host: str,
    port: int,
    policy: str,
    waivers: str | None,
    verify: str,
    workers: int,
    queue_size: int,
    timeout: float,
) -> int:
    """Comment on Hub pull requests with what they change and a policy verdict.

    Point a Hub webhook (watching the repos, with "Repo update" and "Community" events, and a secret) at
    http://HOST:PORT/webhook. For every pull request opened or updated on a --repo, the service compares
    refs/pr/N with the branch it targets (like `scan ORG/NAME@refs/pr/N --against main`) and posts one
    comment, edited in place on later updates. HF_TOKEN must be allowed to comment on those repos.

    \b
    Example:
      MODELAUDIT_WEBHOOK_SECRET=... HF_TOKEN=hf_... \\
        modelaudit serve-webhook --repo 'acme/*' --policy commercial --port 8080
    """
    try:
        import uvicorn

        from modelaudit.webhook import WebhookSettings, create_app
    except ImportError as exc:
        raise UsageError(
            f"serve-webhook needs the webhook extra ({exc.name} is missing)",
            hint='pip install "modelaudit-provenance[webhook]"',
        ) from None
    if secret_file:
        try:
            with open(secret_file, encoding="utf-8") as fh:
                secret = fh.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"{secret_file}: cannot read the webhook secret ({type(exc).__name__})"
            ) from None
    else:
        secret = os.environ.get("MODELAUDIT_WEBHOOK_SECRET", "").strip()
    if len(secret) < 8:
        raise UsageError(
            "the webhook secret is missing or shorter than 8 characters",
            hint="set MODELAUDIT_WEBHOOK_SECRET or pass --secret-file, with the secret entered on the Hub",
        )
    from modelaudit.policy.model import load_policy

    load_policy(policy)  # a bad policy fails now, not at the first pull request
    if waivers:
        from modelaudit.policy.waivers import load_waivers

        load_waivers(waivers)
    from huggingface_hub import get_token
    from pydantic import SecretStr

    token = get_token()
    if not token:
        click.echo("warning: no Hub token (HF_TOKEN): comments cannot be posted", err=True)
    settings = WebhookSettings(
        secret=SecretStr(secret),
        repos=list(repos),
        token=SecretStr(token) if token else None,
        policy=policy,
        waivers=waivers,
        verify="none" if verify == "none" else "headers",
        workers=workers,
        queue_size=queue_size,
        timeout=timeout,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    click.echo(
        f"modelaudit webhook listening on http://{host}:{port}/webhook for {', '.join(repos)}", err=True
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=False)
    return int(ExitCode.OK)
