"""The fleet dashboard: one self-contained HTML page for a whole fleet run.

Same rules as the model report (formats/html.py): inline stylesheet allowed by its hash, a
Content-Security-Policy that forbids scripts, images, fonts and requests, every value escaped. The table
sorts and filters without JavaScript: the page carries one copy of the rows per sort order, and radio
buttons (inputs need no script) show one copy and hide filtered rows through CSS selectors. Without CSS
every table is simply shown. The content (:class:`modelaudit.documents.DashboardView`) is computed by
:func:`modelaudit.fleet.dashboard.build_view`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import ClassVar

from modelaudit.documents import DashboardView
from modelaudit.formats.html import content_security_policy

TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def _template() -> object:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("dashboard.html.j2")


def stylesheet(view: DashboardView) -> str:
    """The page's stylesheet: the fixed rules, then one rule per sort order and filter of ``view``."""
    css = (TEMPLATES / "dashboard.css").read_text(encoding="utf-8")
    rules: list[str] = []
    for key, _label, _rows in view.sorted_rows:  # show the table of the chosen order, mark its button
        rules.append(f"#sort-{key}:checked~.tables .by-{key}{{display:table}}")
        rules.append(f"#sort-{key}:checked~.bar label[for=sort-{key}]{{background:var(--ink);color:#fff}}")
    for key, _label in view.filters[1:]:  # the first filter shows every row
        hide = "tr.row:not(.c-no)" if key == "noncommercial" else f"tr.row:not(.v-{key})"
        rules.append(f"#show-{key}:checked~.tables {hide}{{display:none}}")
    for key, _label in view.filters:
        rules.append(f"#show-{key}:checked~.bar label[for=show-{key}]{{background:var(--ink);color:#fff}}")
    return css + "\n".join(rules) + "\n"


def render_dashboard(view: DashboardView) -> str:
    css = stylesheet(view)
    template = _template()
    return template.render(v=view, css=css, csp=content_security_policy(css))  # type: ignore[attr-defined, no-any-return]


class DashboardHtml:
    name: ClassVar[str] = "html"
    suffix: ClassVar[str] = ".html"

    def render(self, view: DashboardView) -> str:
        return render_dashboard(view)
