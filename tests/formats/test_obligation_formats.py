"""Every format carries the checked obligations: status and evidence, and the remediation plan."""

from __future__ import annotations

import json
import re

from sample_report import BASE, FINETUNE, TARGET, sample_report

from modelaudit.formats import get_formatter
from modelaudit.models import ScanReport


def render(name: str, report: ScanReport | None = None) -> str:
    out = get_formatter(name).render(report or sample_report())
    return out.decode() if isinstance(out, bytes) else out


def test_html_ticks_met_highlights_unmet_and_leaves_unknown_open() -> None:
    html = render("html")
    section = html.split('<section id="obligations">', 1)[1].split("</section>", 1)[0]
    items = re.findall(r'<li class="ob-(\w+)"><span class="box( ticked)?"', section)
    assert ("met", " ticked") in items and ("unmet", "") in items and ("unknown", "") in items
    assert all(ticked == (" ticked" if status == "met" else "") for status, ticked in items)
    assert "NOT MET" in section and "could not be checked" in section
    assert "What to change: acme/chat-assistant-7b-q4" in section
    assert '<ol class="plan">' in section and "Add LICENSE with the text of llama2" in section
    assert "<script>" not in section and "&lt;script&gt;" in section  # evidence from repos stays inert


def test_a_report_from_before_the_checks_renders_as_a_checklist_to_tick() -> None:
    old = sample_report()
    old = old.model_copy(
        update={
            "obligations": [
                o.model_copy(update={"status": None, "evidence": [], "checks": []}) for o in old.obligations
            ],
            "remediation": [],
        }
    )
    html = render("html", old)
    assert "Tick each item when it is done" in html and "NOT MET" not in html
    assert "- [ ] **Include the license agreement**" in render("md", old)
    # and a saved report without the new keys still loads
    data = json.loads(old.to_json())
    for o in data["obligations"]:
        del o["status"], o["evidence"], o["checks"]
    del data["remediation"], data["policy"]["role"]
    assert ScanReport.model_validate(data).obligations[0].status is None


def test_markdown_and_text_list_the_targets_checks_and_the_plan() -> None:
    md = render("md")
    assert "| ❌ **not met** | Include the license agreement | `llama2` | `acme/chat-assistant-7b-q4`" in md
    assert (
        "### What to change: `acme/chat-assistant-7b-q4`" in md and "1. Publish the model under llama2." in md
    )
    text = render("text")
    assert "[!] Include the license agreement (llama2), acme/chat-assistant-7b-q4 through" in text
    assert "by hand:" in text


def test_sarif_has_one_result_per_unmet_obligation_at_its_file() -> None:
    sarif = json.loads(render("sarif"))
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "MA240"]
    assert len(results) == 1
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == f"https://huggingface.co/{TARGET}/blob/{'a' * 40}/NOTICE"


def test_boms_carry_the_checked_obligations() -> None:
    cdx = json.loads(render("cyclonedx"))
    props = [
        p["value"]
        for c in [cdx["metadata"]["component"], *cdx["components"]]
        for p in c.get("properties", [])
        if p["name"] == "modelaudit:obligation"
    ]
    assert "llama2 include-agreement: unmet (through acme/chat-assistant-7b)" in " ".join(props)
    assert not any(
        ": not_applicable" in p for p in props
    )  # terms of use and the licensor's release are left out
    spdx = json.loads(render("spdx"))  # SPDX 2.3 JSON puts a package's annotations on the package
    notes = {
        p["name"]: [a["comment"] for a in p.get("annotations", []) if a["comment"].startswith("obligation ")]
        for p in spdx["packages"]
    }
    assert "obligation llama2 include-agreement: unmet (through acme/chat-assistant-7b)" in " ".join(
        notes[TARGET]
    )
    assert any("credit: met" in n for n in notes[FINETUNE])
    spdx3 = render("spdx3")
    assert "obligation llama2 notice-file: unknown" in spdx3
    assert BASE  # the licensor's own release has no obligation annotations
    assert "obligation llama2 notice-file: not_applicable" not in spdx3


def test_a_licenses_free_form_note_is_shown_by_its_text_among_the_terms_of_use() -> None:
    """Apache-2.0's "note" duty (its patent-termination clause) reads as what it says, not as "Also required"."""
    from modelaudit.models import Obligation, ObligationCheck, ObligationStatus

    report = sample_report()
    note = Obligation(
        license="Apache-2.0",
        kind="note",
        text="Patent grant terminates on patent litigation.",
        nodes=[TARGET],
        status=ObligationStatus.NOT_APPLICABLE,
        checks=[ObligationCheck(node=TARGET, status=ObligationStatus.NOT_APPLICABLE)],
    )
    report = report.model_copy(update={"obligations": [*report.obligations, note]})
    assert "terms of use of Apache-2.0: Patent grant terminates on patent litigation" in render("text", report)
    assert "<strong>Apache-2.0</strong>: Patent grant terminates on patent litigation" in render("html", report)
    assert "Patent grant terminates on patent litigation" in render("md", report)
