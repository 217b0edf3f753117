"""Alert rules: saved searches whose new matches are e-mailed to recipients.

Reads and writes the ``rules`` table of ``WILDWATCH_HOME/schedules.sqlite``; ``import_rules``
reads TOML files of ``[[alerts]]`` tables. Used by ``wildwatch alerts`` and by the web UI
("save this search as an alert"): both go through ``RuleStore.add``, which validates first, so
nothing invalid is ever stored.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from schedules import db
from search.backend import SearchRequest
from search.filter_values import (
    CHECKED_FILTERS,
    MULTI_VALUE_FILTERS,
    PLACE_FILTER,
    UnknownFilterValue,
    check_value,
)
from search.query_language import QuerySyntaxError, parse

CADENCES = ("daily", "immediate")
EMAIL_LANGS = ("vi", "en")
_EMAIL = re.compile(
    r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_SOURCE = re.compile(r"^[a-z0-9_-]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TUPLE_FIELDS = (*MULTI_VALUE_FILTERS, "recipients")
# Filters checked against a vocabulary and stored in the form the index compares.
_NORMALISED = (*CHECKED_FILTERS, PLACE_FILTER)
# Optional yes/no filters (None: either).
_FLAG_FIELDS = ("wildlife_trade", "seen", "noted")


@dataclass(frozen=True)
class RuleProblem:
    """One reason a rule is unusable: ``text`` in English (the CLI, logs); ``code`` and
    ``values`` say the same for a reader in another language (the web's ``errors.<code>``
    messages); no code: only the English text exists."""

    text: str
    code: str = ""
    values: Mapping[str, str] = field(default_factory=dict)


class RuleError(ValueError):
    """An alert rule that cannot be stored; the message says which rule and which field.
    ``rule`` and ``problems`` carry the same, structured, when one rule is at fault."""

    def __init__(
        self, message: str, *, rule: str | None = None, problems: Iterable[RuleProblem] = ()
    ) -> None:
        super().__init__(message)
        self.rule = rule
        self.problems = tuple(problems)

    @classmethod
    def of_rule(cls, name: str, problems: Iterable[RuleProblem]) -> RuleError:
        """The error of rule ``name``: "alert rule 'NAME': problem; problem"."""
        problems = tuple(problems)
        text = "; ".join(problem.text for problem in problems)
        return cls(f"alert rule {name!r}: {text}", rule=name, problems=problems)


@dataclass(frozen=True)
class AlertRule:
    """A saved search plus who receives its new matches, in which language and how often.

    Filters mean what they mean in ``SearchRequest``: values inside one filter are ORed,
    different filters ANDed. The triage filters (``triage``, ``seen``, ``noted``) read the
    staff's decisions when the digest runs: ``triage = ["untriaged", "relevant",
    "follow_up"]`` leaves out items marked not relevant, ``["follow_up"]`` sends only
    follow-ups. ``cadence`` is ``daily`` (everything new, in the morning digest) or
    ``immediate`` (items with relevance ≥ WILDWATCH_IMMEDIATE_MIN_RELEVANCE are mailed right
    after the crawl that found them; the rest still come in the daily digest).
    """

    name: str
    query: str = ""
    species: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    enforcement: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    location: tuple[str, ...] = ()
    # provinces (of the 34) or country codes: items naming a place inside EACH value
    place: tuple[str, ...] = ()
    wildlife_trade: bool | None = None
    min_relevance: float | None = None
    triage: tuple[str, ...] = ()
    seen: bool | None = None
    noted: bool | None = None
    recipients: tuple[str, ...] = field(default=())
    email_lang: str = "vi"
    cadence: str = "daily"

    def validate(self) -> None:
        """Raise ``RuleError`` naming the rule and the field when anything is unusable."""
        problems = list(_problems(self))
        if problems:
            raise RuleError.of_rule(self.name, problems)

    def to_search_request(self, **overrides: Any) -> SearchRequest:
        """The search this rule stands for; ``overrides`` set other SearchRequest fields
        (``fetched_since``, ``limit``, ``sort``, ...)."""
        values: dict[str, Any] = {
            "query": self.query,
            "species": self.species,
            "kind": self.kind,
            "lang": self.lang,
            "source": self.source,
            "enforcement": self.enforcement,
            "country": self.country,
            "location": self.location,
            "place": self.place,
            "wildlife_trade": self.wildlife_trade,
            "min_relevance": self.min_relevance,
            "triage": self.triage,
            "seen": self.seen,
            "noted": self.noted,
        }
        values.update(overrides)
        return SearchRequest(**values)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, where: str = "") -> AlertRule:
        """Build a rule from plain data (TOML table, JSON, web form); unknown keys and wrong
        types raise ``RuleError`` naming ``where`` and the key."""
        prefix = f"{where}: " if where else ""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RuleError(
                f"{prefix}unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})"
            )
        if not isinstance(data.get("name"), str):
            raise RuleError(f"{prefix}key 'name': required, a string")
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key in _TUPLE_FIELDS:
                if isinstance(value, str):
                    value = (value,)
                if not isinstance(value, list | tuple) or not all(
                    isinstance(v, str) for v in value
                ):
                    raise RuleError(f"{prefix}key {key!r}: expected a list of strings")
                values[key] = tuple(v.strip() for v in value)
            elif key in _FLAG_FIELDS:
                if value is not None and not isinstance(value, bool):
                    raise RuleError(f"{prefix}key {key!r}: expected true or false")
                values[key] = value
            elif key == "min_relevance":
                if value is not None and (
                    isinstance(value, bool) or not isinstance(value, int | float)
                ):
                    raise RuleError(f"{prefix}key 'min_relevance': expected a number 0..1")
                values[key] = None if value is None else float(value)
            else:
                if not isinstance(value, str):
                    raise RuleError(f"{prefix}key {key!r}: expected a string")
                values[key] = value.strip()
        return cls(**values)


NAME_TAKEN = RuleProblem("a rule with this name already exists", "rule_exists")
NO_SUCH_RULE = RuleProblem("no such rule")


def _problems(rule: AlertRule) -> Iterable[RuleProblem]:
    if not rule.name.strip():
        yield RuleProblem("name: must not be empty", "rule_name_empty")
    elif len(rule.name) > 100 or _CONTROL.search(rule.name):
        yield RuleProblem("name: at most 100 characters, no control characters", "rule_name_long")
    if not rule.recipients:
        yield RuleProblem(
            "recipients: at least one e-mail address is required", "rule_no_recipient"
        )
    for address in rule.recipients:
        if not _valid_email(address):
            yield RuleProblem(
                f"recipients: {address!r} is not an e-mail address",
                "rule_email",
                {"value": address},
            )
    for key in _NORMALISED:
        for value in getattr(rule, key):
            try:
                check_value(key, value)
            except UnknownFilterValue as unknown:
                yield RuleProblem(
                    str(unknown),
                    "rule_unknown_value",
                    {"field": unknown.field, "value": unknown.value},
                )
    for value in rule.source:
        if not _SOURCE.match(value):
            yield RuleProblem(
                f"source: {value!r} is not a source name ([a-z0-9_-]+)",
                "rule_source",
                {"value": value},
            )
    for value in rule.location:
        if not value:
            yield RuleProblem("location: empty place name")
    if rule.min_relevance is not None and not 0.0 <= rule.min_relevance <= 1.0:
        yield RuleProblem(f"min_relevance: {rule.min_relevance} is not between 0 and 1")
    if rule.email_lang not in EMAIL_LANGS:
        yield RuleProblem(f"email_lang: {rule.email_lang!r} is not one of {', '.join(EMAIL_LANGS)}")
    if rule.cadence not in CADENCES:
        yield RuleProblem(
            f"cadence: unknown cadence {rule.cadence!r} (known: {', '.join(CADENCES)})"
        )
    error = query_syntax_error(rule.query)
    if error:
        yield RuleProblem(f"query: {error}", "query")


def _valid_email(address: str) -> bool:
    _, parsed = parseaddr(address)
    return bool(parsed) and parsed == address and bool(_EMAIL.match(address))


def query_syntax_error(query: str) -> str | None:
    """Why ``query`` cannot be parsed, or None: rules accept exactly what search accepts."""
    try:
        parse(query)
    except QuerySyntaxError as error:
        return str(error)
    return None


class RuleStore:
    """The stored rules. Each call is its own transaction."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path

    @classmethod
    def from_settings(cls) -> RuleStore:
        return cls(None)

    def add(self, rule: AlertRule) -> AlertRule:
        """Validate and store ``rule``; ``RuleError`` if invalid or the name is taken."""
        rule = _cleaned(rule)
        rule.validate()
        with db.connect(self.path) as connection:
            _insert(connection, rule)
        return rule

    def add_all(self, rules: Iterable[AlertRule]) -> list[AlertRule]:
        """Store every rule or none (one transaction)."""
        cleaned = [_cleaned(rule) for rule in rules]
        for rule in cleaned:
            rule.validate()
        with db.connect(self.path) as connection:
            for rule in cleaned:
                _insert(connection, rule)
        return cleaned

    def list(self) -> list[AlertRule]:
        with db.connect(self.path) as connection:
            rows = connection.execute("SELECT name, data FROM rules ORDER BY name").fetchall()
        return [_from_row(row) for row in rows]

    def get(self, name: str) -> AlertRule | None:
        with db.connect(self.path) as connection:
            row = connection.execute(
                "SELECT name, data FROM rules WHERE name = ?", (name,)
            ).fetchone()
        return _from_row(row) if row else None

    def remove(self, name: str) -> bool:
        """Delete the rule; its record of sent items is kept so re-adding the same name does
        not resend old items."""
        with db.connect(self.path) as connection:
            cursor = connection.execute("DELETE FROM rules WHERE name = ?", (name,))
            connection.execute("DELETE FROM rule_cursors WHERE rule = ?", (name,))
        return cursor.rowcount > 0


