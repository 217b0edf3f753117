"""Quality gate: precision, recall and F1 of the analysis over the labelled cases.

Reads every tests/pipelines/cases/*.jsonl (one case per line: id, text, title?, lang_hint?,
note?, expect) and the floors in tests/pipelines/quality_floors.toml; prints a table and fails
when a field falls below its floor. A field absent from a case's `expect` is not scored for it.

The real-text set in tests/pipelines/cases/real/ (paraphrases of published reports, each with
its `source_url`) is scored apart: `dev.jsonl` is held out and gated by the `[real_dev]` floors;
`tune.jsonl` is the split rules may be written against, and is only printed. A price range is
labelled with `min` and `max`; a range counts as found only when both bounds match. Places are
compared after the gazetteer's canonical mapping (`canonical_place`) on both sides.
Run with `-s` to see the tables and the mismatches (the dev table prints no mismatches: it is
held out, read its aggregate figures only).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pipelines.analysis import analyze
from pipelines.places import canonical_place

HERE = Path(__file__).parent
CASES_DIR = HERE / "cases"
REAL_DIR = CASES_DIR / "real"
FLOORS = HERE / "quality_floors.toml"
SET_FIELDS = ("species", "enforcement", "locations")
TOLERANCE = 0.005


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    cases: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_cases(paths: list[Path] | None = None) -> list[dict[str, Any]]:
    cases = []
    for path in paths if paths is not None else sorted(CASES_DIR.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
            except json.JSONDecodeError as error:
                raise AssertionError(f"{path.name}:{number}: invalid JSON: {error}") from None
            assert isinstance(case.get("text"), str), f"{path.name}:{number}: no text"
            assert isinstance(case.get("expect"), dict), f"{path.name}:{number}: no expect"
            case["where"] = f"{path.name}:{number} {case.get('id')}"
            cases.append(case)
    return cases


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b), 1e-9)


def _match_lists(
    expected: list[Any], found: list[Any], same: Callable[[Any, Any], bool]
) -> tuple[int, int, int]:
    """One-to-one matching: (true positives, false positives, false negatives)."""
    unmatched = list(found)
    tp = 0
    for item in expected:
        for index, candidate in enumerate(unmatched):
            if same(item, candidate):
                tp += 1
                del unmatched[index]
                break
    return tp, len(unmatched), len(expected) - tp


def _same_price(expected: dict[str, Any], found: dict[str, Any]) -> bool:
    if expected["currency"] != found["currency"] or not _close(expected["amount"], found["amount"]):
        return False
    if "min" not in expected:
        return True
    low, high = found.get("min"), found.get("max")
    return (
        low is not None
        and high is not None
        and _close(expected["min"], low)
        and _close(expected["max"], high)
    )


SAME: dict[str, Callable[[Any, Any], bool]] = {
    "prices": _same_price,
    "quantities": lambda e, f: e["unit"] == f["unit"] and _close(e["value"], f["value"]),
    "contacts": lambda e, f: e["type"] == f["type"] and e["value"] == f["value"],
}


def score_cases(cases: list[dict[str, Any]]) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    for case in cases:
        result = analyze(
            case["text"], title=case.get("title"), lang_hint=case.get("lang_hint"), segment=False
        )
        for key, expected in case["expect"].items():
            score = scores.setdefault(key, Score())
            score.cases += 1
            got = result[key]  # type: ignore[literal-required]
            if key == "lang":
                ok = got == expected
                score.tp += ok
                score.fn += not ok
                score.fp += not ok
            elif key == "wildlife_trade":
                score.tp += bool(expected and got)
                score.fp += bool(got and not expected)
                score.fn += bool(expected and not got)
                ok = got == expected
            elif key in SET_FIELDS:
                want, have = set(expected), set(got)
                if key == "locations":  # "Thái Lan" and "Thailand" are one place
                    want, have = (
                        {canonical_place(p) for p in want},
                        {canonical_place(p) for p in have},
                    )
                score.tp += len(want & have)
                score.fp += len(have - want)
                score.fn += len(want - have)
                ok = want == have
            else:
                tp, fp, fn = _match_lists(expected, got, SAME[key])
                score.tp, score.fp, score.fn = score.tp + tp, score.fp + fp, score.fn + fn
                ok = not fp and not fn
            if not ok:
                score.misses.append(f"{case['where']}: expected {expected!r}, got {got!r}")
    return scores


def table(scores: dict[str, Score]) -> str:
    rows = [f"{'field':<16}{'cases':>7}{'prec':>8}{'recall':>8}{'F1':>8}"]
    for key, s in sorted(scores.items()):
        if key == "lang":
            accuracy = s.tp / s.cases if s.cases else 1.0
            rows.append(f"{key:<16}{s.cases:>7}{'':>8}{'':>8}{accuracy:>8.3f}  (accuracy)")
        else:
            rows.append(f"{key:<16}{s.cases:>7}{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}")
    return "\n".join(rows)


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    cases = load_cases()
    assert len(cases) >= 130, "the labelled set shrank below 130 cases"
    result = score_cases(cases)
    print("\n" + table(result))
    for key, s in sorted(result.items()):
        for miss in s.misses:
            print(f"  [{key}] {miss}")
    return result


def _all_floors() -> dict[str, Any]:
    with FLOORS.open("rb") as handle:
        return tomllib.load(handle)


def _floors() -> dict[str, float]:
    """Floors of the project's own cases: the top-level keys."""
    return {k: v for k, v in _all_floors().items() if not isinstance(v, dict)}


def _real_floors() -> dict[str, float]:
    """Floors of the held-out real-text dev set: the [real_dev] table."""
    table_ = _all_floors().get("real_dev", {})
    assert isinstance(table_, dict), f"{FLOORS.name}: [real_dev] must be a table"
    return table_


def _check_floor(scores: dict[str, Score], name: str, floor: float, detail: bool) -> None:
    key, _, metric = name.rpartition("_")
    if key == "lang":
        metric_value = scores["lang"].tp / scores["lang"].cases
    else:
        if key not in scores:
            pytest.skip(f"no labelled case scores {key} yet")
        metric_value = scores[key].f1
    misses = "\n".join(scores[key].misses) if detail else "(held out: no mismatches shown)"
    assert metric_value >= floor, f"{key} {metric} {metric_value:.3f} < floor {floor}:\n{misses}"


@pytest.mark.parametrize("name", sorted(_floors()))
def test_floor(scores: dict[str, Score], name: str) -> None:
    _check_floor(scores, name, _floors()[name], detail=True)


@pytest.fixture(scope="module")
def real_scores() -> dict[str, Score]:
    dev = load_cases([REAL_DIR / "dev.jsonl"])
    tune = load_cases([REAL_DIR / "tune.jsonl"])
    assert len(dev) >= 75, "the real-text dev set shrank below 75 cases"
    assert all(case.get("source_url") for case in dev + tune), "a real case has no source_url"
    tune_scores = score_cases(tune)
    print("\nreal tune\n" + table(tune_scores))
    for key, s in sorted(tune_scores.items()):
        for miss in s.misses:
            print(f"  [{key}] {miss}")
    result = score_cases(dev)
    print("\nreal dev (held out)\n" + table(result))
    return result


@pytest.mark.parametrize("name", sorted(_real_floors()))
def test_real_dev_floor(real_scores: dict[str, Score], name: str) -> None:
    _check_floor(real_scores, name, _real_floors()[name], detail=False)
