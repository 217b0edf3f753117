"""``wildwatch search``: table and JSON output, filters from options, errors as exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.sqlite_backend import SqliteBackend
from tests.search.conftest import corpus
from wildwatch.cli import main


@pytest.fixture(autouse=True)
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.delenv("WILDWATCH_ELASTICSEARCH_URL", raising=False)
    backend = SqliteBackend(tmp_path / "index.sqlite")
    backend.upsert(corpus())
    backend.close()


def test_table_lists_hits_with_a_total(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "sung te giac"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["DATE", "SOURCE", "SPECIES", "ENFORCEMENT", "TITLE", "URL"]
    assert lines[1].startswith("2024-05-02  vnexpress")  # the day in Vietnam, not UTC
    assert "rhino" in lines[1] and "seizure,arrest" in lines[1]
    assert lines[1].endswith("https://example.vn/rhino-daklak")
    assert lines[-1] == "1 item matches; showing 1–1."


def test_filters_from_options(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "search",
        "--species",
        "pangolin",
        "--species",
        "tiger",
        "--kind",
        "news",
        "--kind",
        "social",
        "--since",
        "2024-05-03",
        "--until",
        "2024-05-03",
        "--sort",
        "newest",
    ]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "2 items match; showing 1–2."
    assert "pangolin-social" in lines[1] and "pangolin-mongcai" in lines[2]
    assert main(["search", "--location", "quang ninh", "--trade", "--lang", "vi"]) == 0
    assert "1 item matches" in capsys.readouterr().out
    assert main(["search", "--no-trade"]) == 0
    assert "forest-daknong" in capsys.readouterr().out


def test_json_output_follows_the_design(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "ivory", "--json", "--limit", "1"]) == 0
    response = json.loads(capsys.readouterr().out)
    assert set(response) == {"total", "hits", "facets"}
    assert response["total"] == 2 and len(response["hits"]) == 1
    assert list(response["hits"][0]) == [
        "id",
        "url",
        "title",
        "source",
        "kind",
        "lang",
        "published_at",
        "fetched_at",
        "wildlife_trade",
        "relevance",
        "species",
        "enforcement",
        "prices",
        "quantities",
        "locations",
        "contacts",
        "snippet",
    ]
    assert "<mark>ivory</mark>" in response["hits"][0]["snippet"]
    assert response["facets"]["species"] == {"elephant": 2, "rhino": 1}


def test_nothing_found(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "khỉ đột"]) == 0
    assert capsys.readouterr().out == "No items match.\n"


def test_bad_query_exits_2_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "(ivory OR pangolin"]) == 2
    err = capsys.readouterr().err
    assert "cannot understand the query: '(' is never closed (at character 1)" in err


@pytest.mark.parametrize(
    "args", [["--since", "2024-02-30"], ["--until", "last week"], ["--limit", "-1"]]
)
def test_bad_option_values_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["search", *args])
    assert exited.value.code == 2
    assert "search: error: argument" in capsys.readouterr().err


def test_inverted_date_range_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--since", "2024-05-05", "--until", "2024-05-01"]) == 2
    assert "--since is after --until" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--species", "unicorn"], "--species: 'unicorn' is not a known species id; valid: bear,"),
        (["--enforcement", "jail"], "seizure, arrest, prosecution, trial, sentence"),
        (["--kind", "blog"], "--kind: 'blog' is not a known source kind; valid: news,"),
        (["--country", "Vietnam"], "(did you mean 'VN'?)"),
        (["--lang", "vietnamese"], "(did you mean 'vi'?)"),
    ],
)
def test_unknown_filter_values_exit_2_with_the_valid_ones(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", *args]) == 2
    captured = capsys.readouterr()
    assert expected in captured.err
    assert captured.out == ""


def test_filter_values_are_normalised_before_the_search(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--species", "Rhino", "--country", "vn"]) == 0
    assert "2 items match" in capsys.readouterr().out


def test_deeply_nested_query_exits_2_naming_the_limit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "(" * 300 + "ivory" + ")" * 300]) == 2
    err = capsys.readouterr().err
    assert "more than 20 levels deep" in err and "Traceback" not in err


def test_control_characters_in_stored_titles_are_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.search.conftest import make_doc

    backend = SqliteBackend(tmp_path / "index.sqlite")
    backend.upsert(
        [
            make_doc(
                "hostile-title",
                title="Ngà \x1b[2J\x1b]0;x\x07 \u202eabc",
                text="Bán ngà voi giá rẻ",
                source="chotot",
            )
        ]
    )
    backend.close()
    assert main(["search", "--source", "chotot"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "Ngà \\x1b[2J\\x1b]0;x\\x07 \\u202eabc" in out


_PIECES = st.sampled_from(
    ["(", ")", '"', "-", "*", "AND", "OR", "NOT", "te", "tê tê", "ivory", "ngà*", ":", "\x1b", "đ"]
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=st.one_of(st.text(max_size=80), st.lists(_PIECES, max_size=40).map(" ".join)))
def test_no_query_makes_search_fail_with_a_traceback(
    query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["search", query, "--json"])
    captured = capsys.readouterr()
    assert status in (0, 2), captured.err
    if status == 0:
        assert "total" in json.loads(captured.out)
    else:
        assert captured.err.startswith("wildwatch search: ")


def test_the_last_representable_day_is_a_valid_until(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--since", "0001-01-01", "--until", "9999-12-31"]) == 0
    assert "items match" in capsys.readouterr().out
