"""The query language: parsing, FTS5 compilation and errors, independent of any index."""

from __future__ import annotations

import sqlite3

import pytest

from search.query_language import (
    And,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    highlight_terms,
    parse,
    to_elasticsearch,
    to_fts5,
)


def test_words_are_folded_and_implicitly_anded() -> None:
    assert parse("Sừng Tê GIÁC") == And((Phrase(("sung",)), Phrase(("te",)), Phrase(("giac",))))
    assert parse("Đồng Nai") == And((Phrase(("dong",)), Phrase(("nai",))))


def test_operator_precedence_and_grouping() -> None:
    assert parse("a OR b c") == Or((Phrase(("a",)), And((Phrase(("b",)), Phrase(("c",))))))
    assert parse("(a OR b) c") == And((Or((Phrase(("a",)), Phrase(("b",)))), Phrase(("c",))))
    assert parse("a -b NOT c") == And((Phrase(("a",)), Not(Phrase(("b",))), Not(Phrase(("c",)))))
    assert parse("e-mail") == Phrase(("e", "mail"))  # a hyphen inside a word is not NOT
    assert parse("and or not") == And((Phrase(("and",)), Phrase(("or",)), Phrase(("not",))))


def test_phrases_and_prefixes() -> None:
    assert parse('"tê tê" Quảng*') == And((Phrase(("te", "te")), Phrase(("quang",), prefix=True)))
    assert parse('"unclosed phrase') == Phrase(("unclosed", "phrase"))
    assert parse("0912.345.678") == Phrase(("0912", "345", "678"))


@pytest.mark.parametrize("query", ["", "   ", "*", "++", '""', "-", "()" * 0])
def test_nothing_to_search_for(query: str) -> None:
    assert parse(query) is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("AND", "AND needs a search term"),
        ("ivory OR", "OR needs a search term after it"),
        ("ivory AND OR pangolin", "AND needs a search term after it"),
        ("(ivory", "'(' is never closed"),
        ("ivory)", "')' without a matching '('"),
        ("()", "empty parentheses"),
        ("NOT", "NOT needs a search term"),
    ],
)
def test_syntax_errors_name_the_problem_and_position(query: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match="at character") as caught:
        parse(query)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "query",
    [
        "c++",
        'a"b',
        "NEAR(a b)",
        "x:y",
        "^a",
        "a* b*",
        "{a}",
        "a + b",
        "'; DROP TABLE items; --",
        "ngà/sừng",
        "100%",
        "a\\b",
        "\u200bte",
    ],
)
def test_compiled_fts5_expressions_are_always_valid(query: str) -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    connection.execute("INSERT INTO t VALUES ('a b c ngà sừng 100 te')")
    node = parse(query)
    assert node is not None
    expression = to_fts5(node)
    assert expression is not None
    connection.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchone()


def test_negations_fts5_cannot_express_are_left_to_the_backend() -> None:
    assert to_fts5(parse("ivory -elephant")) == '(("ivory") NOT "elephant")'  # type: ignore[arg-type]
    assert to_fts5(parse("NOT ivory")) is None  # type: ignore[arg-type]
    assert to_fts5(parse("ivory OR -seized")) is None  # type: ignore[arg-type]


def test_highlight_terms_skip_negated_words() -> None:
    assert highlight_terms(parse('ivory -elephant OR "tê tê"')) == [
        Phrase(("ivory",)),
        Phrase(("te", "te")),
    ]


def test_elasticsearch_clause() -> None:
    clause = to_elasticsearch(parse('"sừng tê" OR ngà -voi'))  # type: ignore[arg-type]
    should = clause["bool"]["should"]
    assert should[0]["multi_match"]["type"] == "phrase"
    assert should[0]["multi_match"]["query"] == "sung te"
    assert should[1]["bool"]["must_not"][0]["multi_match"]["query"] == "voi"
