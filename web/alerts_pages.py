"""The alerts page: list, create, edit, pause/resume, delete and preview alert rules, and see
each rule's e-mails (sent, waiting with the next attempt, failed with the reason; resend).

Reads and writes the same store as ``wildwatch alerts`` (schedules/rules.py through
schedules/rule_admin.py) and the outbox; previews search the index through
schedules/alerting.py without recording or sending anything. Every form goes through the
app's CSRF check (web/login.py). Rules are addressed by name in a query parameter or form
field, never in the path: names may hold "/" and other characters a path would mangle.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from schedules.rule_admin import RuleAdmin
from schedules.rules import CADENCES, AlertRule, RuleError, RuleStore
from schedules.settings import public_url
from search.filter_values import TRIAGE_FILTER_VALUES
from web.i18n import Translator
from web.login import checked_form
from web.params import ENFORCEMENT, KINDS
from web.rendering import render
from web.rule_messages import localized_rule_error

router = APIRouter(include_in_schema=False)
_SPLIT = re.compile(r"[\s,;]+")
# Free-text filters: several values separated by commas.
_TEXT_LISTS = ("source", "country", "lang", "location", "place")
_CHOICE_LISTS = ("species", "kind", "enforcement", "triage")
PREVIEW_ITEMS = 30


def words(t: Translator) -> Callable[..., str]:
    """Labels of this page, from the ``[alerts_page]`` group of web/messages.toml."""

    def lookup(key: str, **values: object) -> str:
        text = t.label("alerts_page", key)
        return text.format(**values) if values else text

    return lookup


def _page_url(**params: str) -> str:
    return "/alerts" + (f"?{urlencode(params)}" if params else "")


def _rule_url(name: str, **params: str) -> str:
    return "/alerts/rule?" + urlencode({"name": name, **params})


def rule_from_form(form: FormData) -> AlertRule:
    """The rule a submitted form describes; ``RuleError`` naming the field when a value has
    the wrong shape (validation proper happens when it is stored)."""

    def values(name: str) -> list[str]:
        return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]

    def text(name: str) -> str:
        found = values(name)
        return found[0] if found else ""

    data: dict[str, Any] = {
        "name": text("name"),
        "query": text("q"),
        "recipients": [r for v in values("recipients") for r in _SPLIT.split(v) if r],
        "email_lang": text("email_lang") or "vi",
        "cadence": text("cadence") or "daily",
        "wildlife_trade": True if text("trade") == "1" else None,
    }
    for name in _CHOICE_LISTS:
        data[name] = values(name)
    for name in _TEXT_LISTS:
        data[name] = [v for raw in values(name) for v in raw.split(",") if v.strip()]
    data["country"] = [v.upper() for v in data["country"]]
    relevance = text("min_relevance")
    if relevance:
        try:
            data["min_relevance"] = float(relevance.replace(",", "."))
        except ValueError:
            raise RuleError(f"min_relevance: {relevance!r} is not a number 0..1") from None
    return AlertRule.from_mapping(data, where="form")


def form_values(rule: AlertRule | None) -> dict[str, Any]:
    """What the rule form shows: a stored rule's values, or the defaults of a new one."""
    if rule is None:
        return {"name": "", "q": "", "recipients": "", "email_lang": "vi", "cadence": "daily"}
    values: dict[str, Any] = {
        "name": rule.name,
        "q": rule.query,
        "recipients": ", ".join(rule.recipients),
        "email_lang": rule.email_lang,
        "cadence": rule.cadence,
        "trade": rule.wildlife_trade is True,
        "min_relevance": "" if rule.min_relevance is None else f"{rule.min_relevance:g}",
    }
    for name in _CHOICE_LISTS:
        values[name] = list(getattr(rule, name))
    for name in _TEXT_LISTS:
        values[name] = ", ".join(getattr(rule, name))
    return values


def _submitted_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {
        key: str(form.get(key) or "")
        for key in ("name", "q", "recipients", "email_lang", "cadence", "min_relevance")
    }
    values["trade"] = form.get("trade") == "1"
    for name in _CHOICE_LISTS:
        values[name] = [str(v) for v in form.getlist(name)]
    for name in _TEXT_LISTS:
        values[name] = str(form.get(name) or "")
    return values


def describe(rule: AlertRule, t: Translator) -> list[str]:
    """The rule's search in words, one part per filter, in the UI language."""
    a = words(t)
    parts = [f"{t('query')}: {rule.query}"] if rule.query else []
    for name, group in (("species", "species"), ("enforcement", "enforcement"), ("kind", "kind")):
        values = getattr(rule, name)
        if values:
            labels = ", ".join(t.label(group, v) for v in values)
            parts.append(f"{t('f_' + name)}: {labels}")
    for name, group in (("country", "country"), ("lang", "lang"), ("source", ""), ("location", "")):
        values = getattr(rule, name)
        if values:
            labels = ", ".join(t.label(group, v) if group else v for v in values)
            parts.append(f"{t('f_' + name)}: {labels}")
    if rule.place:  # provinces by name, countries by code: a country's name reads better
        labels = ", ".join(t.label("country", v) if v.isupper() else v for v in rule.place)
        parts.append(f"{t('f_place')}: {labels}")
    if rule.triage:
        labels = ", ".join(t.label("triage", v) for v in rule.triage)
        parts.append(f"{t.label('triage', 'heading')}: {labels}")
    if rule.wildlife_trade:
        parts.append(t("trade_only"))
    if rule.min_relevance is not None:
        parts.append(f"{a('min_relevance')} ≥ {rule.min_relevance:g}")
    return parts or [a("everything")]


