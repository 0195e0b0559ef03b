"""Parent side of a smoke run: plan from metadata, spawn the child, watch it, turn its report into values.

Nothing here imports torch or transformers; whether the ``[smoke]`` extra is installed is checked with
``importlib.util.find_spec``. The child runs with a clean environment (offline, no tokens), in a fresh
working directory, under a wall-clock timeout and a resident-memory limit; it is killed (with its
process group) when either is exceeded.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from modelaudit.errors import DependencyMissingError, InputError, UsageError
from modelaudit.models import Evidence, Finding, SmokeResult
from modelaudit.smoke.device import validate_device
from modelaudit.smoke.findings import remote_code_finding, smoke_failed_finding
from modelaudit.smoke.plan import SmokePlan, plan_smoke

DEFAULT_TIMEOUT_S = 300.0
DEFAULT_MAX_NEW_TOKENS = 8
POLL_S = 0.05
MAX_JSON_BYTES = 8 * 1024 * 1024
MAX_CARD_BYTES = 1024 * 1024
THREADS_ENV = "MODELAUDIT_SMOKE_THREADS"
_SECRET_ENV = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|ACCESS_KEY|CREDENTIAL)", re.IGNORECASE)
_DROP_ENV = {"PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONBREAKPOINT"}
_CHILD_FIELDS = set(SmokeResult.model_fields)


# --------------------------------------------------------------------------------------------- inputs


def _read_json(folder: Path, name: str) -> dict[str, Any] | None:
    """A small JSON object from the folder; None when absent. Malformed → InputError naming the file."""
    path = folder / name
    if not path.is_file():
        return None
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise InputError(str(path), f"larger than {MAX_JSON_BYTES} bytes")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(str(path), f"unreadable JSON ({type(exc).__name__}: {exc})") from None
    if not isinstance(data, dict):
        raise InputError(str(path), "expected a JSON object")
    return data


def _list_files(folder: Path) -> list[str]:
    """Names at the folder root (what from_pretrained reads); HF cache snapshots hold symlinks to blobs."""
    try:
        return sorted(p.name for p in folder.iterdir() if p.is_file())
    except OSError as exc:
        raise InputError(str(folder), f"cannot list the folder ({exc.strerror or exc})") from None


def read_card_pipeline_tag(folder: str | Path) -> str | None:
    """``pipeline_tag`` from the README.md front matter in ``folder``, if any (never raises)."""
    path = Path(folder) / "README.md"
    try:
        with path.open("rb") as fh:
            text = fh.read(MAX_CARD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    try:
        end = next(i for i, ln in enumerate(lines[1:], 1) if ln.strip() == "---")
        data = yaml.safe_load("\n".join(lines[1:end]))
    except (StopIteration, yaml.YAMLError):
        return None
    tag = data.get("pipeline_tag") if isinstance(data, dict) else None
    return tag if isinstance(tag, str) else None


def resolve_adapter_base(adapter_config: dict[str, Any], adapter_dir: Path) -> tuple[Path | None, str | None]:
    """(folder, name) of an adapter's base: a local folder, or a snapshot already in the HF cache."""
    name = adapter_config.get("base_model_name_or_path")
    if not isinstance(name, str) or not name.strip():
        return None, None
    name = name.strip()
    for candidate in (Path(name).expanduser(), adapter_dir / name):
        if candidate.is_dir():
            return candidate.resolve(), name
    if re.fullmatch(r"[\w.-]+(/[\w.-]+)?", name):
        revision = adapter_config.get("revision")
        try:
            from huggingface_hub import snapshot_download

            snap = snapshot_download(
                repo_id=name,
                revision=revision if isinstance(revision, str) and revision else None,
                local_files_only=True,
            )
        except Exception:  # not cached, bad id, unreadable cache: the base is simply not available
            return None, name
        return Path(snap), name
    return None, name


def missing_smoke_dependencies(*, adapter: bool = False) -> list[str]:
    """Distributions of the [smoke] extra that cannot be found (looked up without importing them)."""
    wanted = ["torch", "transformers", "tokenizers", "safetensors"] + (["peft"] if adapter else [])
    missing = []
    for module in wanted:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(module)
    return missing


def require_smoke_extra(*, adapter: bool = False) -> None:
    missing = missing_smoke_dependencies(adapter=adapter)
    if missing:
        raise DependencyMissingError(
            f"smoke inference needs the [smoke] extra, but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not installed",
            hint='install it with: pip install "modelaudit-provenance[smoke]" (torch, transformers, peft)',
        )


# --------------------------------------------------------------------------------------------- planning


def _remote_evidence(plan: SmokePlan, configs: dict[str, dict[str, Any] | None]) -> list[Evidence]:
    """One evidence item per place asking for code, with the value found there (clipped)."""
    out = []
    for where in plan.remote_code_in:
        name, _, key = where.rpartition(":")
        cfg = configs.get(name) or {}
        value = json.dumps(cfg.get(key), sort_keys=True, default=str)
        out.append(Evidence(source=where, value=value if len(value) <= 500 else value[:497] + "..."))
    return out


