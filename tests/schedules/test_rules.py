from __future__ import annotations

from pathlib import Path

import pytest

from schedules.rules import AlertRule, RuleError, RuleStore, import_rules


def pangolin_rule(**changes: object) -> AlertRule:
    values: dict[str, object] = {
        "name": "Tê tê Quảng Ninh",
        "query": '"vảy tê tê" OR "tê tê"',
        "species": ("pangolin",),
        "location": ("Quảng Ninh",),
        "recipients": ("giamsat@ngo.example.org", "canhsat.mt@police.example.vn"),
    }
    values.update(changes)
    return AlertRule(**values)  # type: ignore[arg-type]


def test_rule_round_trips_through_the_store_and_builds_its_search() -> None:
    store = RuleStore.from_settings()
    store.add(pangolin_rule(email_lang="en", cadence="immediate", min_relevance=0.5))

    stored = store.get("Tê tê Quảng Ninh")
    assert stored == pangolin_rule(email_lang="en", cadence="immediate", min_relevance=0.5)
    request = stored.to_search_request(limit=5, sort="newest")
    assert request.query == '"vảy tê tê" OR "tê tê"'
    assert request.species == ("pangolin",)
    assert request.location == ("Quảng Ninh",)
    assert request.min_relevance == 0.5
    assert (request.limit, request.sort) == (5, "newest")
    assert [rule.name for rule in store.list()] == ["Tê tê Quảng Ninh"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"recipients": ("canhsat@",)}, "'canhsat@' is not an e-mail address"),
        ({"recipients": ()}, "at least one e-mail address"),
        ({"species": ("dragon",)}, "species: 'dragon' is not a known species id; valid: bear,"),
        ({"species": ("tê tê",)}, "(did you mean 'pangolin'?)"),
        ({"kind": ("blog",)}, "kind: 'blog' is not a known source kind; valid: news,"),
        ({"enforcement": ("jail",)}, "valid: seizure, arrest, prosecution, trial, sentence"),
        ({"lang": ("xx",)}, "lang: 'xx' is not a known ISO 639-1 language code"),
        ({"cadence": "hourly"}, "unknown cadence 'hourly'"),
        ({"email_lang": "fr"}, "email_lang"),
        ({"query": "(sừng tê giác"}, "query: '(' is never closed"),
        ({"query": "ngà voi AND"}, "query:"),
        ({"min_relevance": 1.5}, "min_relevance"),
        ({"country": ("vietnam",)}, "country: 'vietnam' is not a known ISO 3166-1 alpha-2 country"),
        ({"country": ("Vietnam",)}, "(did you mean 'VN'?)"),
        ({"place": ("Laos",)}, "place: 'Laos' is not a known province of Vietnam or ISO"),
        ({"place": ("Hà Tây",)}, "place: 'Hà Tây'"),
    ],
)
def test_invalid_rules_are_refused_with_the_field_named(
    changes: dict[str, object], message: str
) -> None:
    store = RuleStore.from_settings()
    with pytest.raises(RuleError, match="Tê tê Quảng Ninh") as caught:
        store.add(pangolin_rule(**changes))
    assert message in str(caught.value)
    assert store.list() == []


def test_duplicate_name_is_refused_and_remove_reports_what_happened() -> None:
    store = RuleStore.from_settings()
    store.add(pangolin_rule())
    with pytest.raises(RuleError, match="already exists"):
        store.add(pangolin_rule(query="tê tê"))
    assert store.get("Tê tê Quảng Ninh").query == '"vảy tê tê" OR "tê tê"'  # type: ignore[union-attr]
    assert store.remove("Tê tê Quảng Ninh") is True
    assert store.remove("Tê tê Quảng Ninh") is False
    assert store.get("Tê tê Quảng Ninh") is None


