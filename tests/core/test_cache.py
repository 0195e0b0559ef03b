"""modelaudit's one on-disk cache (cachefile.py): namespaced JSON entries under one version key, atomic
writes, a size cap with least-recently-used eviction, `modelaudit cache info|clear`, and --no-cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_run import run_cli
from modelaudit import _version, cachefile
from modelaudit.cachefile import NAMESPACES, Cache, key
from modelaudit.errors import ConfigError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_entries_round_trip_by_namespace_and_key(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    doc = {"b": 1, "a": [1, "x", None]}
    assert cache.get("spdx", key("t")) is None
    assert cache.put("spdx", key("t"), doc)
    got = cache.get("spdx", key("t"))
    assert got == doc and list(got) == ["b", "a"]  # key order kept
    assert cache.get("fingerprint", key("t")) is None  # namespaces are apart
    [path] = files(tmp_path)
    assert path == tmp_path / cachefile.version_key() / "spdx" / key("t")[:2] / f"{key('t')}.json"
    with pytest.raises(KeyError):
        cache.put("nope", key("t"), doc)


def test_keys_are_content_addresses_of_their_parts() -> None:
    assert key("a", "b") == key("a", "b") != key("ab") != key("a", "b", "")
    assert key("a", b"b") == key("a", "b") and len(key("x")) == 64


def test_a_damaged_or_foreign_entry_is_a_miss(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("spdx", key("t"), {"x": 1})
    [path] = files(tmp_path)
    path.write_text("{half", encoding="utf-8")
    assert cache.get("spdx", key("t")) is None
    assert not Cache(tmp_path / "not-there").get("spdx", key("t"))


def test_writes_are_atomic_and_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert cache.put("spdx", key("t"), {"x": 1}) and cache.put("spdx", key("t"), {"x": 2})
    assert [p.name for p in files(tmp_path)] == [f"{key('t')}.json"]  # no temporary file left
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    assert not Cache(blocker).put("spdx", key("t"), {"x": 1})
    assert not cache.put("spdx", key("u"), {"not json": {1, 2}})


def test_another_version_never_reads_an_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Cache(tmp_path).put("spdx", key("t"), {"x": 1})
    monkeypatch.setattr(cachefile, "__version__", _version.__version__ + ".post1")
    newer = Cache(tmp_path)
    assert newer.get("spdx", key("t")) is None
    info = newer.info()
    assert info.namespaces["spdx"].entries == 0 and info.namespaces["stale"].entries == 1


def test_a_disabled_cache_reads_and_writes_nothing(tmp_path: Path) -> None:
    Cache(tmp_path).put("spdx", key("t"), {"x": 1})
    before = [(p, p.stat().st_mtime_ns) for p in files(tmp_path)]
    off = Cache.off()
    assert off.get("spdx", key("t")) is None and not off.put("spdx", key("u"), {"x": 1})
    assert [(p, p.stat().st_mtime_ns) for p in files(tmp_path)] == before


def _aged(cache: Cache, name: str, size: int, age: int) -> Path:
    cache.put("spdx", key(name), "x" * size)
    path = cache.path("spdx", key(name))
    past = path.stat().st_mtime - age
    os.utime(path, (past, past))
    return path


def test_over_the_cap_other_versions_go_first_then_the_least_recently_used(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    old, middle, new = (_aged(cache, n, 300, age) for n, age in (("old", 300), ("middle", 200), ("new", 100)))
    stale = tmp_path / "v1-0.0.1" / "spdx" / "aa" / "stale.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("x" * 100)  # the newest file of all: other versions' entries still go first
    assert cache.get("spdx", key("old")) is not None  # a read hit makes it the most recently used
    total = sum(p.stat().st_size for p in files(tmp_path))
    assert cache.evict(limit=total) == 0  # at the cap: nothing goes
    expected = stale.stat().st_size + middle.stat().st_size
    assert cache.evict(limit=800) == expected  # ~1000 bytes held: down to 90 % of 800
    assert not stale.exists() and not middle.exists() and old.exists() and new.exists()


def test_the_first_write_of_a_cache_keeps_it_under_its_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(4):
        _aged(Cache(tmp_path), f"e{i}", 1000, 100 - i)  # each Cache's first write checks the total
    monkeypatch.setenv("MODELAUDIT_CACHE_MAX_BYTES", "2500")
    Cache(tmp_path).put("spdx", key("last"), "x" * 10)
    total = sum(p.stat().st_size for p in files(tmp_path))
    assert total <= 2500 * 0.9 and Cache(tmp_path).get("spdx", key("last")) is not None


def test_the_cap_defaults_and_a_bad_one_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MODELAUDIT_CACHE_MAX_BYTES", raising=False)
    assert cachefile.max_bytes() == cachefile.DEFAULT_MAX_BYTES
    monkeypatch.setenv("MODELAUDIT_CACHE_MAX_BYTES", "many")
    with pytest.raises(ConfigError, match="MODELAUDIT_CACHE_MAX_BYTES"):
        cachefile.max_bytes()
    assert Cache(tmp_path).evict() == 0  # a write never fails on it
    code, _out, err = run_cli("scan", str(EXAMPLES / "tiny-chat"), "--offline", "-q")
    assert code == 2 and "MODELAUDIT_CACHE_MAX_BYTES" in err


@pytest.mark.parametrize("value", ["many", "0", "-5", "1e9", "12 MiB", "\u00b2", "\u0661\u0662"])
def test_a_malformed_cap_ends_a_scan_up_front_and_never_a_cache_write(
    value: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MODELAUDIT_CACHE_MAX_BYTES", value)
    with pytest.raises(ConfigError, match="MODELAUDIT_CACHE_MAX_BYTES"):
        cachefile.max_bytes()
    cache = Cache(tmp_path / "cache")
    assert cache.put("spdx", key("a"), {"x": 1})  # the first write checks the cap: it must not raise
    assert cache.evict() == 0 and cache.get("spdx", key("a")) == {"x": 1}  # nothing removed under no cap
    code, out, err = run_cli("scan", str(EXAMPLES / "tiny-chat"), "--offline", "-q")
    assert code == 2 and out == ""
    assert "MODELAUDIT_CACHE_MAX_BYTES" in err and "internal error" not in err


def test_a_cap_smaller_than_any_entry_only_keeps_the_cache_empty(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MODELAUDIT_CACHE_MAX_BYTES", "1")
    runs = [run_cli("scan", str(EXAMPLES / "tiny-chat"), "--offline", "-q", "-f", "json") for _ in range(2)]
    monkeypatch.setenv("MODELAUDIT_CACHE_MAX_BYTES", "1000000")
    roomy = run_cli("scan", str(EXAMPLES / "tiny-chat"), "--offline", "-q", "-f", "json")
    assert [code for code, _, _ in runs] == [0, 0] and roomy[0] == 0
    assert {_no_time(out) for _, out, _ in runs} == {_no_time(roomy[1])}  # the same report, cap or not
    monkeypatch.setenv("MODELAUDIT_CACHE_MAX_BYTES", "1")
    assert Cache(tmp_path / "cache").evict() > 0 and files(tmp_path / "cache") == []


def _no_time(report: str) -> str:
    doc = json.loads(report)
    doc.pop("generated_at", None)
    return json.dumps(doc, sort_keys=True)


def test_a_cache_write_survives_a_removed_working_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # the config file is looked for from the working folder: Path.cwd() now raises
    monkeypatch.delenv("MODELAUDIT_CACHE_MAX_BYTES", raising=False)
    cache = Cache(tmp_path / "cache")
    assert cache.put("spdx", key("a"), 1) and cache.get("spdx", key("a")) == 1


def test_the_root_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(tmp_path / "c"))
    assert cachefile.root() == tmp_path / "c" and cachefile.default().location == tmp_path / "c"
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", "~/mc")
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    assert cachefile.root() == tmp_path / "h" / "mc"
    monkeypatch.delenv("MODELAUDIT_CACHE_DIR")
    assert cachefile.root().name == "modelaudit"


def test_clear_removes_a_namespace_or_everything_modelaudit_keeps_there(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("spdx", key("a"), 1)
    cache.put("fingerprint", key("b"), 2)
    (tmp_path / "v1-0.0.1" / "spdx").mkdir(parents=True)
    (tmp_path / "v1-0.0.1" / "spdx" / "old.json").write_text("3")
    (tmp_path / "yaml" / "ab").mkdir(parents=True)  # a cache folder of the layout before this one
    (tmp_path / "yaml" / "ab" / "c.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("not ours")  # the folder may hold other things: never touched
    assert cache.clear("spdx").entries == 2  # both versions
    assert cache.get("fingerprint", key("b")) == 2
    gone = cache.clear()
    assert gone.entries == 2 and files(tmp_path) == [tmp_path / "notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    with pytest.raises(KeyError):
        cache.clear("nope")


def test_cache_info_and_clear_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELAUDIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("MODELAUDIT_CACHE_MAX_BYTES", "4096")
    Cache(tmp_path).put("spdx", key("a"), {"coverage": 1.0})
    code, out, _ = run_cli("cache", "info", "-f", "json")
    doc = json.loads(out)
    assert code == 0 and doc["location"] == str(tmp_path) and doc["max_bytes"] == 4096
    counts = {n["name"]: n["entries"] for n in doc["namespaces"]}
    assert counts == {**dict.fromkeys(NAMESPACES, 0), "spdx": 1, "stale": 0}
    code, out, _ = run_cli("cache", "info")
    assert code == 0 and str(tmp_path) in out and "spdx" in out and "4,096" in out
    code, _, err = run_cli("cache", "clear", "spdx")
    assert code == 0 and "removed 1 entries" in err and files(tmp_path) == []
    code, _, err = run_cli("cache", "clear", "nope")
    assert code == 2 and "nope" in err


# Every file-system call the process makes under the cache folder, seen through audit hooks (open for
# reading or writing, folder listings, creation, renames, removals, time stamps).
NO_CACHE_PROBE = """
import os, sys
root = os.path.realpath(sys.argv[1])
touched = []
def hook(event, args):
    if event in ("open", "os.listdir", "os.scandir", "os.mkdir", "os.rename", "os.replace", "os.remove",
                 "os.unlink", "os.rmdir", "os.utime", "os.chmod") and args:
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            path = os.fsdecode(path)
            if os.path.realpath(path).startswith(root):
                touched.append((event, path))
