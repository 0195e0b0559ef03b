"""Inventory files: YAML, CSV and plain lists; every problem names the file and the entry, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_run import run_cli
from modelaudit.errors import InputError
from modelaudit.fleet.inventory import load_inventory


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_with_defaults_pins_and_per_entry_policy(tmp_path: Path) -> None:
    (tmp_path / "local-model").mkdir()
    path = write(
        tmp_path,
        "fleet.yaml",
        "defaults: {policy: commercial, owner: platform}\n"
        "models:\n"
        "  - target: org/a\n    revision: v1.0\n    owner: search\n    use: ranking\n"
        "  - target: org/b\n    policy: my-policy.yaml\n    waivers: w.yaml\n"
        "  - local-model\n",
    )
    inv = load_inventory(path)
    a, b, c = inv.entries
    assert (a.spec, a.owner, a.use, a.policy) == ("org/a@v1.0", "search", "ranking", "commercial")
    assert b.policy == str(tmp_path / "my-policy.yaml") and b.waivers == str(tmp_path / "w.yaml")
    assert b.owner == "platform"
    assert c.target == str(tmp_path / "local-model")  # folders are relative to the inventory


def test_csv_and_plain_list(tmp_path: Path) -> None:
    csv_inv = load_inventory(
        write(tmp_path, "fleet.csv", "target,revision,owner,use\norg/a,,team-a,chat\norg/b,main,,\n\n")
    )
    assert [(e.spec, e.owner, e.use) for e in csv_inv.entries] == [
        ("org/a", "team-a", "chat"),
        ("org/b@main", None, None),
    ]
    listed = load_inventory(write(tmp_path, "fleet.txt", "# our models\norg/a\n\norg/b@v2  # pinned\n"))
    assert [e.spec for e in listed.entries] == ["org/a", "org/b@v2"]


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("f.yaml", "models: [org/a, org/a]\n", "entry 2 ('org/a') repeats entry 1"),
        ("f.yaml", "models:\n  - target: org/a\n    ownr: x\n", "entry 1: unknown key 'ownr'"),
        ("f.yaml", "modles: []\n", "unknown key 'modles'"),
        ("f.yaml", "models: [\n", "not valid YAML"),
        ("f.yaml", "models: []\n", "lists no models"),
        ("f.yaml", "models: ['not a valid id!!']\n", "entry 1 ('not a valid id!!')"),
        ("f.csv", "model,owner\norg/a,x\n", "must name a `target` column"),
        ("f.csv", "target,team\norg/a,x\n", "unknown CSV column 'team'"),
        ("f.txt", "\n# nothing\n", "lists no models"),
    ],
)
def test_bad_inventories_are_refused_with_the_file_and_entry(
    tmp_path: Path, name: str, text: str, problem: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(InputError) as err:
        load_inventory(path)
    assert str(path) in err.value.message and problem in err.value.message
    code, stdout, stderr = run_cli("fleet", "scan", str(path), "--db", str(tmp_path / "x.db"), "-q")
    assert code == 2 and stdout == "" and problem in stderr and "Traceback" not in stderr


def test_missing_inventory_and_foreign_database(tmp_path: Path) -> None:
    code, _out, stderr = run_cli("fleet", "scan", str(tmp_path / "nope.yaml"), "-q")
    assert code == 2 and "no such inventory file" in stderr
    code, _out, stderr = run_cli("fleet", "query", "failing", "--db", str(tmp_path / "none.db"))
    assert code == 2 and "no such fleet database" in stderr
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    code, _out, stderr = run_cli("fleet", "diff", "--db", str(other))
    assert code == 2 and "not a modelaudit fleet store" in stderr


def test_a_csv_saved_by_a_spreadsheet_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # "CSV UTF-8" as spreadsheets save it: a UTF-8 byte-order mark and CR LF line ends
    path = tmp_path / "fleet.csv"
    path.write_bytes("target,owner,use\r\norg/a,search,ranking\r\norg/b,,\r\n".encode("utf-8-sig"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    inv = load_inventory(path)
    assert [(e.spec, e.owner, e.use) for e in inv.entries] == [
        ("org/a", "search", "ranking"),
        ("org/b", None, None),
    ]


def test_one_repo_in_two_spellings_is_audited_once_with_a_note(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fleet.txt",
        "meta-llama/Llama-3.1-8B\norg/b\nhttps://huggingface.co/meta-llama/Llama-3.1-8B\nMETA-LLAMA/llama-3.1-8b\n"
        "meta-llama/Llama-3.1-8B@main\n",
    )
    inv = load_inventory(path)
    # Hub ids are case-insensitive and a Hub URL names its repo; a pinned revision is another entry
    assert [e.spec for e in inv.entries] == [
        "meta-llama/Llama-3.1-8B",
        "org/b",
        "meta-llama/Llama-3.1-8B@main",
    ]
    assert inv.notes == [
        "entry 3 ('https://huggingface.co/meta-llama/Llama-3.1-8B') names the same repo as entry 1 "
        "('meta-llama/Llama-3.1-8B'); it is audited once",
        "entry 4 ('META-LLAMA/llama-3.1-8b') names the same repo as entry 1 ('meta-llama/Llama-3.1-8B'); "
        "it is audited once",
    ]


def test_one_repo_in_two_spellings_with_other_settings_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fleet.yaml",
        "models:\n  - {target: org/Model, owner: a}\n  - {target: org/model, owner: b}\n",
    )
    with pytest.raises(InputError, match=r"entry 2 \('org/model'\) names the same repo as entry 1"):
        load_inventory(path)


def test_the_fleet_command_says_which_entries_it_merged(tmp_path: Path) -> None:
    path = write(tmp_path, "fleet.txt", "org/Model\norg/model\n")
    code, _out, err = run_cli(
        "fleet",
        "scan",
        str(path),
        "--offline",
        "--db",
        str(tmp_path / "f.db"),
        "-o",
        str(tmp_path / "out"),
        "-q",
    )
    assert "note: " in err and "entry 2 ('org/model') names the same repo as entry 1 ('org/Model')" in err
    assert code == 2  # offline, the repo cannot be read: not audited, never a pass
