"""Device and dtype choice for smoke runs: pure functions, fed with what the child's torch reports."""

from __future__ import annotations

from modelaudit.errors import UsageError

DEVICES = ("auto", "cpu", "cuda", "mps")

_DTYPE_ALIASES = {
    "float32": "float32",
    "fp32": "float32",
    "float": "float32",
    "float16": "float16",
    "fp16": "float16",
    "half": "float16",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
}


def validate_device(device: str) -> str:
    """The requested device, normalised; an unknown name is a usage error."""
    name = device.strip().lower()
    if name not in DEVICES:
        raise UsageError(
            f"--device {device!r}: unknown device",
            hint=f"use one of {', '.join(DEVICES)}",
        )
    return name


def choose_device(requested: str, *, cuda: bool, mps: bool) -> str:
    """``auto`` picks CUDA, then MPS, then CPU; an explicitly requested device must exist."""
    name = validate_device(requested)
    if name == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if name == "cuda" and not cuda:
        raise UsageError(
            "--device cuda: no CUDA device is available to torch",
            hint="check the driver and CUDA_VISIBLE_DEVICES, install a CUDA build of torch, or use --device cpu",
        )
    if name == "mps" and not mps:
        raise UsageError(
            "--device mps: Apple MPS is not available to torch",
            hint="MPS needs Apple silicon and a recent macOS; use --device cpu",
        )
    return name


def normalise_dtype(value: object) -> str | None:
    """A config's ``dtype``/``torch_dtype`` as a torch dtype name we handle, or None."""
    if not isinstance(value, str):
        return None
    return _DTYPE_ALIASES.get(value.strip().lower().removeprefix("torch."))


def choose_dtype(config_dtype: object, device: str, *, half_supported: bool = True) -> tuple[str, str | None]:
    """(dtype, note): the model's own dtype, falling back to float32 where the device cannot run it.

    On CPU float16 always falls back (CPU kernels for it are slow or missing); bfloat16 falls back when
    ``half_supported`` is False (the child probes the device with a tiny matmul).
    """
    own = normalise_dtype(config_dtype)
    if own is None:
        note = f"config dtype {config_dtype!r} not recognised; using float32" if config_dtype else None
        return "float32", note
    if own == "float32":
        return own, None
    if device == "cpu" and own == "float16":
        return "float32", "float16 weights run in float32 on CPU"
    if not half_supported:
        return "float32", f"{own} is not supported on {device}; using float32"
    return own, None
