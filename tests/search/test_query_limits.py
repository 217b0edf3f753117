"""The query parser's depth and term limits, and a property test: whatever a user types, the
parser gives a tree (or nothing to search) or a QuerySyntaxError, never another exception."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.query_language import (
    MAX_DEPTH,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    QueryLimitError,
    QuerySyntaxError,
    highlight_terms,
    parse,
    to_elasticsearch,
    to_fts5,
)


def test_deep_parentheses_are_refused_naming_the_limit() -> None:
    with pytest.raises(QueryLimitError, match=f"more than {MAX_DEPTH} levels deep"):
        parse("(" * 300 + "ivory" + ")" * 300)


def test_a_long_chain_of_not_is_refused_naming_the_limit() -> None:
    with pytest.raises(QueryLimitError, match=f"more than {MAX_DEPTH} levels deep"):
        parse("NOT " * 120 + "ivory")
    with pytest.raises(QueryLimitError):
        parse("-(" * 60 + "ivory" + ")" * 60)


def test_queries_within_the_limits_still_work() -> None:
    nested = "(" * MAX_DEPTH + "ivory" + ")" * MAX_DEPTH
    assert to_fts5(parse(nested) or pytest.fail("no tree")) == '"ivory"'
    words = " ".join(["ngà"] * MAX_TERMS)
    assert parse(words) is not None


def test_too_many_words_are_refused_naming_the_limit() -> None:
    with pytest.raises(QueryLimitError, match=f"more than {MAX_TERMS} search words"):
        parse(" OR ".join(f"word{n}" for n in range(MAX_TERMS + 1)))
    with pytest.raises(QueryLimitError, match="search words"):
        parse('"' + "tê " * (MAX_TERMS + 1) + '"')


def test_a_huge_query_is_refused_before_it_is_read() -> None:
    with pytest.raises(QueryLimitError, match=f"longer than {MAX_QUERY_CHARS} characters"):
        parse("ngà " * 100_000)


def test_a_limit_error_is_a_syntax_error_with_a_position() -> None:
    with pytest.raises(QuerySyntaxError, match=r"\(at character \d+\)"):
        parse("(" * 100 + "x" + ")" * 100)


_QUERY_PIECES = st.sampled_from(
    ["(", ")", '"', "-", "*", " ", "AND", "OR", "NOT", "tê tê", "ivory", "ngà", ":", "^", "\x00"]
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(st.text(max_size=400), st.lists(_QUERY_PIECES, max_size=300).map(" ".join)))
def test_any_query_parses_or_is_a_syntax_error(query: str) -> None:
    try:
        node = parse(query)
    except QuerySyntaxError as error:
        assert "(at character" in str(error)
        return
    if node is not None:
        to_fts5(node)
        to_elasticsearch(node)
        highlight_terms(node)
