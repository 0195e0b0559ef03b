"""License rules on the paths that need extra inputs: file/library copyleft and quantized parents
(LicenseConflict's one-hop paths), naming duties (NamingDuty), restricting policies (LicenseDenied)."""

from __future__ import annotations

from _graphs import Lineage, slugs

from modelaudit.models import Relation
from modelaudit.policy.model import LicenseSelector, Policy


def test_file_copyleft_parent_is_found_through_the_direct_paths() -> None:
    lin = Lineage("acme/tuned").add("acme/tuned", "mit").add("org/base", "mpl-2.0")
    lin.link("acme/tuned", "org/base", Relation.FINETUNE)
    found = [f for f in lin.findings() if f.name == "license-conflict"]
    assert slugs(found) == {("license-conflict", "acme/tuned", "warning")}
    assert "modified files must stay under it" in found[0].message
    # an adapter ships new files only: no finding
    lin = Lineage("acme/lora").add("acme/lora", "mit").add("org/base", "mpl-2.0")
    lin.link("acme/lora", "org/base", Relation.ADAPTER)
    assert [f for f in lin.findings() if f.name == "license-conflict"] == []


def test_quantized_copy_under_another_license_is_found() -> None:
    lin = Lineage("acme/q").add("acme/q", "mit").add("org/base", "apache-2.0")
    lin.link("acme/q", "org/base", Relation.QUANTIZED)
    found = [f for f in lin.findings() if f.name == "license-conflict"]
    assert len(found) == 1 and "quantized copy" in found[0].message


def test_naming_duty_only_where_an_upstream_license_asks_for_a_prefix() -> None:
    plain = Lineage("acme/tuned").add("acme/tuned", "apache-2.0").add("org/base", "apache-2.0")
    plain.link("acme/tuned", "org/base", Relation.FINETUNE)
    assert plain.findings() == []
    llama = Lineage("acme/support-bot").add("acme/support-bot", "llama3.1")
    llama.add("meta-llama/Llama-3.1-8B", "llama3.1")
    llama.link("acme/support-bot", "meta-llama/Llama-3.1-8B", Relation.FINETUNE)
    assert ("naming-duty", "acme/support-bot", "warning") in slugs(llama.findings())

def test_license_denied_only_under_a_restricting_policy() -> None:
    lin = Lineage("acme/m").add("acme/m", "cc-by-nc-4.0")
    assert [f for f in lin.findings(Policy(name="open")) if f.name == "license-denied"] == []
    deny = Policy(name="deny", deny=LicenseSelector(ids=["CC-BY-NC-4.0"]))
    assert slugs([f for f in lin.findings(deny) if f.name == "license-denied"]) == {
        ("license-denied", "acme/m", "error")
    }