def _cleaned(rule: AlertRule) -> AlertRule:
    # De-duplicate filter values while keeping their order, so "--species pangolin" twice or a
    # web form that repeats a checkbox stores one value.
    changes: dict[str, Any] = {"name": rule.name.strip(), "query": rule.query.strip()}
    for key in _TUPLE_FIELDS:
        values = [v.strip() for v in getattr(rule, key) if v.strip()]
        if key in _NORMALISED:
            # the form the index compares ("VN", "pangolin"); a bad value stays as typed for
            # the error message
            values = [_normalised_or_as_is(key, v) for v in values]
        changes[key] = tuple(dict.fromkeys(values))
    return replace(rule, **changes)


def _normalised_or_as_is(key: str, value: str) -> str:
    try:
        return check_value(key, value)
    except UnknownFilterValue:
        return value


def _insert(connection: sqlite3.Connection, rule: AlertRule) -> None:
    exists = connection.execute("SELECT 1 FROM rules WHERE name = ?", (rule.name,)).fetchone()
    if exists:
        raise RuleError.of_rule(rule.name, [NAME_TAKEN])
    connection.execute(
        "INSERT INTO rules (name, data, created_at) VALUES (?, ?, ?)",
        (rule.name, json.dumps(rule.to_json(), ensure_ascii=False), db.to_iso(db.utcnow())),
    )


