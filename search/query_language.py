"""The search query language: parse what a user typed, compile it for SQLite FTS5 or Elasticsearch.

Reads a query string; writes an AST (``parse``), an FTS5 MATCH expression (``to_fts5``), an
Elasticsearch query clause (``to_elasticsearch``) and the positive terms used to highlight
snippets (``highlight_terms``). Pure functions, no I/O.

Syntax (case of the operators matters, so "and", "or", "not" stay ordinary words)::

    sung te giac            words, implicitly ANDed, diacritics and case ignored (đ = d)
    "tê tê"                 phrase: the words in this order
    ivory OR ngà            either
    ivory AND seized        both (the same as a space)
    ivory NOT elephant      the first without the second; NOT also works alone: NOT elephant
    -elephant               the same as NOT elephant
    (ivory OR ngà) AND (seized OR "thu giữ")
    pangol*                 prefix: any word starting with "pangol"

Anything else a user may type (``c++``, ``*``, ``:``, ``^``, a stray quote) is literal text: it is
split into words exactly like the indexed text, and characters that form no word are dropped, so
no input can inject FTS5 syntax. Unbalanced parentheses and operators without an operand are
``QuerySyntaxError`` with the position, which the web UI and the CLI show to the user.

Limits (``QueryLimitError``, a ``QuerySyntaxError`` naming the limit): at most ``MAX_DEPTH``
levels of parentheses and NOT / ``-`` inside each other, at most ``MAX_TERMS`` words in the
whole query, and at most ``MAX_QUERY_CHARS`` characters (checked first, so a megabyte of
words is refused before it is tokenized). Every stage that walks the tree (this parser, the
FTS5 and Elasticsearch compilers, the SQLite set operations) recurses once per level, so the
depth limit keeps a hostile query such as 300 nested parentheses far from Python's recursion
limit, and the term limit bounds the work and the size of what is sent to the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from search.folding import words

__all__ = [
    "MAX_DEPTH",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "And",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "QueryLimitError",
    "QuerySyntaxError",
    "highlight_terms",
    "parse",
    "to_elasticsearch",
    "to_fts5",
]


class QuerySyntaxError(ValueError):
    """The query cannot be understood; the message says where and why (in English). ``code``
    names the problem and ``values`` its details, so a UI can say it in its own language."""

    def __init__(self, message: str, position: int, code: str = "", **values: object) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.position = position
        self.code = code
        self.values = values


class QueryLimitError(QuerySyntaxError):
    """The query is deeper or longer than the parser accepts; the message names the limit."""


MAX_DEPTH = 20
MAX_TERMS = 100
MAX_QUERY_CHARS = 10_000


@dataclass(frozen=True)
class Phrase:
    """One word, or several words that must follow each other; ``prefix`` makes the last word
    match any word starting with it. Words are accent-folded and lower-case."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Phrase | Not | And | Or

_OPERATORS = {"AND", "OR", "NOT"}


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "phrase", "op", "(", ")", "-"
    text: str
    position: int
    prefix: bool = False


def _tokenize(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    length = len(query)
    while i < length:
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token(char, char, i))
            i += 1
        elif char == '"':
            end = query.find('"', i + 1)
            # An unclosed quote is a phrase running to the end: what the user evidently meant.
            stop = length if end < 0 else end
            tokens.append(_Token("phrase", query[i + 1 : stop], i))
            i = stop + 1
        elif (
            char == "-"
            and i + 1 < length
            and not query[i + 1].isspace()
            and (i == 0 or query[i - 1].isspace() or query[i - 1] == "(")
        ):
            # "-word" excludes; a hyphen inside a word ("e-mail") is part of the word.
            tokens.append(_Token("-", "-", i))
            i += 1
        else:
            i = _read_word(query, i, tokens)
    return tokens


def _read_word(query: str, start: int, tokens: list[_Token]) -> int:
    end = start
    while end < len(query) and not query[end].isspace() and query[end] not in '()"':
        end += 1
    text = query[start:end]
    if text in _OPERATORS:
        tokens.append(_Token("op", text, start))
    else:
        tokens.append(_Token("word", text, start, prefix=text.endswith("*")))
    return end


