"""No code execution (safe YAML only, no unpickling, no trust_remote_code, no importing repo files) and no
secret leaks (a known fake HF_TOKEN never appears in any output, log, report or cache file)."""

from __future__ import annotations

import ast
import json
import logging
import pickle
import sys
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from _robust_faults import FAKE_TOKEN, add_scenario, run_cli, safetensors_bytes

import modelaudit
from fakehub import FakeHub

SRC = Path(modelaudit.__file__).resolve().parent
SAFE_LOADERS = {"_SafeLoader", "SafeLoader", "CSafeLoader"}
IMPORT_MODULE_ALLOWED = {  # registries of modelaudit's own modules, and torch/transformers/peft/psutil
    "cli/main.py",
    "formats/__init__.py",
    "sources/__init__.py",
    "smoke/_child.py",
    "smoke/runner.py",
}


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    return "?"


def test_source_never_deserialises_or_executes_untrusted_content() -> None:
    problems: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + (
                    [node.module] if isinstance(node, ast.ImportFrom) else []
                )
                for mod in names:
                    if mod and mod.split(".")[0] in (
                        "pickle",
                        "_pickle",
                        "dill",
                        "cloudpickle",
                        "joblib",
                        "marshal",
                        "runpy",
                    ):
                        problems.append(f"{rel}:{node.lineno}: imports {mod}")
        for call in _calls(tree):
            fn = _name(call.func)
            where = f"{rel}:{call.lineno}: {fn}"
            if fn in ("eval", "exec", "compile", "__import__") or fn.endswith(
                (
                    "unsafe_load",
                    "full_load",
                    "load_all",
                    "spec_from_file_location",
                    "SourceFileLoader",
                    "torch.load",
                )
            ):
                problems.append(where)
            if fn == "yaml.load":
                loader = next((k.value for k in call.keywords if k.arg == "Loader"), None)
                if loader is None or _name(loader).split(".")[-1] not in SAFE_LOADERS:
                    problems.append(f"{where} without a safe Loader")
            if fn.endswith("import_module") and rel not in IMPORT_MODULE_ALLOWED:
                problems.append(where)
            for kw in call.keywords:
                if kw.arg == "trust_remote_code" and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False
                ):
                    problems.append(f"{where}: trust_remote_code is not the constant False")
    assert problems == []


class _Boom:
    def __reduce__(self) -> tuple[Any, ...]:
        import os

        return (os.system, ("touch SENTINEL",))


def _hostile_folder(root: Path, sentinel: Path) -> Path:
    model = root / "hostile"
    model.mkdir()
    (model / "README.md").write_text("---\nlicense: mit\nlibrary_name: transformers\n---\n")
    payload = pickle.dumps(_Boom(), protocol=2).replace(b"touch SENTINEL", f"touch {sentinel}".encode())
    (model / "pytorch_model.bin").write_bytes(payload)
    (model / "model.safetensors").write_bytes(safetensors_bytes())
    code = f"open({str(sentinel)!r}, 'w').write('imported')\n"
    (model / "modeling_evil.py").write_text(code)
    (model / "__init__.py").write_text(code)
    (model / "config.json").write_text(
        json.dumps({"model_type": "evil", "auto_map": {"AutoModel": "modeling_evil.EvilModel"}})
    )
    return model


