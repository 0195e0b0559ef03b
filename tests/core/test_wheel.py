"""The built wheel carries license_db/ and policies/ and scans without the source checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (found,) = out.glob("modelaudit_provenance-*.whl")
    return found


def test_wheel_ships_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "modelaudit/_data/license_db/Apache-2.0.yaml" in names
    assert "modelaudit/_data/license_db/llama3.1.yaml" in names
    assert "modelaudit/_data/policies/default.yaml" in names
    assert "modelaudit/_data/license_db.json" in names  # compiled by hatch_build.py
    # the license texts `modelaudit fix` writes, and where they come from
    assert "modelaudit/_data/license_db/texts/llama3.1.txt" in names
    assert "modelaudit/_data/license_db/texts/SOURCES.md" in names
    assert "modelaudit/formats/templates/report.html.j2" in names
    assert "modelaudit/formats/templates/dashboard.html.j2" in names  # the fleet dashboard's page
    assert not any(n.startswith("tests/") for n in names)


PROBE = """
import json, os, sys
sys.path = [p for p in sys.path if "src" not in p.split(os.sep)]  # drop the editable checkout
import modelaudit, modelaudit.licenses.db as db, modelaudit.policy.model as pm
report = modelaudit.scan(sys.argv[1], offline=True)
print(json.dumps({
    "file": modelaudit.__file__,
    "verdict": report.verdict.value,
    "license": report.nodes[0].license.id,
    "policies": pm.list_policies(),
    "records": len(db.load_db().all()),
    "compiled": db._shipped(db.db_dir(), db._source_stamp(db.db_dir())[1]) is not None,
}))
"""


def test_unpacked_wheel_scans_without_the_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MODELAUDIT_LICENSE_DB")}
    env["PYTHONPATH"] = str(site)  # the unpacked wheel, then the venv's dependencies
    proc = subprocess.run(
        [sys.executable, str(probe), str(ROOT / "examples" / "tiny-chat")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["file"].startswith(str(site))
    assert result["verdict"] == "pass"
    assert result["license"] == "Apache-2.0"
    assert {"default", "strict-ci", "commercial"} <= set(result["policies"])
    assert result["records"] > 500
    assert result["compiled"]  # the run read the database the build compiled
