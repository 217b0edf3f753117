"""The grouping rule on small, realistic situations a journalist would recognise."""

from __future__ import annotations

from datetime import date
from typing import Any

from cases.features import ArticleFeatures
from cases.grouping import group_articles, pairwise_scores


def article(doc_id: str, day: str, **fields: Any) -> ArticleFeatures:
    base: dict[str, Any] = {
        "species": frozenset({"tiger"}),
        "steps": frozenset({"seizure"}),
        "quantities": frozenset(),
        "specific_places": frozenset(),
        "provinces": frozenset({"Nghệ An"}),
        "countries": frozenset({"VN"}),
        "names": frozenset(),
        "keys": frozenset(),
    }
    base.update({k: frozenset(v) if isinstance(v, set | list) else v for k, v in fields.items()})
    return ArticleFeatures(doc_id=doc_id, day=date.fromisoformat(day), **base)


SEIZURE = article(
    "seizure",
    "2021-08-04",
    quantities={("count", 17.0)},
    names={"nguyễn văn hiền"},
    specific_places={"Yên Thành"},
)
CHARGE = article(
    "charge",
    "2021-08-11",
    steps={"prosecution"},
    names={"nguyễn văn hiền"},
    quantities={("count", 14.0)},
    specific_places={"Yên Thành"},
)
SENTENCE = article(
    "sentence",
    "2023-03-03",
    steps={"trial", "sentence"},
    names={"nguyen van hien"},
    quantities={("count", 14.0)},
)
# Three days earlier, the same province and species: seven tiger cubs in a car, other people.
CUBS = article(
    "cubs",
    "2021-08-01",
    quantities={("count", 7.0)},
    names={"trần trung hiếu", "nguyễn văn lai"},
    specific_places={"Diễn Châu"},
)


def test_a_seizure_its_charges_and_the_sentence_two_years_later_are_one_case() -> None:
    groups = group_articles([SENTENCE, CUBS, CHARGE, SEIZURE])
    assert ["seizure", "charge", "sentence"] in groups
    assert ["cubs"] in groups


def test_a_namesake_with_another_given_name_is_another_case() -> None:
    other = article("other", "2021-08-20", names={"nguyễn văn huệ"}, quantities={("count", 7.0)})
    assert ["other"] in group_articles([SEIZURE, CHARGE, other])


def test_months_later_a_same_size_seizure_is_not_a_follow_up() -> None:
    later = article("later", "2022-02-01", quantities={("count", 17.0)})
    assert ["later"] in group_articles([SEIZURE, later])


def test_a_syndicated_copy_joins_its_original_even_without_shared_evidence() -> None:
    copy = ArticleFeatures(
        doc_id="copy",
        day=date(2022, 6, 1),
        species=frozenset(),
        steps=frozenset(),
        quantities=frozenset(),
        specific_places=frozenset(),
        provinces=frozenset(),
        countries=frozenset(),
        names=frozenset(),
        keys=frozenset(),
        duplicate_of="seizure",
    )
    assert ["seizure", "charge", "copy"] in group_articles([SEIZURE, CHARGE, copy])


def test_staff_decisions_override_the_rule() -> None:
    joined = group_articles([SEIZURE, CUBS], together=[("cubs", "seizure")])
    assert joined == [["cubs", "seizure"]]
    kept_apart = group_articles([SEIZURE, CHARGE], apart=[("seizure", "charge")])
    assert kept_apart == [["seizure"], ["charge"]]


def test_pairwise_scores_count_pairs() -> None:
    truth = {"a": "x", "b": "x", "c": "x", "d": "y"}
    precision, recall, found, predicted, true_pairs = pairwise_scores(
        [["a", "b"], ["c", "d"]], truth
    )
    assert (found, predicted, true_pairs) == (1, 2, 3)
    assert precision == 0.5 and round(recall, 3) == 0.333
