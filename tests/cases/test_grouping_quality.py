"""The grouping's pairwise precision and recall on real multi-article cases stay above the
floors pinned in tests/cases/floors.toml (see tests/cases/README.md)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import pytest

from bench.cases_bench import SPLITS, Measure, load_split, measure

FLOORS = Path(__file__).with_name("floors.toml")


@cache
def _measured(split: str) -> Measure:
    return measure(split, load_split(split))


def _floors() -> dict[str, dict[str, float]]:
    return tomllib.loads(FLOORS.read_text(encoding="utf-8"))


def test_the_labelled_set_has_thirty_real_multi_article_cases() -> None:
    cases: dict[str, set[str]] = {}
    urls: set[str] = set()
    for split in SPLITS:
        for row in load_split(split):
            cases.setdefault(row["case"], set()).add(row["source"])
            assert row["source_url"].startswith(("http://", "https://")), row["id"]
            assert row["source_url"] not in urls, row["id"]
            urls.add(row["source_url"])
    multi = [case for case, outlets in cases.items() if len(outlets) >= 2]
    assert len(multi) >= 30
    # distractors: single-article cases on the same species and places
    assert len(cases) - len([c for c in cases if len(cases[c]) > 1]) >= 20


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("metric", ["precision", "recall"])
def test_grouping_stays_above_its_floor(split: str, metric: str) -> None:
    result = _measured(split)
    floor = _floors()[split][metric]
    value = getattr(result, metric)
    assert value >= floor, (
        f"{split} {metric} {value:.3f} fell below {floor} "
        f"(pairs found {result.found}, predicted {result.predicted}, true {result.true_pairs})"
    )


def test_a_bad_line_names_its_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "tune.jsonl").write_text('{"id": "x", "case": ""}\n', encoding="utf-8")
    from bench.cases_bench import LabelledSetError

    with pytest.raises(LabelledSetError, match=r"tune.jsonl:1: field 'case'"):
        load_split("tune", tmp_path)
