"""Triage on the results page and the item page: mark items relevant, not relevant or for
follow-up, seen or not, add a note; one item or many at once.

Reads the posted forms (CSRF-checked) and the triage store through the search backend
(search/triage.py); writes triage records with the logged-in user, or ``anonymous`` when the
server runs without logins, then redirects back to the page the form was on. No script runs
on these pages (CSP ``script-src 'none'``): "select all on this page" is a checkbox the server
reads, and the per-item buttons belong to the same form through the ``form`` attribute.
Also builds what the templates show: each hit's record, the triage facet group, the history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from search.filter_values import TRIAGE_FILTER_VALUES, TRIAGE_STATES
from search.triage import HISTORY_SHOWN, TriageChange, TriageError, TriageRecord, UnknownItems
from web.auth import safe_next
from web.i18n import Translator
from web.login import checked_form

router = APIRouter(include_in_schema=False)
ANONYMOUS = "anonymous"
# Form actions → the change they make. "note" sets the note typed with it.
ACTIONS: dict[str, dict[str, Any]] = {
    **{state: {"state": state} for state in TRIAGE_FILTER_VALUES},
    "seen": {"seen": True},
    "unseen": {"seen": False},
}
# The yes/no triage filters (web parameters, 1 or 0) and the label of each answer.
TRIAGE_FLAGS = {"seen": ("seen", "unseen"), "noted": ("noted", "not_noted")}
MAX_BULK = 500  # ids one form may carry (a page holds at most 100)
DONE_PARAM = "triaged"


def words(t: Translator) -> Callable[..., str]:
    """Labels of triage, from the ``[triage]`` group of web/messages.toml."""

    def lookup(key: str, **values: object) -> str:
        text = t.label("triage", key)
        return text.format(**values) if values else text

    return lookup


def actor(request: Request) -> str:
    """Who is triaging: the logged-in user, or ``anonymous`` without logins."""
    user = getattr(request.state, "user", None)
    return str(user) if user else ANONYMOUS


def change_for(action: str, note: str | None = None) -> TriageChange:
    """The change a form action asks for; ``TriageError`` for an unknown action."""
    if action == "note":
        return TriageChange.checked(note=note or "")
    if action not in ACTIONS:
        raise TriageError(f"action: {action!r} is not a triage action")
    return TriageChange.checked(**ACTIONS[action])


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _texts(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def selected_ids(form: FormData) -> tuple[list[str], str]:
    """The items a results-page form acts on, and the action: one item's own button
    (``one=<action> <id>``), else every item on the page (``all_on_page``), else the
    checked ones."""
    one = _text(form, "one")
    if one:
        action, _, doc_id = one.partition(" ")
        return [doc_id.strip()], action
    action = _text(form, "action")
    ids = _texts(form, "page_ids") if _text(form, "all_on_page") else _texts(form, "ids")
    return list(dict.fromkeys(ids))[:MAX_BULK], action


def _back(target: str, done: int) -> str:
    """``target`` (a local path) with the count of items changed, replacing an older one."""
    parts = urlsplit(safe_next(target))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != DONE_PARAM]
    query.append((DONE_PARAM, str(done)))
    return f"{parts.path}?{urlencode(query)}"


@router.post("/triage")
async def triage_results(request: Request) -> RedirectResponse:
    """The results page's bulk and per-item buttons."""
    form = await checked_form(request)
    ids, action = selected_ids(form)
    target = _text(form, "next") or "/"
    if not ids:
        return RedirectResponse(_back(target, 0), status_code=303)
    try:
        change = change_for(action, _text(form, "note"))
        with request.app.state.services.backend() as backend:
            backend.set_triage(ids, change, by=actor(request))
    except UnknownItems as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    except TriageError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return RedirectResponse(_back(target, len(ids)) + "#results", status_code=303)


