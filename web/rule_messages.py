"""Why an alert rule could not be saved, in the reader's language.

Pure function. Reads the English message of ``schedules.rules.RuleError`` (one line, "alert
rule 'NAME': problem; problem", the form the CLI prints) and the rule's query; writes the same
problems through the catalogue (``web/messages.toml`` group ``errors``, keys ``rule_*``). A
query that does not parse is explained from the parser's own error code. A problem this module
does not know is kept in English rather than lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from search.query_language import QuerySyntaxError, parse
from web.params import localized_query_error, param_label

_PREFIX = re.compile(r"^alert rule (?P<name>'.*?'|\".*?\"): ")
# (pattern of one English problem, message key); named groups become the message's values
_PROBLEMS = (
    (re.compile(r"^name: must not be empty$"), "rule_name_empty"),
    (re.compile(r"^name: at most 100 characters"), "rule_name_long"),
    (re.compile(r"^recipients: at least one e-mail address is required$"), "rule_no_recipient"),
    (re.compile(r"^recipients: (?P<value>'.*'|\".*\") is not an e-mail address$"), "rule_email"),
    (re.compile(r"^a rule with this name already exists$"), "rule_exists"),
    (
        re.compile(r"^(?P<field>\w+): (?P<value>'.*?'|\".*?\") is not a known "),
        "rule_unknown_value",
    ),
    (re.compile(r"^source: (?P<value>'.*'|\".*\") is not a source name"), "rule_source"),
)


def _unquoted(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


def localized_rule_error(message: str, query: str, t: Callable[..., str]) -> str:
    """``message`` (a RuleError's) in the reader's language (``t``: a Translator)."""
    prefix = _PREFIX.match(message)
    rest = message[prefix.end() :] if prefix else message
    problems = []
    for problem in rest.split("; "):
        if problem.startswith("query: "):
            try:
                parse(query)
            except QuerySyntaxError as error:
                problems.append(f"{t('query')}: {localized_query_error(error, t)}")
                continue
        for pattern, key in _PROBLEMS:
            found = pattern.match(problem)
            if found:
                values = {k: _unquoted(v) for k, v in found.groupdict().items()}
                if "field" in values:
                    values["field"] = param_label(values["field"], t)
                problems.append(t(f"errors.{key}", **values))
                break
        else:
            if not problem.startswith("valid:"):  # the tail of an unknown-value problem
                problems.append(problem)
    text = "; ".join(problems)
    if prefix:
        return t("errors.rule_prefix", name=_unquoted(prefix.group("name"))) + " " + text
    return text