class _Parser:
    """Recursive descent: or_expr := and_expr (OR and_expr)*;
    and_expr := unary ((AND)? unary)*; unary := (NOT | -) unary | atom;
    atom := word | phrase | ( or_expr )."""

    def __init__(self, query: str) -> None:
        if len(query) > MAX_QUERY_CHARS:
            raise QueryLimitError(
                f"the query is longer than {MAX_QUERY_CHARS} characters",
                MAX_QUERY_CHARS,
                "too_long",
                n=MAX_QUERY_CHARS,
            )
        self.query = query
        self.tokens = _tokenize(query)
        self.index = 0
        self.depth = 0
        self.terms = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self.or_expr()
        token = self.peek()
        if token is not None:
            if token.kind == ")":
                raise QuerySyntaxError(
                    "')' without a matching '('", token.position, "unmatched_close"
                )
            raise QuerySyntaxError(
                f"unexpected {token.text!r}", token.position, "unexpected", token=token.text
            )
        return node

    def or_expr(self) -> Node | None:
        children = [self.and_expr()]
        while (token := self.peek()) is not None and token.kind == "op" and token.text == "OR":
            self.take()
            self._expect_operand(token)
            children.append(self.and_expr())
        return _combine(Or, children)

    def and_expr(self) -> Node | None:
        children = [self.unary()]
        while (token := self.peek()) is not None and not (
            token.kind == ")" or (token.kind == "op" and token.text == "OR")
        ):
            if token.kind == "op" and token.text == "AND":
                self.take()
                self._expect_operand(token)
            children.append(self.unary())
        return _combine(And, children)

    def unary(self) -> Node | None:
        token = self.peek()
        if token is not None and (token.kind == "-" or (token.kind, token.text) == ("op", "NOT")):
            self.take()
            self._expect_operand(token)
            self._enter(token)
            child = self.unary()
            self.depth -= 1
            return None if child is None else Not(child)
        return self.atom()

    def _enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryLimitError(
                f"the query nests parentheses and NOT more than {MAX_DEPTH} levels deep",
                token.position,
                "too_deep",
                n=MAX_DEPTH,
            )

    def atom(self) -> Node | None:
        token = self.peek()
        if token is None:
            raise QuerySyntaxError(
                "the query ends where a search term was expected", len(self.query), "ends_early"
            )
        if token.kind == "op":
            raise QuerySyntaxError(
                f"{token.text} needs a search term on each side "
                f'(write "{token.text.lower()}" in lower case to search for the word)',
                token.position,
                "operator_needs_terms",
                operator=token.text,
                word=token.text.lower(),
            )
        if token.kind == ")":
            raise QuerySyntaxError(
                "')' without a search term before it", token.position, "close_without_term"
            )
        self.take()
        if token.kind == "(":
            if (inner := self.peek()) is not None and inner.kind == ")":
                raise QuerySyntaxError("empty parentheses", token.position, "empty_parentheses")
            self._enter(token)
            node = self.or_expr()
            self.depth -= 1
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise QuerySyntaxError("'(' is never closed", token.position, "unclosed")
            self.take()
            return node
        found = tuple(words(token.text))
        if not found:
            return None  # only punctuation ("*", "++", ":"): nothing to search for
        self.terms += len(found)
        if self.terms > MAX_TERMS:
            raise QueryLimitError(
                f"the query has more than {MAX_TERMS} search words",
                token.position,
                "too_many_terms",
                n=MAX_TERMS,
            )
        return Phrase(found, prefix=token.prefix)

    def _expect_operand(self, operator: _Token) -> None:
        following = self.peek()
        if (
            following is None
            or following.kind == ")"
            or (following.kind == "op" and following.text in {"AND", "OR"})
        ):
            name = "-" if operator.kind == "-" else operator.text
            raise QuerySyntaxError(
                f"{name} needs a search term after it"
                + ("" if name == "-" else f' (write "{name.lower()}" to search for the word)'),
                operator.position,
                "minus_needs_term" if name == "-" else "operator_needs_term_after",
                operator=name,
                word=name.lower(),
            )


def _combine(kind: type[And] | type[Or], children: list[Node | None]) -> Node | None:
    kept = [child for child in children if child is not None]
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    flat: list[Node] = []
    for child in kept:
        flat.extend(child.children if isinstance(child, kind) else (child,))
    return kind(tuple(flat))


def parse(query: str) -> Node | None:
    """The AST of ``query``; None when it holds nothing to search for (empty, only
    punctuation). Raises ``QuerySyntaxError``."""
    return _Parser(query).parse()


# --- SQLite FTS5 -------------------------------------------------------------------------------


