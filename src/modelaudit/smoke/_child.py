"""The smoke run itself, executed in a child process (``python -P -m modelaudit.smoke._child REQ OUT PHASE``).

This is the only module that imports torch, transformers and peft. It reads a JSON request, writes its
progress phase to PHASE (so the parent can say where a hang happened) and a JSON result to OUT. It never
runs repository code: safetensors only, ``trust_remote_code=False``, ``local_files_only=True``, and the
parent has already refused configs with ``auto_map``.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import platform
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

from modelaudit.errors import UsageError
from modelaudit.smoke.device import choose_device, choose_dtype

PROMPT = "The quick brown fox"
CHAT_PROMPT = "Say hello in one short sentence."
TEXT_INPUT = "The quick brown fox jumps over the lazy dog."
SAMPLE_CHARS = 200
ERROR_CHARS = 500
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.txt", "vocab.json")
HANG_ENV = "MODELAUDIT_SMOKE_TEST_HANG"  # test hook: name of a phase at which the child sleeps forever


class _Phase:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = "start"

    def __call__(self, name: str) -> None:
        self.name = name
        self.path.write_text(name, encoding="utf-8")
        if os.environ.get(HANG_ENV) == name:
            time.sleep(3600)


def _last_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in "".join(traceback.format_exception_only(exc)).splitlines() if ln.strip()]
    text = lines[-1] if lines else type(exc).__name__
    if not text.startswith(type(exc).__name__):
        text = f"{type(exc).__name__}: {text}"
    return text[:ERROR_CHARS]


def _peak_rss() -> int | None:
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "cpu"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _has_tokenizer(folder: Path) -> bool:
    return any((folder / name).is_file() for name in TOKENIZER_FILES)


def run(req: dict[str, Any], phase: _Phase, out: dict[str, Any]) -> dict[str, Any]:
    """Load, tokenise and run; fills ``out`` as it goes so a failure still reports what was learned."""
    out["task"] = req["task"]
    phase("load")
    torch: Any = importlib.import_module("torch")
    transformers: Any = importlib.import_module("transformers")

    warnings.filterwarnings("ignore")
    transformers.logging.set_verbosity_error()
    threads = int(req.get("threads") or 1)
    torch.set_num_threads(max(1, threads))

    mps_ok = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    device = choose_device(req["device"], cuda=torch.cuda.is_available(), mps=mps_ok)
    out["device"] = device
    if device == "cuda":
        out["device_name"] = torch.cuda.get_device_name(0)
        torch.cuda.reset_peak_memory_stats()
    elif device == "mps":
        out["device_name"] = f"Apple MPS ({platform.machine()})"
    else:
        out["device_name"] = _cpu_name()

    def sync() -> None:
        if device == "cuda":
            torch.cuda.synchronize()
        elif device == "mps":
            torch.mps.synchronize()

    model_dir = Path(req["model_dir"])
    adapter = bool(req.get("adapter"))
    load_dir = Path(req["base_dir"]) if adapter else model_dir
    config = _read_json(load_dir / "config.json")
    own_dtype = config.get("dtype") or config.get("torch_dtype")
    dtype_name, dtype_note = choose_dtype(own_dtype, device)
    if dtype_name != "float32" and device != "cuda":
        try:  # bfloat16 on an older CPU or MPS: probe a tiny matmul before loading gigabytes
            probe = torch.ones(2, 2, dtype=getattr(torch, dtype_name), device=device)
            (probe @ probe).sum().item()
        except Exception:
            dtype_name, dtype_note = choose_dtype(own_dtype, device, half_supported=False)
    dtype = getattr(torch, dtype_name)
    out["dtype"] = dtype_name
    notes = [dtype_note] if dtype_note else []

    auto_cls = getattr(transformers, req["auto_class"])
    load_kwargs: dict[str, Any] = {
        "use_safetensors": True,
        "trust_remote_code": False,
        "local_files_only": True,
        "dtype": dtype,
        "output_loading_info": True,
    }
    if device == "cuda":
        load_kwargs["device_map"] = {"": "cuda:0"}
    archs = config.get("architectures")
    if isinstance(archs, list) and archs and isinstance(archs[0], str) and archs[0].isidentifier():
        getattr(transformers, archs[0], None)  # import the modelling code now, so load time is loading only
    t0 = time.perf_counter()
    model, info = auto_cls.from_pretrained(str(load_dir), **load_kwargs)
    missing = sorted(str(k) for k in (info or {}).get("missing_keys", []) or [])
    if device != "cuda":
        model = model.to(device)
    if adapter:
        if not (model_dir / "adapter_model.safetensors").is_file():
            raise FileNotFoundError(f"{model_dir}/adapter_model.safetensors not found")
        peft: Any = importlib.import_module("peft")
        model = peft.PeftModel.from_pretrained(model, str(model_dir), is_trainable=False)
        model = model.to(device)
    model.eval()
    sync()
    out["load_seconds"] = time.perf_counter() - t0
    out["parameters"] = int(sum(p.numel() for p in model.parameters()))
    out["missing_weights"] = len(missing)
    if missing:
        notes.append(
            f"{len(missing)} weights absent from the checkpoint were initialised: {', '.join(missing[:5])}"
        )

    phase("tokenise")
    tok_dir = model_dir if (not adapter or _has_tokenizer(model_dir)) else load_dir
    tok = transformers.AutoTokenizer.from_pretrained(
        str(tok_dir), trust_remote_code=False, local_files_only=True
    )
    task = req["task"]
    generative = task in ("causal-lm", "seq2seq")
    if task == "causal-lm" and getattr(tok, "chat_template", None):
        enc = tok.apply_chat_template(
            [{"role": "user", "content": CHAT_PROMPT}],
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
        )
        notes.append("prompt built with the chat template")
    else:
        enc = tok(PROMPT if generative else TEXT_INPUT, return_tensors="pt")
    enc = {k: v.to(device) for k, v in dict(enc).items() if hasattr(v, "to")}
    input_len = int(enc["input_ids"].shape[-1])
    if input_len == 0:
        raise ValueError("the tokenizer produced no tokens for the prompt")
    out["input_tokens"] = input_len

    phase("run")
    if generative:
        out.update(_generate(torch, model, tok, enc, task, int(req.get("max_new_tokens") or 8), sync))
    else:
        out.update(_forward(torch, model, enc, task, config, sync))
    if device == "cuda":
        out["peak_gpu_bytes"] = int(torch.cuda.max_memory_allocated())
    out["peak_rss_bytes"] = _peak_rss()
    if out.get("outputs_finite") is False:
        out["status"] = "failed"
        out["phase"] = "run"
        out["error"] = "outputs contain NaN or infinite values"
    else:
        out["status"] = "passed"
    if out.get("deterministic") is False:
        notes.append("two identical runs produced different outputs")
    out["note"] = "; ".join(notes) or None
    return out


def _generate(
    torch: Any, model: Any, tok: Any, enc: dict[str, Any], task: str, n: int, sync: Any
) -> dict[str, Any]:
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    common: dict[str, Any] = {
        "do_sample": False,
        "num_beams": 1,
        "output_logits": True,
        "return_dict_in_generate": True,
        "pad_token_id": pad,
    }
    with torch.inference_mode():
        t = time.perf_counter()
        first = model.generate(**enc, max_new_tokens=1, min_new_tokens=1, **common)
        sync()
        first_s = time.perf_counter() - t
        t = time.perf_counter()
        gen = model.generate(**enc, max_new_tokens=n, min_new_tokens=n, **common)
        sync()
        gen_s = time.perf_counter() - t
        again = model.generate(**enc, max_new_tokens=n, min_new_tokens=n, **common)
    logits = list(first.logits or []) + list(gen.logits or [])
    finite = bool(logits) and all(bool(torch.isfinite(x).all()) for x in logits)
    seq = gen.sequences[0]
    new_ids = seq[int(enc["input_ids"].shape[-1]) :] if task == "causal-lm" else seq
    produced = len(gen.logits or []) or int(new_ids.shape[-1])
    text = tok.decode(new_ids.tolist(), skip_special_tokens=True)
    return {
        "first_token_seconds": first_s,
        "run_seconds": gen_s,
        "output_tokens": produced,
        "tokens_per_second": produced / gen_s if gen_s > 0 else None,
        "outputs_finite": finite,
        "deterministic": bool(torch.equal(gen.sequences.cpu(), again.sequences.cpu())),
        "sample": text[:SAMPLE_CHARS],
    }


def _forward(
    torch: Any, model: Any, enc: dict[str, Any], task: str, config: dict[str, Any], sync: Any
) -> dict[str, Any]:
    with torch.inference_mode():
        t = time.perf_counter()
        res = model(**enc)
        sync()
        run_s = time.perf_counter() - t
        res2 = model(**enc)
    tokens = int(enc["input_ids"].shape[-1])
    if task == "encoder":
        hidden = res.last_hidden_state if getattr(res, "last_hidden_state", None) is not None else res[0]
        hidden2 = res2.last_hidden_state if getattr(res2, "last_hidden_state", None) is not None else res2[0]
        mask = enc.get("attention_mask")
        mask = torch.ones(hidden.shape[:2], device=hidden.device) if mask is None else mask
        m = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1)
        finite = bool(torch.isfinite(hidden).all()) and bool(torch.isfinite(pooled).all())
        norm = float(pooled.float().norm())
        sample = f"embedding dim {int(pooled.shape[-1])}, L2 norm {norm:.4g}" if math.isfinite(norm) else None
        same = bool(torch.equal(hidden, hidden2))
    else:
        logits, logits2 = res.logits, res2.logits
        finite = bool(torch.isfinite(logits).all())
        raw_labels = config.get("id2label")
        labels: dict[str, Any] = raw_labels if isinstance(raw_labels, dict) else {}
        if task == "classifier":
            probs = torch.softmax(logits.float()[0], dim=-1)
            idx = int(probs.argmax())
            sample = f"{labels.get(str(idx), idx)} (p={float(probs[idx]):.3f})"
        else:
            ids = logits.float()[0].argmax(dim=-1).tolist()[:8]
            sample = " ".join(str(labels.get(str(i), i)) for i in ids)
        same = bool(torch.equal(logits, logits2))
    return {
        "run_seconds": run_s,
        "tokens_per_second": tokens / run_s if run_s > 0 else None,
        "outputs_finite": finite,
        "deterministic": same,
        "sample": sample,
    }


def main(argv: list[str]) -> int:
    req_path, out_path, phase_path = (Path(a) for a in argv[1:4])
    phase = _Phase(phase_path)
    out: dict[str, Any] = {}
    try:
        req = json.loads(req_path.read_text(encoding="utf-8"))
        result = run(req, phase, out)
    except UsageError as exc:
        result = {"usage_error": exc.message, "usage_hint": exc.hint}
    except BaseException as exc:
        where = phase.name if phase.name in ("load", "tokenise", "run") else "load"
        result = {
            **out,
            "status": "failed",
            "phase": where,
            "error": _last_line(exc),
            "peak_rss_bytes": _peak_rss(),
        }
        result["note"] = None
    tmp = out_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, default=str), encoding="utf-8")
    tmp.replace(out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