sys.addaudithook(hook)
from modelaudit.cli.main import main
try:
    main(sys.argv[2:])
except SystemExit as e:
    code = e.code
sys.stderr.write("\\nPROBE %d %r\\n" % (code, touched))
"""


def _probe(cache_dir: Path, *argv: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    full_env = {**os.environ, "MODELAUDIT_CACHE_DIR": str(cache_dir), "HF_HUB_OFFLINE": "1", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-c", NO_CACHE_PROBE, str(cache_dir), *argv],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
        check=False,
    )
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("PROBE "))
    code, _, touched = line[len("PROBE ") :].partition(" ")
    return int(code), touched


def test_no_cache_reads_and_writes_nothing_in_the_cache_folder(tmp_path: Path) -> None:
    """A scan and a lineage of a model with a LICENSE file and weights (SPDX matches, fingerprints) and of a
    folder lineage: with --no-cache nothing under the cache folder is opened, listed, created or touched."""
    cache_dir = tmp_path / "cache"
    tiny = str(EXAMPLES / "tiny-chat")
    code, touched = _probe(cache_dir, "scan", tiny, "--offline", "-q")  # fills the cache
    assert code == 0 and touched != "[]"
    before = [(p, p.stat().st_mtime_ns, p.read_bytes()) for p in files(cache_dir)]
    assert before
    for argv in (["scan", tiny, "--offline", "-q", "--no-cache"], ["lineage", tiny, "--offline", "--no-cache"]):
        code, touched = _probe(cache_dir, *argv)
        assert (code, touched) == (0, "[]"), argv
    assert [(p, p.stat().st_mtime_ns, p.read_bytes()) for p in files(cache_dir)] == before
    code, touched = _probe(cache_dir, "scan", tiny, "--offline", "-q", env={"MODELAUDIT_NO_CACHE": "1"})
    assert (code, touched) == (0, "[]")
