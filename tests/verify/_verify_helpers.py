"""Fixture builders for the verification tests: weights, broken safetensors, torch-like pickles."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import struct
import sys
import types
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from safetensors.numpy import save, save_file

from modelaudit.models import FileEntry

ARCH_A = {  # a tiny transformer-like layout
    "model.embed_tokens.weight": (128, 64),
    "model.layers.0.self_attn.q_proj.weight": (64, 64),
    "model.layers.0.self_attn.v_proj.weight": (64, 64),
    "model.layers.0.mlp.up_proj.weight": (128, 64),
    "model.layers.0.mlp.down_proj.weight": (64, 128),
    "model.layers.1.self_attn.q_proj.weight": (64, 64),
    "model.layers.1.mlp.up_proj.weight": (128, 64),
    "model.layers.0.input_layernorm.weight": (64,),
    "lm_head.weight": (128, 64),
}
ARCH_B = {  # other widths: nothing aligns with ARCH_A by name and shape
    "model.embed_tokens.weight": (96, 48),
    "model.layers.0.self_attn.q_proj.weight": (48, 48),
    "model.layers.0.mlp.up_proj.weight": (192, 48),
    "model.layers.0.mlp.down_proj.weight": (48, 192),
    "lm_head.weight": (96, 48),
}


def weights(seed: int, arch: dict[str, tuple[int, ...]] = ARCH_A) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in arch.items():
        if len(shape) == 1:
            out[name] = np.ones(shape, dtype=np.float32)
        else:
            out[name] = (rng.standard_normal(shape) * 0.02).astype(np.float32)
    return out


def perturbed(base: dict[str, np.ndarray], rel_noise: float, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        k: (v + rng.standard_normal(v.shape).astype(np.float32) * float(v.std() or 1.0) * rel_noise).astype(
            np.float32
        )
        for k, v in base.items()
    }


def write_model(folder: Path, tensors: dict[str, np.ndarray], name: str = "model.safetensors") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / name), metadata={"format": "pt"})
    (folder / "config.json").write_text(json.dumps({"model_type": "tiny"}))
    return folder


def safetensors_bytes(tensors: dict[str, np.ndarray]) -> bytes:
    return save(tensors)


def raw_safetensors(header: dict[str, Any], data: bytes, *, header_len: int | None = None) -> bytes:
    body = json.dumps(header).encode()
    n = len(body) if header_len is None else header_len
    return struct.pack("<Q", n) + body + data


def lfs_entry(path: str, data: bytes) -> FileEntry:
    return FileEntry(path=path, size=len(data), lfs_sha256=hashlib.sha256(data).hexdigest())


def git_entry(path: str, data: bytes) -> FileEntry:
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return FileEntry(path=path, size=len(data), blob_id=h.hexdigest())


class MemoryRepo:
    """``open_file`` over in-memory files; optionally hands out forward-only streams like an HTTP body."""

    def __init__(self, files: dict[str, bytes], *, seekable: bool = True) -> None:
        self.files = files
        self.seekable = seekable
        self.opened: list[str] = []

    def open_file(self, path: str) -> BinaryIO:
        self.opened.append(path)
        if path not in self.files:
            raise FileNotFoundError(path)
        buf = io.BytesIO(self.files[path])
        return buf if self.seekable else _Forward(buf)  # type: ignore[return-value]


class _Forward(io.RawIOBase):
    def __init__(self, inner: io.BytesIO) -> None:
        self._inner = inner

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, b: Any) -> int:
        data = self._inner.read(len(b))
        b[: len(data)] = data
        return len(data)


# ----------------------------------------------------------------------------------- pickles


class Payload:
    """Unpickling this would create (truncate) ``target`` through builtins.open."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __reduce__(self) -> tuple[Any, ...]:
        import builtins

        return (builtins.open, (self.target, "w"))


def malicious_pickle(target: Path, protocol: int) -> bytes:
    return pickle.dumps({"weight": [1.0, 2.0], "hook": Payload(str(target))}, protocol=protocol)


def _fake_torch() -> dict[str, types.ModuleType]:
    """Minimal stand-ins named like torch's rebuild helpers so pickle can reference them by name."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args: Any) -> None:
        return None

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2  # type: ignore[attr-defined]

    class FloatStorage:
        pass

    FloatStorage.__module__ = "torch"
    FloatStorage.__qualname__ = "FloatStorage"
    torch.FloatStorage = FloatStorage  # type: ignore[attr-defined]
    torch._utils = utils  # type: ignore[attr-defined]
    return {"torch": torch, "torch._utils": utils}


class _Rebuild:
    def __init__(self, key: str, numel: int, mods: dict[str, types.ModuleType]) -> None:
        self.key, self.numel, self.mods = key, numel, mods

    def __reduce__(self) -> tuple[Any, ...]:
        storage = ("storage", self.mods["torch"].FloatStorage, self.key, "cpu", self.numel)
        return (
            self.mods["torch._utils"]._rebuild_tensor_v2,
            (_PID(storage), 0, (self.numel,), (1,), False, OrderedDict()),
        )


class _PID:
    def __init__(self, pid: tuple[Any, ...]) -> None:
        self.pid = pid


class _TorchPickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Any:
        return obj.pid if isinstance(obj, _PID) else None


def torch_like_data_pkl(n_tensors: int = 2, protocol: int = 2) -> bytes:
    """A state-dict pickle shaped like torch.save's data.pkl (rebuild_tensor_v2 + persistent storages)."""
    mods = _fake_torch()
    saved = {k: sys.modules.get(k) for k in mods}
    sys.modules.update(mods)
    try:
        state = OrderedDict((f"layer{i}.weight", _Rebuild(str(i), 4, mods)) for i in range(n_tensors))
        buf = io.BytesIO()
        _TorchPickler(buf, protocol=protocol).dump(state)
        return buf.getvalue()
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def torch_zip(data_pkl: bytes, n_storages: int = 2) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("archive/data.pkl", data_pkl)
        zf.writestr("archive/byteorder", "little")
        for i in range(n_storages):
            zf.writestr(f"archive/data/{i}", np.arange(4, dtype=np.float32).tobytes())
        zf.writestr("archive/version", "3\n")
    return buf.getvalue()


def legacy_torch_file(data_pkl: bytes) -> bytes:
    """Legacy torch.save layout: magic, protocol, sys info, the data pickle, storage keys, raw bytes."""
    parts = [
        pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2),
        pickle.dumps(1001, protocol=2),
        pickle.dumps({"little_endian": True}, protocol=2),
        data_pkl,
        pickle.dumps(["0", "1"], protocol=2),
    ]
    raw = b"\x80\x02" + bytes(range(256)) * 8  # raw storage bytes that happen to start like a pickle
    return b"".join(parts) + raw
