"""Real-world metadata files written by others, read as a scan reads them.

``tests/data/real/`` holds model and dataset cards, adapter_config.json files and merge configs collected
from public repositories (``SOURCES.tsv`` says where each came from). ``MANIFEST.yaml`` records, written by
hand from each file's text, which license it declares and which base models it names. Every file goes
through the card reader (``extract_record``) and the license assessment (``assess_record``), and the lineage
decision of which named bases and source datasets are Hub repos to crawl (``parent_ref``); the answers must match
the manifest.

``python tests/sources/test_real_cards.py`` prints the agreement figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from modelaudit.errors import InputError, RepoNotFoundError
from modelaudit.licenses.assess import assess_record
from modelaudit.lineage.crawler import crawl, parent_ref
from modelaudit.models import FileEntry, Relation, RepoKind, RepoRecord, RepoRef, Severity, SourceKind
from modelaudit.sources import SourceSet
from modelaudit.sources.record import extract_record
from modelaudit.targets import hub_id_from, hub_id_from_cache_path, is_local_path

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
KINDS = {  # folder → (path the file has inside a repo, repo kind); "" = the file's own name (OWNER__REPO.NAME)
    "model_cards": ("README.md", RepoKind.MODEL),
    "dataset_cards": ("README.md", RepoKind.DATASET),
    "adapter_configs": ("adapter_config.json", RepoKind.MODEL),
    "mergekit": ("", RepoKind.MODEL),
}
OTHER_FOLDERS = (
    "webhooks",
)  # real inputs of other kinds, listed in SOURCES.tsv (not cards: no manifest entry)
LICENSE_TARGET = 0.99
BASES_TARGET = 0.99
DATASETS_TARGET = 0.99


def _manifest() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((REAL / "MANIFEST.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


MANIFEST = _manifest()
FILES = sorted(MANIFEST)


def read(rel: str) -> RepoRecord:
    """The record a source builds for a repo holding just this file."""
    folder, name = rel.split("/", 1)
    repo_path, kind = KINDS[folder]
    repo_path = repo_path or ".".join(name.split(".")[-2:])  # mergekit_config.yaml, merge.yml, ...
    raw = (REAL / rel).read_bytes()
    ref = RepoRef(repo_id=f"real/{name.replace('__', '-')[:90]}", kind=kind)
    return extract_record(
        ref,
        SourceKind.HUB,
        files=[FileEntry(path=repo_path, size=len(raw))],
        read_small=lambda path: raw if path == repo_path else None,
    )


@dataclass
class Reading:
    license: str | None
    bases: set[str]
    local_bases: set[str]
    derived: set[str]
    derived_outside: set[str]
    relations: set[Relation]  # how the file relates the repo to its model bases (when it says)


def reading(record: RepoRecord) -> Reading:
    info, _ = assess_record(record)
    bases: set[str] = set()
    local: set[str] = set()
    derived: set[str] = set()
    outside: set[str] = set()
    relations: set[Relation] = set()
    for claim in record.parents:
        if claim.weak:
            continue
        if claim.relation is Relation.DERIVED:
            (derived if parent_ref(claim, record) is not None else outside).add(claim.target)
            continue
        if claim.kind is not RepoKind.MODEL:
            continue
        if claim.relation is not None and not claim.evidence.source.startswith(("card:", "tag:")):
            relations.add(claim.relation)
        ref = parent_ref(claim, record)
        (bases if ref is not None else local).add(ref.key if ref is not None else claim.target)
    return Reading(info.id, bases, local, derived, outside, relations)


def expected(entry: dict[str, Any]) -> Reading:
    return Reading(
        entry.get("license"),
        set(entry.get("bases") or []),
        set(entry.get("local_bases") or []),
        set(entry.get("derived") or []),
        set(entry.get("derived_outside") or []),
        {Relation(entry["relation"])} if entry.get("relation") else set(),
    )


def test_the_collection_is_large_and_documented() -> None:
    on_disk = {f"{p.parent.name}/{p.name}" for d in KINDS for p in (REAL / d).iterdir()}
    assert on_disk == set(MANIFEST)
    others = {f"{p.parent.name}/{p.name}" for d in OTHER_FOLDERS for p in (REAL / d).iterdir()}
    sources = (REAL / "SOURCES.tsv").read_text(encoding="utf-8").splitlines()
    assert sources[0].split("\t")[:5] == ["file", "repository", "path", "commit", "id"]
    listed = {line.split("\t")[0] for line in sources[1:]}
    assert listed == on_disk | others
    assert len(on_disk) >= 150


@pytest.mark.parametrize("rel", [f for f in FILES if MANIFEST[f].get("error")])
def test_an_invalid_file_is_refused_with_an_error_naming_it(rel: str) -> None:
    with pytest.raises(InputError) as err:
        read(rel)
    assert KINDS[rel.split("/")[0]][0] in str(err.value)


@pytest.mark.parametrize("rel", [f for f in FILES if not MANIFEST[f].get("error")])
def test_a_real_file_reads_as_a_person_reads_it(rel: str) -> None:
    record = read(rel)
    assert record.problems == []  # a valid file leaves no metadata problem behind
    got, want = reading(record), expected(MANIFEST[rel])
    if "license" in MANIFEST[rel]:
        assert got.license == want.license
    assert (got.bases, got.local_bases) == (want.bases, want.local_bases)
    if "derived" in MANIFEST[rel]:
        assert (got.derived, got.derived_outside) == (want.derived, want.derived_outside)
    if "relation" in MANIFEST[rel]:
        assert got.relations == want.relations


def _card_record(front: str) -> RepoRecord:
    raw = f"---\n{front}---\n".encode()
    return extract_record(
        RepoRef(repo_id="org/data", kind=RepoKind.DATASET),
        SourceKind.HUB,
        files=[FileEntry(path="README.md", size=len(raw))],
        read_small=lambda path: raw,
    )


def test_the_old_licenses_key_counts_only_when_license_is_absent() -> None:
    old = _card_record("licenses:\n- cc-by-4.0\n")
    assert [(e.source, e.value) for e in old.license_evidence] == [("card:licenses", "cc-by-4.0")]
    assert assess_record(old)[0].id == "CC-BY-4.0"
    both = _card_record("license: mit\nlicenses:\n- cc-by-4.0\n")
    assert [e.source for e in both.license_evidence] == ["card:license"]
    assert assess_record(both)[0].id == "MIT"


class OnlyTheTarget:
    """A source that knows the target's record and nothing else (every parent is not found)."""

    def __init__(self, record: RepoRecord) -> None:
        self.record = record
        self.fetched: list[str] = []

    def fetch(self, ref: RepoRef) -> RepoRecord:
        self.fetched.append(ref.key)
        if ref == self.record.ref:
            return self.record
        raise RepoNotFoundError(ref.repo_id)