def test_repeated_filter_values_are_stored_once() -> None:
    rule = RuleStore.from_settings().add(
        pangolin_rule(species=("pangolin", " pangolin", "rhino"), recipients=("a@ngo.org",) * 2)
    )
    assert rule.species == ("pangolin", "rhino")
    assert rule.recipients == ("a@ngo.org",)


def test_import_stores_all_rules_of_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "alerts.toml"
    path.write_text(
        """
[[alerts]]
name = "ngà voi"
query = "ngà voi"
species = ["elephant"]
to = ["bao@ngo.example.org"]
email_lang = "vi"

[[alerts]]
name = "rhino horn sellers"
species = ["rhino"]
kind = ["marketplace"]
recipients = ["police@example.vn"]
email_lang = "en"
cadence = "immediate"
wildlife_trade = true
""",
        encoding="utf-8",
    )
    imported = import_rules(path)
    assert [rule.name for rule in imported] == ["ngà voi", "rhino horn sellers"]
    stored = RuleStore.from_settings().get("rhino horn sellers")
    assert stored is not None and stored.kind == ("marketplace",) and stored.wildlife_trade


def test_import_of_a_file_with_one_bad_rule_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "alerts.toml"
    path.write_text(
        """
[[alerts]]
name = "good"
to = ["bao@ngo.example.org"]

[[alerts]]
name = "bad one"
species = ["pangolin"]
recipients = ["police@example.vn"]
cadense = "daily"
""",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as caught:
        import_rules(path)
    message = str(caught.value)
    assert str(path) in message and "'bad one'" in message and "'cadense'" in message
    assert RuleStore.from_settings().list() == []


def test_import_clashing_with_a_stored_rule_stores_nothing(tmp_path: Path) -> None:
    store = RuleStore.from_settings()
    store.add(pangolin_rule(name="taken"))
    path = tmp_path / "alerts.toml"
    path.write_text(
        '[[alerts]]\nname = "new"\nto = ["a@ngo.org"]\n\n'
        '[[alerts]]\nname = "taken"\nto = ["b@ngo.org"]\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match="'taken': a rule with this name already exists"):
        import_rules(path)
    assert [rule.name for rule in store.list()] == ["taken"]


def test_import_names_the_file_when_toml_is_broken(tmp_path: Path) -> None:
    path = tmp_path / "alerts.toml"
    path.write_text('[[alerts]]\nname = "x\n', encoding="utf-8")
    with pytest.raises(RuleError, match=r"alerts\.toml: not valid TOML"):
        import_rules(path)


def test_a_rule_keeps_its_provinces_and_countries_normalised_and_searches_inside_each() -> None:
    store = RuleStore.from_settings()
    stored = store.add(pangolin_rule(location=(), place=(" quang ninh", "cn", "Quảng Ninh")))
    assert stored.place == ("Quảng Ninh", "CN")
    assert store.get("Tê tê Quảng Ninh") == stored
    assert stored.to_search_request().place == ("Quảng Ninh", "CN")


def test_rules_stored_before_the_place_filter_still_load() -> None:
    old = {"name": "old", "species": ["tiger"], "recipients": ["a@ngo.org"]}
    assert AlertRule.from_mapping(old).place == ()


def test_alerts_add_takes_place(capsys: pytest.CaptureFixture[str]) -> None:
    from wildwatch.cli import main

    adding = ["alerts", "add", "--name", "ivory-hp", "--to", "a@ngo.org"]
    code = main([*adding, "--place", "hai phong", "--place", "NG"])
    assert code == 0, capsys.readouterr().err
    rule = RuleStore.from_settings().get("ivory-hp")
    assert rule is not None and rule.place == ("Hải Phòng", "NG")
    assert main(["alerts", "add", "--name", "x", "--place", "Narnia", "--to", "a@ngo.org"]) == 2
    assert "place: 'Narnia'" in capsys.readouterr().err
    # the list shows the places too: a rule narrower than its description misleads
    assert main(["alerts", "list"]) == 0
    assert "place=Hải Phòng,NG" in capsys.readouterr().out