def _skipped(
    plan: SmokePlan,
    node: str,
    *,
    note: str | None = None,
    base: str | None = None,
    configs: dict[str, dict[str, Any] | None] | None = None,
) -> tuple[SmokeResult, list[Finding]]:
    result = SmokeResult(
        status="skipped",
        task=plan.task,
        architecture=plan.architecture,
        adapter=plan.adapter,
        base=base,
        note=note or plan.reason,
    )
    findings: list[Finding] = []
    if plan.refusal == "remote-code-required":
        findings.append(remote_code_finding(node, _remote_evidence(plan, configs or {})))
    return result, findings


# --------------------------------------------------------------------------------------------- child


def _child_env(threads: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV and not _SECRET_ENV.search(k)}
    src_root = str(Path(__file__).resolve().parents[2])  # the folder holding the modelaudit package
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src_root, env.get("PYTHONPATH", "")) if p)
    env.update(
        {
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "HF_DATASETS_OFFLINE": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_DISABLE_PROGRESS_BARS": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "PYTHONUNBUFFERED": "1",
            "OMP_NUM_THREADS": str(threads),
            "MKL_NUM_THREADS": str(threads),
        }
    )
    return env


def _rss_bytes(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    try:  # optional: used where /proc is absent (macOS); typed loosely, psutil ships no stubs
        psutil: Any = importlib.import_module("psutil")
        return int(psutil.Process(pid).memory_info().rss)
    except Exception:
        return None


def default_memory_limit() -> int | None:
    """90% of the memory we may use (physical, or a smaller cgroup v2 limit): the child is killed before
    the machine swaps or the kernel's OOM killer picks a victim."""
    limits: list[int] = []
    with contextlib.suppress(ValueError, OSError, AttributeError):
        limits.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    try:
        raw = Path("/sys/fs/cgroup/memory.max").read_text(encoding="ascii").strip()
        if raw.isdigit():
            limits.append(int(raw))
    except OSError:
        pass
    return int(min(limits) * 0.9) if limits else None


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)  # the child leads its own session: take its helpers too
        else:  # pragma: no cover
            proc.kill()
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def _last_line(path: Path) -> str | None:
    try:
        lines = [
            ln.strip() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()
        ]
    except OSError:
        return None
    return lines[-1][:500] if lines else None


def _run_child(
    request: dict[str, Any], *, timeout_s: float, memory_limit: int | None, threads: int
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="modelaudit-smoke-") as tmp:
        work = Path(tmp)
        req_path, out_path, phase_path = work / "request.json", work / "result.json", work / "phase"
        req_path.write_text(json.dumps(request), encoding="utf-8")
        cmd = [
            sys.executable,
            "-P",
            "-m",
            "modelaudit.smoke._child",
            str(req_path),
            str(out_path),
            str(phase_path),
        ]
        with (work / "stdout").open("wb") as out, (work / "stderr").open("wb") as err:
            proc = subprocess.Popen(
                cmd,
                cwd=work,
                env=_child_env(threads),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=os.name == "posix",
            )
            killed: str | None = None
            peak = 0
            try:
                deadline = time.monotonic() + timeout_s
                while True:
                    try:
                        proc.wait(timeout=POLL_S)
                        break
                    except subprocess.TimeoutExpired:
                        pass
                    rss = _rss_bytes(proc.pid)
                    peak = max(peak, rss or 0)
                    if memory_limit and rss is not None and rss > memory_limit:
                        killed = (
                            f"killed: resident memory {rss / 2**20:.0f} MiB went over the "
                            f"{memory_limit / 2**20:.0f} MiB limit"
                        )
                        break
                    if time.monotonic() > deadline:
                        killed = f"timed out after {timeout_s:g} s; killed"
                        break
            finally:
                _kill(proc)
        phase = phase_path.read_text(encoding="utf-8").strip() if phase_path.is_file() else "load"
        phase = phase if phase in ("load", "tokenise", "run") else "load"
        if killed:
            return {"status": "failed", "phase": phase, "error": killed, "peak_rss_bytes": peak or None}
        if out_path.is_file():
            data: dict[str, Any] = json.loads(out_path.read_text(encoding="utf-8"))
            return data
        rc = proc.returncode
        why = f"killed by signal {-rc}" if rc is not None and rc < 0 else f"exited with code {rc}"
        detail = _last_line(work / "stderr")
        return {
            "status": "failed",
            "phase": phase,
            "error": f"smoke process {why}" + (f": {detail}" if detail else ""),
        }


# --------------------------------------------------------------------------------------------- entry


