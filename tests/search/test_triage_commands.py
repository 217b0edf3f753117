"""``wildwatch triage`` and the triage filters of ``wildwatch search``, over a real index:
set, list, show, and the export of decisions as labelled cases the quality gate can read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.sqlite_backend import SqliteBackend
from tests.search.conftest import corpus
from wildwatch.cli import main


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("WILDWATCH_TZ", "Asia/Ho_Chi_Minh")
    monkeypatch.delenv("WILDWATCH_ELASTICSEARCH_URL", raising=False)
    with SqliteBackend.from_settings() as backend:
        backend.upsert(corpus())
    return tmp_path


def test_set_list_show_and_search_by_state(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", "set", "rhino-daklak", "pangolin-mongcai", "--state", "relevant"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in out] == [
        ["rhino-daklak", "relevant", "seen"],
        ["pangolin-mongcai", "relevant", "seen"],
    ]
    assert out[0].split()[3].startswith("cli:")
    assert (
        main(
            [
                "triage",
                "set",
                "forest-daknong",
                "--state",
                "not relevant",
                "--note",
                "Tin trồng rừng",
                "--by",
                "minh",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["triage", "list", "--state", "not_relevant", "--json"]) == 0
    [listed] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (listed["id"], listed["by"], listed["note"]) == (
        "forest-daknong",
        "minh",
        "Tin trồng rừng",
    )
    assert listed["title"].startswith("Phát động trồng rừng")
    assert main(["triage", "show", "forest-daknong"]) == 0
    shown = capsys.readouterr().out
    assert "minh: state='not_relevant', seen=True, note='Tin trồng rừng'" in shown

    assert main(["search", "--triage", "relevant", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert {hit["id"] for hit in found["hits"]} == {"rhino-daklak", "pangolin-mongcai"}
    assert main(["search", "--triage", "untriaged", "--unseen", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == len(corpus()) - 3
    assert main(["search", "--noted", "--json"]) == 0
    assert [h["id"] for h in json.loads(capsys.readouterr().out)["hits"]] == ["forest-daknong"]


def test_bad_states_and_unknown_items_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["triage", "set", "rhino-daklak", "--state", "maybe"]) == 2
    assert "state: 'maybe' is not a known triage state" in capsys.readouterr().err
    assert main(["triage", "set", "no-such-id", "--seen"]) == 2
    assert "no item with id no-such-id" in capsys.readouterr().err
    assert main(["search", "--triage", "important"]) == 2
    assert "valid: untriaged, relevant, not_relevant, follow_up" in capsys.readouterr().err


def test_export_writes_labelled_cases(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["triage", "set", "tiger-ad", "--state", "relevant", "--note", "Rao bán cao hổ"])
    main(["triage", "set", "forest-daknong", "--state", "not_relevant"])
    main(["triage", "set", "ivory-danang", "--state", "follow_up"])  # no label: left out
    capsys.readouterr()
    target = home / "exports" / "triage.jsonl"
    assert main(["triage", "export", "-o", str(target)]) == 0
    assert "2 labelled case(s) written" in capsys.readouterr().err
    cases = {case["id"]: case for case in map(json.loads, target.read_text("utf-8").splitlines())}
    assert set(cases) == {"triage-tiger-ad", "triage-forest-daknong"}
    tiger = cases["triage-tiger-ad"]
    assert tiger["expect"] == {"wildlife_trade": True}
    assert tiger["note"] == "Rao bán cao hổ"
    assert tiger["title"] == "Bán cao hổ, rượu ngâm hổ cốt, vòng ngà voi giá rẻ"
    assert tiger["text"].startswith("Cao hổ nguyên chất")
    assert (tiger["lang_hint"], tiger["source_url"]) == ("vi", "https://example.vn/tiger-ad")
    assert cases["triage-forest-daknong"]["expect"] == {"wildlife_trade": False}
    assert "note" not in cases["triage-forest-daknong"]

    # the quality gate's analysis runs on them as on the bundled cases
    from pipelines.analysis import analyze

    result = analyze(tiger["text"], title=tiger["title"], lang_hint=tiger["lang_hint"])
    assert result["wildlife_trade"] is tiger["expect"]["wildlife_trade"]

    assert main(["triage", "export"]) == 0  # stdout
    assert len(capsys.readouterr().out.splitlines()) == 2
