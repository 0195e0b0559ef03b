"""The HTML report a legal reader opens: one self-contained file, no JavaScript, no network.

Rendered by jinja2 with autoescaping on and ``StrictUndefined`` (a typo in the template is an error, not an
empty cell). Card text is untrusted, so every value goes through escaping; the only unescaped inserts are our
own stylesheet and the SVG built (and escaped) by :mod:`modelaudit.formats.svg_graph`. A strict
Content-Security-Policy allows exactly that stylesheet (by hash) and nothing else: no scripts, no images,
no fonts, no requests.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    import jinja2

    from modelaudit.models import ScanReport

TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )


@functools.cache
def stylesheet() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def content_security_policy(css: str) -> str:
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; "
        f"style-src 'sha256-{digest}'; "
        "img-src 'none'; font-src 'none'; script-src 'none'; connect-src 'none'; "
        "object-src 'none'; base-uri 'none'; form-action 'none'"
    )


class HtmlFormatter:
    name: ClassVar[str] = "html"
    suffix: ClassVar[str] = ".html"

    def render(self, report: ScanReport) -> str:
        from modelaudit.formats._view import build_view
        from modelaudit.formats.svg_graph import render_svg

        view = build_view(report)
        css = stylesheet()
        template = _environment().get_template("report.html.j2")
        return template.render(
            v=view,
            svg=render_svg(report, error_counts=view.error_counts),
            css=css,
            csp=content_security_policy(css),
        )