@router.post("/items/{item_id}/triage")
async def triage_item(request: Request, item_id: str) -> RedirectResponse:
    """The item page's triage panel: a state button, seen/unseen, or the note."""
    form = await checked_form(request)
    action = _text(form, "action")
    try:
        change = change_for(action, _text(form, "note"))
        with request.app.state.services.backend() as backend:
            backend.set_triage([item_id], change, by=actor(request))
    except UnknownItems as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    except TriageError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return RedirectResponse(f"/items/{quote(item_id)}?{DONE_PARAM}=1#triage", status_code=303)


# --- what the templates show ------------------------------------------------------------


def records_for(backend: Any, hits: Iterable[Mapping[str, Any]]) -> dict[str, TriageRecord]:
    """The triage record of each hit that has one."""
    ids = [str(hit.get("id")) for hit in hits if hit.get("id")]
    return backend.triage_of(ids) if ids else {}


def facet_group(params: Any, facets: Mapping[str, Mapping[str, int]]) -> list[dict[str, Any]]:
    """The triage facet entries: each state, then seen / unseen and with a note, each a link
    toggling its filter (counts from the backend's ``triage``, ``seen``, ``noted`` facets)."""
    states = facets.get("triage") or {}
    seen = facets.get("seen") or {}
    noted = facets.get("noted") or {}
    chosen_states = set(params.values("triage"))
    entries: list[dict[str, Any]] = []
    for state in TRIAGE_FILTER_VALUES:
        entries.append(
            {
                "key": state,
                "count": int(states.get(state, 0)),
                "selected": state in chosen_states,
                "href": "/?" + params.query_string(toggle=("triage", state)),
            }
        )
    for key, name, flag, counts in (
        ("seen", "seen", "1", seen),
        ("unseen", "seen", "0", seen),
        ("noted", "noted", "1", noted),
    ):
        selected = params.first(name) == flag
        entries.append(
            {
                "key": key,
                "count": int(counts.get("true" if flag == "1" else "false", 0)),
                "selected": selected,
                "href": "/?" + params.query_string(**{name: None if selected else flag}),
            }
        )
    return entries


def item_context(services: Any, item_id: str) -> dict[str, Any]:
    """The item page's triage panel: the record and the latest changes."""
    with services.backend() as backend:
        record = backend.triage_of([item_id]).get(item_id)
        history = backend.triage_history(item_id, HISTORY_SHOWN)
    return {"triage": record, "triage_history": history}


def state_label(tw: Callable[..., str], record: TriageRecord | None) -> str:
    return tw(record.filter_state if record else "untriaged")


def shown_actor(tw: Callable[..., str], by: str) -> str:
    return tw("anonymous") if by == ANONYMOUS else by


def template_helpers(t: Translator) -> dict[str, Any]:
    """What search.html and item.html need to draw triage controls."""
    tw = words(t)
    return {
        "tw": tw,
        "triage_states": TRIAGE_STATES,
        "triage_actor": lambda by: shown_actor(tw, by),
        "triage_change": lambda changes: change_summary(tw, changes),
        "triage_chip": lambda name, value: chip_label(tw, name, value),
    }


def chip_label(tw: Callable[..., str], name: str, value: str) -> str:
    """An active triage filter as its chip says it: the state, "Seen", "No note"..."""
    if name in TRIAGE_FLAGS:
        yes, no = TRIAGE_FLAGS[name]
        return tw(yes if value.lower() in ("1", "true", "yes", "on") else no)
    return tw(value)


def change_summary(tw: Callable[..., str], changes: Mapping[str, Any]) -> Sequence[str]:
    """One history event in words: "Follow-up", "seen", "note: …"."""
    parts = []
    if "state" in changes:
        parts.append(tw(str(changes["state"])))
    if "seen" in changes:
        parts.append(tw("seen") if changes["seen"] else tw("unseen"))
    if "note" in changes:
        note = str(changes["note"])
        parts.append(tw("note_set", note=note) if note else tw("note_cleared"))
    return parts