@pytest.mark.parametrize("rel", [f for f in FILES if MANIFEST[f].get("local_bases")])
def test_a_local_path_base_is_never_crawled_and_is_reported_as_a_note(rel: str) -> None:
    record = read(rel)
    source = OnlyTheTarget(record)
    graph = crawl(record.ref, source, workers=1)
    local = set(MANIFEST[rel]["local_bases"])
    assert not local & set(graph.nodes) and not local & {e.parent for e in graph.edges}
    assert not any(path in key for key in source.fetched for path in local)
    notes = [f for f in graph.findings if f.name == "lineage-unresolved"]
    assert {f.severity for f in notes} == {Severity.NOTE}
    assert len(notes) == len(local)
    for path in local:
        [note] = [f for f in notes if repr(path) in f.message]
        assert note.node == record.ref.key and "local path" in note.message
        assert {e.value for e in note.evidence} >= {path}
    # the Hub bases the file also names are still crawled (and unresolved here: the source knows none)
    assert {e.parent for e in graph.edges} == set(MANIFEST[rel].get("bases") or [])


def test_in_a_local_checkout_a_trainer_path_is_a_note_and_a_missing_sibling_stays_unresolved(
    tmp_path: Path,
) -> None:
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    real = REAL / "adapter_configs" / "AnHuanAo__qwythos-9b-math-sft.json"
    (adapter / "adapter_config.json").write_bytes(real.read_bytes())
    (adapter / "README.md").write_text(
        "---\nlicense: apache-2.0\nbase_model: ../gone\n---\n", encoding="utf-8"
    )
    graph = crawl(RepoRef(repo_id="adapter", local_path=str(adapter)), SourceSet(offline=True), workers=1)
    assert [(k, n.resolved) for k, n in graph.nodes.items() if k != graph.root] == [("../gone", False)]
    [note] = graph.findings
    assert note.severity is Severity.NOTE and "/root/autodl-tmp/models/qwythos-9b" in note.message