def _fts_phrase(phrase: Phrase) -> str:
    # Words are runs of letters and digits, so quoting is only defence in depth.
    quoted = '"' + " ".join(phrase.words).replace('"', '""') + '"'
    return quoted + " *" if phrase.prefix else quoted


def to_fts5(node: Node) -> str | None:
    """The FTS5 MATCH expression for ``node``, or None when FTS5 cannot express it (a NOT with
    nothing positive beside it, such as ``NOT ivory`` or ``ivory OR NOT seized``): the SQLite
    backend then evaluates it as set operations on separate MATCHes (``fts5_parts``)."""
    if isinstance(node, Phrase):
        return _fts_phrase(node)
    if isinstance(node, Not):
        return None
    if isinstance(node, Or):
        parts = [to_fts5(child) for child in node.children]
        if any(part is None for part in parts):
            return None
        return "(" + " OR ".join(str(part) for part in parts) + ")"
    positives = [child for child in node.children if not isinstance(child, Not)]
    negatives = [child.child for child in node.children if isinstance(child, Not)]
    if not positives:
        return None
    positive_parts = [to_fts5(child) for child in positives]
    negative_parts = [to_fts5(child) for child in negatives]
    if any(part is None for part in positive_parts + negative_parts):
        return None
    expression = "(" + " AND ".join(str(part) for part in positive_parts) + ")"
    typed_together = _typed_together(positives)
    if typed_together is not None:
        # Same matches (the phrase implies every word), but bm25 also scores the phrase, so
        # "te te" ranks "vảy tê tê" above "Mường Tè ... tê giác".
        boost = " OR ".join([_fts_phrase(typed_together)] * _PHRASE_BOOST)
        expression = f"({expression} OR {boost})"
    for part in negative_parts:
        expression = f"({expression} NOT {part})"
    return expression


# FTS5 has no per-phrase weights but scores every phrase of the expression: the phrase is
# repeated so that words found side by side in the text outweigh one of them in a title
# (titles weigh 4 in search/sqlite_query.py).
_PHRASE_BOOST = 4


def _typed_together(positives: Sequence[Node]) -> Phrase | None:
    """Plain words typed side by side (``sung te giac``) as one phrase, for ranking: people
    type unaccented names of things, and the words next to each other are what they mean."""
    if len(positives) < 2 or not all(
        isinstance(child, Phrase) and len(child.words) == 1 and not child.prefix
        for child in positives
    ):
        return None
    return Phrase(tuple(word for child in positives for word in cast(Phrase, child).words))


def highlight_terms(node: Node | None) -> list[Phrase]:
    """The phrases a matching document may contain (those not under a NOT), to mark in
    snippets."""
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Phrase):
        return [node]
    found: list[Phrase] = []
    for child in node.children:
        found.extend(highlight_terms(child))
    return found


# --- Elasticsearch -----------------------------------------------------------------------------

# Accent-folded text fields of search/mapping.json and their weights (title counts more).
ES_TEXT_FIELDS = ("title^3", "text", "tokens")


def to_elasticsearch(node: Node) -> dict[str, Any]:
    """The ES query clause for ``node``: ``multi_match`` per word or phrase on the folded
    fields, ``bool`` for the operators. The index analyses text with the same folding, so the
    words are sent as typed-then-folded and match accented text."""
    if isinstance(node, Phrase):
        text = " ".join(node.words)
        if node.prefix:
            match_type = "phrase_prefix"
        elif len(node.words) > 1:
            match_type = "phrase"
        else:
            match_type = "best_fields"
        return {"multi_match": {"query": text, "type": match_type, "fields": list(ES_TEXT_FIELDS)}}
    if isinstance(node, Not):
        return {"bool": {"must_not": [to_elasticsearch(node.child)]}}
    if isinstance(node, Or):
        return {
            "bool": {
                "should": [to_elasticsearch(child) for child in node.children],
                "minimum_should_match": 1,
            }
        }
    must = [to_elasticsearch(c) for c in node.children if not isinstance(c, Not)]
    must_not = [to_elasticsearch(c.child) for c in node.children if isinstance(c, Not)]
    clause: dict[str, Any] = {}
    if must:
        clause["must"] = must
    typed_together = _typed_together([c for c in node.children if not isinstance(c, Not)])
    if typed_together is not None:  # a ranking boost only: "must" decides what matches
        phrase = to_elasticsearch(typed_together)
        phrase["multi_match"]["boost"] = _PHRASE_BOOST
        clause["should"] = [phrase]
    if must_not:
        clause["must_not"] = must_not
    return {"bool": clause}
