"""Click options that several commands share: one declaration each, so a flag's name, type, default and
environment variable stay the same everywhere it appears (README documents them). Commands word the help
where the flag means something more specific to them; ``envvar=False`` leaves a command off the variable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click
from click.decorators import FC

DEVICES = ["auto", "cpu", "cuda", "mps"]


def _env(name: str, on: bool) -> str | None:
    return f"MODELAUDIT_{name}" if on else None


def format_option(
    choices: Sequence[str] = ("text", "json"), *, help: str | None = None
) -> Callable[[FC], FC]:
    """``-f/--format`` choosing one output format (into ``fmt``), text by default."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default="text",
        show_default=True,
        help=help,
    )


def offline_option(
    help: str = "Read only the Hugging Face cache and local folders.", *, envvar: bool = True
) -> Callable[[FC], FC]:
    return click.option("--offline", is_flag=True, envvar=_env("OFFLINE", envvar), help=help)


def timeout_option(
    help: str | None = "Seconds per Hub request.", *, envvar: bool = True
) -> Callable[[FC], FC]:
    return click.option(
        "--timeout",
        default=10.0,
        show_default=True,
        type=click.FloatRange(min=0.1),
        envvar=_env("TIMEOUT", envvar),
        help=help,
    )


def max_depth_option(help: str, *, default: int | None = None, envvar: bool = True) -> Callable[[FC], FC]:
    """``--max-depth``; without a default the policy's limit applies."""
    shown: dict[str, Any] = {} if default is None else {"default": default, "show_default": True}
    return click.option(
        "--max-depth", type=click.IntRange(min=0), envvar=_env("MAX_DEPTH", envvar), help=help, **shown
    )


def max_nodes_option(help: str, *, default: int) -> Callable[[FC], FC]:
    return click.option(
        "--max-nodes", type=click.IntRange(min=1), default=default, show_default=True, help=help
    )


def no_cache_option() -> Callable[[FC], FC]:
    return click.option(
        "--no-cache",
        is_flag=True,
        envvar="MODELAUDIT_NO_CACHE",
        help="Ask the Hub again instead of reusing cached metadata (and do not write the cache).",
    )


def device_option(help: str) -> Callable[[FC], FC]:
    return click.option(
        "--device",
        default="auto",
        show_default=True,
        type=click.Choice(DEVICES),
        envvar="MODELAUDIT_DEVICE",
        help=help,
    )


def quiet_option() -> Callable[[FC], FC]:
    return click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")


ROLES = ["adopter", "publisher"]


def role_option(help: str | None = None, *, default: str | None = None) -> Callable[[FC], FC]:
    """``--role adopter|publisher``: whose audit it is (unmet obligations: a warning naming the inherited risk,
    or an error); default: the policy's role."""
    return click.option(
        "--role",
        type=click.Choice(ROLES),
        default=default,
        envvar="MODELAUDIT_ROLE",
        help=help
        or "adopter: an unmet license obligation is a warning naming the risk inherited from the upstream "
        "publisher; publisher (CI on your own model): it is an error. Default: the policy's role (adopter).",
    )
