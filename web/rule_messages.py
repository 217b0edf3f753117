"""Why an alert rule could not be saved, in the reader's language.

Pure function. Reads the structured problems of ``schedules.rules.RuleError`` (each with the
code of its message in ``web/messages.toml`` group ``errors``, keys ``rule_*``) and the rule's
query; a query that does not parse is explained from the parser's own error code. A problem
without a code is kept in its English text rather than lost.
"""

from __future__ import annotations

from collections.abc import Callable

from schedules.rules import RuleError, RuleProblem
from search.query_language import QuerySyntaxError, parse
from web.params import localized_query_error, param_label


def _localized_problem(problem: RuleProblem, query: str, t: Callable[..., str]) -> str:
    if problem.code == "query":
        try:
            parse(query)
        except QuerySyntaxError as error:
            return f"{t('query')}: {localized_query_error(error, t)}"
        return problem.text
    if not problem.code:
        return problem.text
    values = dict(problem.values)
    if "field" in values:
        values["field"] = param_label(values["field"], t)
    return t(f"errors.{problem.code}", **values)


def localized_rule_error(error: RuleError, query: str, t: Callable[..., str]) -> str:
    """``error`` in the reader's language (``t``: a Translator); an error naming no rule (a
    rules file that cannot be read) keeps its English message."""
    if error.rule is None or not error.problems:
        return str(error)
    text = "; ".join(_localized_problem(problem, query, t) for problem in error.problems)
    return t("errors.rule_prefix", name=error.rule) + " " + text