def _from_row(row: sqlite3.Row) -> AlertRule:
    return AlertRule.from_mapping(json.loads(row["data"]), where=f"stored rule {row['name']!r}")


def load_rules_file(path: Path) -> list[AlertRule]:
    """Parse and validate every ``[[alerts]]`` table of a TOML file; ``RuleError`` naming the
    file, the rule and the key at the first problem."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise RuleError(f"{path}: cannot read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise RuleError(f"{path}: not valid TOML: {error}") from None
    tables = data.get("alerts")
    if not isinstance(tables, list) or not tables:
        raise RuleError(f"{path}: no [[alerts]] tables found")
    rules: list[AlertRule] = []
    seen: set[str] = set()
    for number, table in enumerate(tables, start=1):
        label = table.get("name") if isinstance(table, dict) else None
        where = f"{path}: alert #{number}" + (f" ({label!r})" if isinstance(label, str) else "")
        if not isinstance(table, dict):
            raise RuleError(f"{where}: expected a table")
        table = dict(table)
        # The CLI and DESIGN.md call recipients "to"; accept both spellings in files.
        if "to" in table:
            table.setdefault("recipients", table.pop("to"))
        rule = _cleaned(AlertRule.from_mapping(table, where=where))
        try:
            rule.validate()
        except RuleError as error:
            raise RuleError(f"{path}: alert #{number}: {error}") from None
        if rule.name in seen:
            raise RuleError(f"{where}: key 'name': {rule.name!r} appears twice in the file")
        seen.add(rule.name)
        rules.append(rule)
    return rules


def import_rules(path: Path, store: RuleStore | None = None) -> list[AlertRule]:
    """Validate the whole file, then store all its rules in one transaction (none on error)."""
    rules = load_rules_file(path)
    store = store or RuleStore.from_settings()
    try:
        return store.add_all(rules)
    except RuleError as error:
        raise RuleError(f"{path}: {error}") from None
