"""Build hook (hatchling ``custom``): compile the license database into the package.

``license_db/*.yaml`` is read, validated and overlaid on the SPDX list once, here, and written as
``modelaudit/_data/license_db.json`` (see ``modelaudit.licenses.db``), so a run reads one JSON document
instead of parsing a hundred YAML files and validating 750 records. Wheels get the file through
``force_include``; an editable install gets it in ``src/modelaudit/_data/`` (ignored by git), where the
checkout's package finds it. A run whose license folder no longer matches the compiled stamp (an edited
checkout, ``MODELAUDIT_LICENSE_DB``) compiles that folder in memory instead, so a stale file is never used.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

COMPILED = "modelaudit/_data/license_db.json"


class CompileLicenseDB(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        sys.path.insert(0, str(root / "src"))
        try:
            from modelaudit.licenses.db import compile_folder

            doc = compile_folder(root / "license_db")
        finally:
            sys.path.remove(str(root / "src"))
        text = json.dumps(doc, separators=(",", ":"), sort_keys=True)
        if version == "editable":  # the checkout's src/ is the package: the file goes next to its modules
            target = root / "src" / COMPILED
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            return
        out = Path(tempfile.mkdtemp(prefix="modelaudit-build-")) / "license_db.json"
        out.write_text(text, encoding="utf-8")
        build_data["force_include"][str(out)] = COMPILED