def test_a_hostile_folder_is_scanned_without_running_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sentinel = tmp_path / "pwned"

    def refuse(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("modelaudit tried to unpickle repository content")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    model = _hostile_folder(tmp_path, sentinel)
    code, out, err = run_cli("scan", str(model), "-f", "json", "-q", "--verify", "full")
    assert code == 1, err
    report = json.loads(out)
    unsafe = [f for f in report["findings"] if f["name"] == "unsafe-serialization"]
    assert unsafe and unsafe[0]["severity"] == "error" and "posix.system" in json.dumps(unsafe) + "os.system"
    assert not sentinel.exists()
    assert "modeling_evil" not in sys.modules and "hostile" not in sys.modules


def test_yaml_tags_that_would_run_code_are_refused(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned-yaml"
    model = tmp_path / "m"
    model.mkdir()
    (model / "README.md").write_text(
        f"---\nlicense: !!python/object/apply:os.system ['touch {sentinel}']\n---\n"
    )
    code, out, err = run_cli("scan", str(model), "-q")
    assert code == 2 and out == ""
    assert "README.md: malformed YAML" in err
    assert not sentinel.exists()
    policy = tmp_path / "p.yaml"
    policy.write_text(f"name: !!python/object/apply:os.system ['touch {sentinel}']\n")
    code, _out, err = run_cli("policy", "validate", str(policy))
    assert code == 2 and not sentinel.exists()


def test_html_report_escapes_card_text_and_carries_a_csp(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    evil = "<script>alert(1)</script>"
    (model / "README.md").write_text(
        f"---\nlicense: other\nlicense_name: '{evil}'\nbase_model: '<img src=x onerror=alert(2)>'\n---\n"
    )
    out_file = tmp_path / "r.html"
    code, _out, err = run_cli("scan", str(model), "-f", "html", "-o", str(out_file), "-q")
    assert code in (0, 1), err
    html = out_file.read_text()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)" in html
    assert 'http-equiv="Content-Security-Policy"' in html
    csp = unescape(html.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0])
    assert "default-src 'none'" in csp and "script-src 'none'" in csp
    assert "<script" not in html.lower()


# --------------------------------------------------------------------------------------------- secrets


def _all_text(folder: Path) -> str:
    parts = []
    for p in folder.rglob("*"):
        if p.is_file() and not p.is_symlink():
            parts.append(p.read_bytes().decode("utf-8", errors="replace"))
        parts.append(str(p))
    return "\n".join(parts)


def test_the_token_never_appears_in_outputs_logs_reports_or_caches(
    fakehub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HF_TOKEN", FAKE_TOKEN)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    add_scenario(fakehub)
    fakehub.add_repo(
        "acme/gated",
        {"README.md": "---\nlicense: llama3.1\n---\n", "model.safetensors": safetensors_bytes()},
        gated="manual",
    )
    fakehub.add_repo("acme/child", {"README.md": "---\nlicense: mit\nbase_model: acme/echo\n---\n"})
    # a hostile server reflecting the caller's token in its error messages and bodies
    fakehub.inject(
        "info",
        repo="acme/echo",
        status=500,
        error_message=f"bad token {FAKE_TOKEN}",
        body=f'{{"error": "Bearer {FAKE_TOKEN}"}}'.encode(),
        times=None,
    )
    fakehub.inject(
        "info", repo="acme/reflect", status=403, error_message=f"token {FAKE_TOKEN} denied", times=None
    )
    caplog.set_level(logging.DEBUG)
    outputs: list[str] = []
    reports = tmp_path / "reports"
    formats = ["text", "json", "html", "md", "sarif", "spdx", "spdx3", "cyclonedx", "notice"]
    fmt_args = [a for f in formats for a in ("-f", f)]
    runs = [
        ["scan", "acme/model", *fmt_args, "-o", str(reports / "model"), "--verify", "full", "--no-cache"],
        ["scan", "acme/gated", *fmt_args, "-o", str(reports / "gated"), "--verify", "full"],
        [
            "scan",
            "acme/child",
            *fmt_args,
            "-o",
            str(reports / "child"),
            "--policy",
            "strict-ci",
            "--allow-incomplete",
        ],
        ["--debug", "scan", "acme/echo", "-f", "json"],
        ["--debug", "scan", "acme/reflect", "-f", "json"],
        ["scan", "acme/missing", "-f", "json"],
        ["lineage", "acme/child"],
        ["verify", "acme/model"],
        ["verify", "acme/gated"],
        ["--debug", "scan", "acme/child", "-f", "json", "--no-cache"],  # incomplete: exit 2 naming acme/echo
    ]
    codes = []
    for args in runs:
        code, out, err = run_cli(*args)
        codes.append(code)
        outputs += [out, err]
    assert codes[0] in (0, 1) and codes[3] == 2 and codes[5] == 2 and codes[9] == 2
    assert "audit incomplete" in outputs[19] and "acme/echo" in outputs[19]
    echo_err = outputs[7]
    assert "error: acme/echo: audit incomplete" in echo_err and "network error: HTTP 500" in echo_err
    docs = [json.loads(p.read_text()) for p in (reports / "child").glob("*.json")]
    child = next(d for d in docs if isinstance(d, dict) and d.get("schema_version") == "1")
    unresolved = [
        f for f in child["findings"] if f["name"] == "lineage-unresolved" and f["node"] == "acme/echo"
    ]
    assert unresolved and unresolved[0]["severity"] == "error" and "HTTP 500" in unresolved[0]["message"]
    # the token was really in play: sent to the Hub (and only to the Hub, never to the CDN origin)
    assert any(r.headers.get("authorization") == f"Bearer {FAKE_TOKEN}" for r in fakehub.requests)
    assert not any("authorization" in r.headers for r in fakehub.requests if r.server == "cdn")
    # log records a user could see (INFO and up, from any library); httpcore's DEBUG trace of the raw
    # response headers a hostile server sends back is not modelaudit output and is never enabled by it
    logs = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    everything = "\n".join(outputs) + logs + _all_text(tmp_path)
    assert (reports / "model").exists() and any((reports / "model").iterdir())
    assert FAKE_TOKEN not in everything
    assert FAKE_TOKEN[3:20] not in everything  # nor a recognisable part of it