@pytest.mark.parametrize(
    "value",
    [
        "/content/drive/MyDrive/base",
        "./output",
        "../base",
        "~/models/llama",
        "C:\\Users\\me\\llama",
        "C:/models/llama",
        "D:\\",
        ".",
        "..",
    ],
)
def test_paths_are_local(value: str) -> None:
    assert is_local_path(value) and hub_id_from(value) is None


@pytest.mark.parametrize(
    "value", ["meta-llama/Llama-3.1-8B", "gpt2", "models/tinyllama_chat", "org/name@main"]
)
def test_ids_are_not_local(value: str) -> None:
    assert not is_local_path(value) and hub_id_from(value) is not None


SHA = "7683fea62db869066ddaff6a41d032262c490d4f"


@pytest.mark.parametrize(
    ("path", "want"),
    [
        (
            f"/root/.cache/huggingface/hub/models--org--name/snapshots/{SHA}",
            ("org/name@" + SHA, RepoKind.MODEL),
        ),
        (f"C:\\Users\\me\\hub\\models--org--name\\snapshots\\{SHA}\\", ("org/name@" + SHA, RepoKind.MODEL)),
        ("/data/hub/models--gpt2/snapshots/not-a-commit", ("gpt2", RepoKind.MODEL)),
        ("~/hub/datasets--org--data", ("org/data", RepoKind.DATASET)),
        ("/content/models--a--b--c/snapshots", None),  # Hub ids cannot hold "--": not a cache folder
        ("/content/models--org--bad name/snapshots", None),
        ("/content/llama3_model", None),
    ],
)
def test_a_path_into_a_hub_cache_names_its_repo(path: str, want: tuple[str, RepoKind] | None) -> None:
    assert hub_id_from_cache_path(path) == want
    assert hub_id_from(path) == want


_NAME = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9_.]|-(?!-)){0,20}", fullmatch=True).filter(
    lambda n: not n.endswith("-") and ".." not in n
)


@settings(max_examples=80, database=None, deadline=None)
@given(org=_NAME, name=_NAME, sha=st.from_regex(r"[0-9a-f]{40}", fullmatch=True), prefix=st.text(max_size=30))
def test_cache_paths_round_trip(org: str, name: str, sha: str, prefix: str) -> None:
    prefix = prefix.replace("\\", "/")
    path = f"/{prefix}/models--{org}--{name}/snapshots/{sha}"
    found = hub_id_from_cache_path(path)
    assert found is None or found == (f"{org}/{name}@{sha}", RepoKind.MODEL)
    if "--" not in prefix and "models" not in prefix and "datasets" not in prefix:
        assert found == (f"{org}/{name}@{sha}", RepoKind.MODEL)


@settings(max_examples=150, database=None, deadline=None)
@given(value=st.text(max_size=200))
def test_path_helpers_take_any_text(value: str) -> None:
    found = hub_id_from_cache_path(value)
    assert found is None or "--" not in found[0]
    assert isinstance(is_local_path(value), bool)


def figures() -> dict[str, Any]:
    """Files by kind, and how often the reading agrees with the manifest."""
    by_kind = Counter(rel.split("/")[0] for rel in FILES)
    lic_total = lic_ok = base_total = base_ok = errors_ok = ds_total = ds_ok = 0
    misses: list[str] = []
    for rel in FILES:
        entry = MANIFEST[rel]
        if entry.get("error"):
            try:
                read(rel)
            except InputError:
                errors_ok += 1
            else:
                misses.append(f"{rel}: read without an error")
            continue
        got, want = reading(read(rel)), expected(entry)
        if "license" in entry:
            lic_total += 1
            lic_ok += got.license == want.license
            if got.license != want.license:
                misses.append(f"{rel}: license {got.license!r} != {want.license!r}")
        base_total += 1
        same = (got.bases, got.local_bases) == (want.bases, want.local_bases)
        base_ok += same
        if not same:
            misses.append(f"{rel}: bases {sorted(got.bases)}/{sorted(got.local_bases)}")
        if "derived" in entry:
            ds_total += 1
            same = (got.derived, got.derived_outside) == (want.derived, want.derived_outside)
            ds_ok += same
            if not same:
                misses.append(f"{rel}: source datasets {sorted(got.derived)}/{sorted(got.derived_outside)}")
    return {
        "files": dict(sorted(by_kind.items())),
        "license_agreement": (lic_ok, lic_total),
        "bases_agreement": (base_ok, base_total),
        "datasets_agreement": (ds_ok, ds_total),
        "refused_as_expected": errors_ok,
        "misses": misses,
    }


