"""Enforcement cases in the web UI and the JSON API: ``/cases`` (list with filters),
``/cases/{id}`` (timeline, outlets per step, coverage per outlet, staff merge/split, follow),
``/cases.csv`` and ``GET /api/cases``, ``/api/cases/{id}``.

Reads the case store (``cases.store``, ``WILDWATCH_HOME/cases.sqlite``); writes staff
decisions and follows through ``cases.rebuild`` and the store. Also gives templates
``case_of(item_id)`` so the item page links to its case.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from cases.features import STEPS
from cases.model import Case
from cases.queries import CaseFilter, FilterError, csv_text, filter_cases
from cases.rebuild import CaseError, merge, split
from cases.store import CaseStore
from web.login import checked_form
from web.map_figures import render_case_map
from web.rendering import render, templates

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["cases"])
PER_PAGE = 50
_CASE_ID = re.compile(r"^c[0-9a-f]{10}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
Values = Annotated[list[str] | None, Query()]


def _store() -> CaseStore:
    return CaseStore.from_settings()


def case_of(item_id: object) -> str | None:
    """The case an item belongs to (templates: the link on the item page)."""
    if not isinstance(item_id, str) or not item_id:
        return None
    try:
        return _store().case_of(item_id)
    except Exception:  # a missing or locked case store must not take the item page down
        return None


templates.env.globals["case_of"] = case_of


def _split_values(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for value in values or () for v in value.split(",") if v.strip())


def case_filter(
    species: Values = None,
    province: Values = None,
    country: Values = None,
    status: Values = None,
    no_follow_up_days: str = "",
    q: str = "",
) -> CaseFilter:
    """The list's filters from the query string (repeat a filter or separate values by
    commas); a bad value is HTTP 400 naming the parameter."""
    stale: int | None = None
    if no_follow_up_days.strip():
        try:
            stale = int(no_follow_up_days)
        except ValueError:
            raise HTTPException(
                status_code=400,
                detail=f"no_follow_up_days: {no_follow_up_days!r} is not a whole number",
            ) from None
    wanted = CaseFilter(
        species=_split_values(species),
        province=_split_values(province),
        country=_split_values(country),
        status=_split_values(status),
        stale_days=stale,
        query=q.strip(),
    )
    try:
        wanted.validate()
    except FilterError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return wanted


Wanted = Annotated[CaseFilter, Depends(case_filter)]


def _listed(wanted: CaseFilter) -> tuple[list[Case], list[Case]]:
    """(every case, the cases the filter keeps)."""
    every = _store().all_cases()
    return every, filter_cases(every, wanted, date.today())


def _choices(cases: list[Case]) -> dict[str, list[str]]:
    def distinct(values: list[str]) -> list[str]:
        return sorted(set(values))

    return {
        "species": distinct([s for c in cases for s in c.species]),
        "province": distinct([p for c in cases for p in c.provinces]),
        "country": distinct([x for c in cases for x in c.countries]),
        "status": list(STEPS),
    }


def _get_case(case_id: str) -> Case:
    case = _store().get(case_id) if _CASE_ID.match(case_id) else None
    if case is None:
        raise HTTPException(status_code=404, detail=f"no case with id {case_id!r}")
    return case


@router.get("/cases")
def cases_page(request: Request, wanted: Wanted, page: int = 1) -> Any:
    every, kept = _listed(wanted)
    page = max(1, page)
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "ui")]
    return render(
        request,
        "cases.html",
        {
            "wanted": wanted,
            "cases": kept[(page - 1) * PER_PAGE : page * PER_PAGE],
            "total": len(kept),
            "all_total": len(every),
            "page": page,
            "pages": max(1, -(-len(kept) // PER_PAGE)),
            "choices": _choices(every),
            "today": date.today(),
            "query": urlencode(pairs),
            "steps": STEPS,
        },
    )


@router.get("/cases.csv")
def cases_csv(request: Request, wanted: Wanted) -> Response:
    _every, kept = _listed(wanted)
    return Response(
        csv_text(kept, str(request.base_url)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="wildwatch-cases.csv"'},
    )


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: str, done: str = "", error: str = "") -> Any:
    case = _get_case(case_id)
    store = _store()
    return render(
        request,
        "case.html",
        {
            "case": case,
            "steps": STEPS,
            "coverage": case.coverage(),
            # where the case happened, each mark linking to the search for its species there
            "case_map": render_case_map(
                case.places,
                request.state.ui,
                search_pairs=[("species", species) for species in case.species],
            ),
            "missing": case.missing_steps(),
            "reached": [step.step for step in case.timeline],
            "followers": store.followers(case.id),
            "today": date.today(),
            "done": done,
            "error": error,
        },
    )


def _back(case_id: str, **message: str) -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}?{urlencode(message)}", status_code=303)


def _actor(request: Request) -> str:
    return str(getattr(request.state, "user", None) or "web")


@router.post("/cases/{case_id}/merge")
async def case_merge(request: Request, case_id: str) -> Any:
    form = await checked_form(request)
    _get_case(case_id)
    others = [v.strip() for v in str(form.get("others") or "").replace(",", " ").split()]
    try:
        merge(_store(), case_id, others, actor=_actor(request), note=str(form.get("note") or ""))
    except CaseError as failure:
        return _back(case_id, error=str(failure))
    return _back(case_id, done="merged")


@router.post("/cases/{case_id}/split")
async def case_split(request: Request, case_id: str) -> Any:
    form = await checked_form(request)
    _get_case(case_id)
    moved = [str(value) for value in form.getlist("article")]
    try:
        _kept, created = split(
            _store(), case_id, moved, actor=_actor(request), note=str(form.get("note") or "")
        )
    except CaseError as failure:
        return _back(case_id, error=str(failure))
    return RedirectResponse(f"/cases/{created.id}?done=split", status_code=303)


@router.post("/cases/{case_id}/follow")
async def case_follow(request: Request, case_id: str) -> Any:
    form = await checked_form(request)
    _get_case(case_id)
    email = str(form.get("email") or "").strip()
    if not _EMAIL.match(email):
        return _back(case_id, error=f"{email!r} is not an e-mail address")
    store = _store()
    if form.get("stop"):
        store.unfollow(case_id, email)
        return _back(case_id, done="unfollowed")
    store.follow(case_id, email, request.state.ui)
    return _back(case_id, done="followed")


@api_router.get("/cases", summary="Enforcement cases, latest activity first")
def api_cases(
    wanted: Wanted,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Cases grouped from the enforcement reports: filters `species`, `province`, `country`,
    `status` (latest step: seizure, arrest, prosecution, trial, sentence) and
    `no_follow_up_days` (newest report at least N days old, no sentence yet)."""
    _every, kept = _listed(wanted)
    return {
        "total": len(kept),
        "cases": [c.to_json(with_articles=False) for c in kept[offset : offset + limit]],
    }


@api_router.get("/cases/{case_id}", summary="One case: timeline, articles, coverage per outlet")
def api_case(case_id: str) -> dict[str, Any]:
    return _get_case(case_id).to_json()