def run_smoke(
    model_dir: str,
    *,
    adapter_base_dir: str | None = None,
    device: str = "auto",
    timeout_s: float = DEFAULT_TIMEOUT_S,
    card_pipeline_tag: str | None = None,
    node_id: str | None = None,
    memory_limit_bytes: int | None = None,
    threads: int | None = None,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
) -> tuple[SmokeResult, list[Finding]]:
    """Load and run the model in ``model_dir`` in a child process; report what happened.

    Returns the result and its findings (``remote-code-required`` when refused for needing repository
    code, ``smoke-failed`` when loading, tokenising or running failed, timed out or ran out of memory).
    Raises UsageError for an unknown or absent device, DependencyMissingError without the [smoke]
    extra, InputError for a missing folder or malformed JSON metadata.
    """
    requested = validate_device(device)
    if timeout_s <= 0:
        raise UsageError(f"--smoke-timeout {timeout_s:g}: must be positive")
    folder = Path(model_dir)
    if not folder.is_dir():
        raise InputError(model_dir, "not a folder (smoke runs on a local folder or a cached snapshot)")
    node = node_id or model_dir
    files = _list_files(folder)
    config = _read_json(folder, "config.json")
    tokenizer_config = _read_json(folder, "tokenizer_config.json")
    adapter_config = _read_json(folder, "adapter_config.json")
    tag = card_pipeline_tag if card_pipeline_tag is not None else read_card_pipeline_tag(folder)

    base_dir: Path | None = None
    base_name: str | None = None
    base_config: dict[str, Any] | None = None
    if adapter_config is not None:
        if adapter_base_dir is not None:
            base_dir = Path(adapter_base_dir)
            if not base_dir.is_dir():
                raise InputError(adapter_base_dir, "adapter base: not a folder")
            base_name = str(adapter_config.get("base_model_name_or_path") or adapter_base_dir)
        else:
            base_dir, base_name = resolve_adapter_base(adapter_config, folder)
        if base_dir is not None:
            base_config = _read_json(base_dir, "config.json")
            base_tok = _read_json(base_dir, "tokenizer_config.json")
            base_plan = plan_smoke(base_config, _list_files(base_dir), None, tokenizer_config=base_tok)
            if base_plan.refusal in ("remote-code-required", "pickle-only", "no-weights", "no-config"):
                plan = base_plan.model_copy(
                    update={
                        "adapter": True,
                        "reason": f"base model: {base_plan.reason}",
                        "remote_code_in": [f"base {w}" for w in base_plan.remote_code_in],
                    }
                )
                configs = {"base config.json": base_config, "base tokenizer_config.json": base_tok}
                return _skipped(plan, node, base=base_name, configs=configs)

    plan = plan_smoke(
        config if adapter_config is None else None,
        files,
        tag,
        tokenizer_config=tokenizer_config,
        adapter_config=adapter_config,
        base_config=base_config,
    )
    if adapter_config is not None and config and plan.refusal is None:
        # an adapter folder may also carry the base's config.json: auto_map there matters too
        extra = plan_smoke(config, ["model.safetensors"], tag)
        if extra.refusal == "remote-code-required":
            plan = extra.model_copy(update={"adapter": True})
    configs = {
        "config.json": config,
        "tokenizer_config.json": tokenizer_config,
        "adapter_config.json": adapter_config,
        "base config.json": base_config,
    }
    if not plan.runnable:
        return _skipped(plan, node, base=base_name, configs=configs)
    if plan.adapter and base_dir is None:
        what = f"base model {base_name!r}" if base_name else "the base model (adapter_config.json names none)"
        return _skipped(
            plan,
            node,
            note=f"{what} is not available locally: pass its folder, or put it in the Hugging Face cache",
            base=base_name,
        )

    require_smoke_extra(adapter=plan.adapter)
    n_threads = threads or int(os.environ.get(THREADS_ENV) or 0) or min(4, os.cpu_count() or 1)
    request = {
        "model_dir": str(folder.resolve()),
        "base_dir": str(base_dir.resolve()) if base_dir else None,
        "adapter": plan.adapter,
        "task": plan.task,
        "auto_class": plan.auto_class,
        "device": requested,
        "threads": n_threads,
        "max_new_tokens": max_new_tokens,
    }
    limit = memory_limit_bytes if memory_limit_bytes is not None else default_memory_limit()
    raw = _run_child(request, timeout_s=timeout_s, memory_limit=limit, threads=n_threads)
    if "usage_error" in raw:
        raise UsageError(str(raw["usage_error"]), hint=raw.get("usage_hint"))
    fields = {k: v for k, v in raw.items() if k in _CHILD_FIELDS}
    fields.setdefault("status", "failed")
    fields.update(
        {"task": plan.task, "architecture": plan.architecture, "adapter": plan.adapter, "base": base_name}
    )
    result = SmokeResult.model_validate(fields)
    findings: list[Finding] = []
    if result.status == "failed":
        findings.append(smoke_failed_finding(node, result.phase, result.error))
    return result, findings