def test_agreement_reaches_the_targets() -> None:
    fig = figures()
    ok, total = fig["license_agreement"]
    assert total >= 120 and ok / total >= LICENSE_TARGET, fig["misses"]
    ok, total = fig["bases_agreement"]
    assert total >= 145 and ok / total >= BASES_TARGET, fig["misses"]
    ok, total = fig["datasets_agreement"]  # every dataset card's source_datasets, Hub and outside it
    assert total >= 30 and ok / total >= DATASETS_TARGET, fig["misses"]


if __name__ == "__main__":
    fig = figures()
    print("files by kind:", ", ".join(f"{k} {v}" for k, v in fig["files"].items()), f"(total {len(FILES)})")
    for name in ("license_agreement", "bases_agreement", "datasets_agreement"):
        ok, total = fig[name]
        print(f"{name.replace('_', ' ')}: {ok}/{total} = {100 * ok / total:.1f} %")
    print("invalid files refused:", fig["refused_as_expected"])
    for miss in fig["misses"]:
        print("  miss:", miss)


CARDS = [f for f in FILES if f.split("/")[0] in ("model_cards", "dataset_cards")]


@pytest.mark.parametrize("rel", CARDS)
def test_every_card_is_read_as_huggingface_hub_reads_it(rel: str, tmp_path: Path) -> None:
    """The front matter we read is what ``huggingface_hub.repocard.metadata_load`` reads from the same bytes
    (it opens the card in text mode: CR and CR CR LF line ends included), and a license it finds is read."""
    from huggingface_hub.repocard import metadata_load

    from modelaudit.bounded import jsonable

    card = tmp_path / "README.md"
    card.write_bytes((REAL / rel).read_bytes())
    theirs = jsonable(metadata_load(card) or {})
    record = read(rel)
    assert record.card_data == theirs
    declared = [k for k in ("license", "licenses") if theirs.get(k)]
    assert bool(declared) == any(e.source.startswith("card:licens") for e in record.license_evidence)


@pytest.mark.parametrize("rel", [f for f in CARDS if (REAL / f).read_bytes().count(b"\r")])
def test_cards_with_cr_line_ends_declare_what_their_lf_originals_declare(rel: str) -> None:
    original = "/".join((rel.split("/")[0], rel.split("/")[1].split("-", 1)[1]))
    assert (REAL / original).read_bytes().replace(b"\n", b"") == (REAL / rel).read_bytes().replace(
        b"\r", b""
    ).replace(b"\n", b"")
    got, want = read(rel), read(original)
    assert got.card_data == want.card_data and got.card_data
    assert got.license_evidence == want.license_evidence and got.license_evidence
    assert got.parents == want.parents
    assert reading(got) == reading(want)


@pytest.mark.parametrize(
    "text",
    [
        b"---\nlicense: mit\nbase_model: org/base\n",  # LF, never closed
        b"---\rlicense: mit\rbase_model: org/base\r",  # CR, never closed
        b"---\r\r\nlicense: cc-by-nc-4.0\r\r\n",  # CR CR LF, never closed
    ],
)
def test_front_matter_that_is_never_closed_is_refused_not_read_as_no_license(text: bytes) -> None:
    with pytest.raises(InputError, match="never closed") as err:
        extract_record(
            RepoRef(repo_id="org/model"),
            SourceKind.HUB,
            files=[FileEntry(path="README.md", size=len(text))],
            read_small=lambda path: text,
        )
    assert "README.md" in str(err.value)
