"""A small fleet on the fake Hub: fine-tunes over shared bases, one non-commercial, one Llama derivative."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from fakehub import FakeHub

CONFIG = json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})


def card(front: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(front, sort_keys=True) + "---\nA model.\n"


def model(front: dict[str, Any]) -> dict[str, str | bytes]:
    return {"README.md": card(front), "config.json": CONFIG}


def add_bases(hub: FakeHub) -> None:
    hub.add_repo("base/apache-base", model({"license": "apache-2.0"}))
    hub.add_repo("base/mit-base", model({"license": "mit"}))
    hub.add_repo("base/nc-base", model({"license": "cc-by-nc-4.0"}))


def add_fleet(hub: FakeHub, n: int = 6) -> list[str]:
    """``n`` fine-tunes spread over the three bases; returns their ids."""
    add_bases(hub)
    bases = ["base/apache-base", "base/mit-base", "base/nc-base"]
    licenses = ["apache-2.0", "mit", "cc-by-nc-4.0"]
    ids = []
    for i in range(n):
        base = bases[i % 3]
        repo = f"team/ft-{i}"
        hub.add_repo(repo, model({"license": licenses[i % 3], "base_model": base}))
        ids.append(repo)
    return ids


def write_inventory(folder: Path, ids: list[str], **per_entry: Any) -> Path:
    data = {
        "defaults": {"owner": "ml-platform"},
        "models": [{"target": t, "use": "internal assistant", **per_entry} for t in ids],
    }
    path = folder / "fleet.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def info_requests(hub: FakeHub) -> dict[str, int]:
    """Metadata requests per repo (model info, any form)."""
    out: dict[str, int] = {}
    for r in hub.requests:
        if r.route == "info" and r.repo_id:
            out[r.repo_id] = out.get(r.repo_id, 0) + 1
    return out