def _form_context(t: Translator) -> dict[str, Any]:
    return {
        "species_choices": sorted(t.labels("species").items(), key=lambda kv: kv[1]),
        "kind_choices": [(k, t.label("kind", k)) for k in KINDS],
        "enforcement_choices": [(k, t.label("enforcement", k)) for k in ENFORCEMENT],
        "cadence_choices": [(k, t.label("cadence", k)) for k in CADENCES],
        "triage_choices": [(k, t.label("triage", k)) for k in TRIAGE_FILTER_VALUES],
    }


def _list_page(
    request: Request,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Any:
    t = Translator(request.state.ui)
    statuses = RuleAdmin().statuses()
    context = {
        "a": words(t),
        "rules": [
            {"status": s, "parts": describe(s.rule, t), "url": _rule_url(s.rule.name)}
            for s in statuses
        ],
        "form": form or form_values(None),
        "error": error,
        "done": request.query_params.get("done", ""),
        "done_name": request.query_params.get("rule", ""),
        **_form_context(t),
    }
    return render(request, "alerts.html", context, status_code=status_code)


@router.get("/alerts")
def alerts_page(request: Request) -> Any:
    return _list_page(request)


@router.post("/alerts/new")
async def create_rule(request: Request) -> Any:
    form = await checked_form(request)
    try:
        rule = RuleStore.from_settings().add(rule_from_form(form))
    except RuleError as error:
        message = localized_rule_error(
            error, str(form.get("q") or ""), Translator(request.state.ui)
        )
        return _list_page(request, form=_submitted_values(form), error=message, status_code=400)
    return RedirectResponse(_page_url(done="created", rule=rule.name), status_code=303)


def _stored(name: str) -> AlertRule:
    rule = RuleStore.from_settings().get(name)
    if rule is None:
        raise HTTPException(status_code=404, detail=f"no alert rule named {name!r}")
    return rule


def _preview(request: Request, rule: AlertRule) -> dict[str, Any]:
    from schedules.alerting import preview_content

    with request.app.state.services.backend() as backend:
        content = preview_content(rule, backend=backend)
    entries = [entry for group in content.groups for entry in group.entries]
    # The digest's "see all" link, made relative: this page may be opened by another name.
    base = public_url()
    see_all = content.search_url.removeprefix(base) if content.search_url.startswith(base) else ""
    return {
        "see_all": see_all,
        "total": content.entry_count,
        "entries": sorted(entries, key=lambda e: -e.relevance)[:PREVIEW_ITEMS],
        "summary": content.summary,
        "spikes": content.spikes,
    }


def _rule_page(
    request: Request,
    rule: AlertRule,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Any:
    t = Translator(request.state.ui)
    admin = RuleAdmin()
    status = next((s for s in admin.statuses() if s.rule.name == rule.name), None)
    context = {
        "a": words(t),
        "rule": rule,
        "status": status,
        "parts": describe(rule, t),
        "deliveries": admin.deliveries(rule.name),
        "preview": _preview(request, rule),
        "form": form or form_values(rule),
        "error": error,
        "done": request.query_params.get("done", ""),
        **_form_context(t),
    }
    return render(request, "alert_rule.html", context, status_code=status_code)


@router.get("/alerts/rule")
def rule_page(request: Request, name: Annotated[str, Query()]) -> Any:
    return _rule_page(request, _stored(name))


async def _named_form(request: Request) -> tuple[FormData, str]:
    form = await checked_form(request)
    name = form.get("rule")
    if not isinstance(name, str) or not name:
        raise HTTPException(status_code=400, detail="rule: missing")
    return form, name


@router.post("/alerts/rule/edit")
async def edit_rule(request: Request) -> Any:
    form, name = await _named_form(request)
    old = _stored(name)
    try:
        rule = RuleAdmin().update(name, rule_from_form(form))
    except RuleError as error:
        return _rule_page(
            request,
            old,
            form=_submitted_values(form),
            error=localized_rule_error(
                error, str(form.get("q") or ""), Translator(request.state.ui)
            ),
            status_code=400,
        )
    return RedirectResponse(_rule_url(rule.name, done="saved"), status_code=303)


@router.post("/alerts/rule/pause")
async def pause_rule(request: Request) -> Response:
    form, name = await _named_form(request)
    paused = form.get("paused") == "1"
    try:
        RuleAdmin().set_paused(name, paused)
    except RuleError as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    done = "paused" if paused else "resumed"
    back = form.get("back")
    target = _rule_url(name, done=done) if back == "rule" else _page_url(done=done, rule=name)
    return RedirectResponse(target, status_code=303)


@router.post("/alerts/rule/delete")
async def delete_rule(request: Request) -> Response:
    _, name = await _named_form(request)
    if not RuleAdmin().remove(name):
        raise HTTPException(status_code=404, detail=f"no alert rule named {name!r}")
    return RedirectResponse(_page_url(done="deleted", rule=name), status_code=303)


@router.post("/alerts/rule/resend")
async def resend_message(request: Request) -> Response:
    form, name = await _named_form(request)
    raw = form.get("message")
    if not isinstance(raw, str) or not raw.isdigit():
        raise HTTPException(status_code=400, detail="message: expected a message number")
    if not RuleAdmin().resend(int(raw), rule=name):
        raise HTTPException(status_code=409, detail="this message was sent or does not exist")
    return RedirectResponse(_rule_url(name, done="resent"), status_code=303)
