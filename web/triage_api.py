"""The triage API: read and set the staff's decision on items (search/triage.py).

``GET /api/items/{id}/triage`` returns the record and the latest changes;
``POST /api/items/{id}/triage`` and ``POST /api/triage`` (many ids) set a state, seen or a
note. Writes take a JSON body only (``Content-Type: application/json``): a page on another
site can post a form to this server, but cannot send JSON to it without a CORS preflight the
server never grants, which is this API's CSRF defence; with logins on, the session cookie
(SameSite=Lax, not sent on cross-site posts) is required as for every other route.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from search.triage import HISTORY_SHOWN, TriageChange, TriageError, UnknownItems
from web.triage_pages import actor

router = APIRouter(prefix="/api", tags=["triage"])
_STATE_HELP = "relevant, not_relevant, follow_up, or untriaged to clear the decision"


class TriageInput(BaseModel):
    state: str | None = Field(None, description=_STATE_HELP)
    seen: bool | None = Field(None, description="Seen by staff (a decision also marks it seen)")
    note: str | None = Field(None, description='Free text, at most 2000 characters; "" clears')


class BulkTriageInput(TriageInput):
    ids: list[str] = Field(description="Item ids (at most 500)", max_length=500)


class TriageRecordModel(BaseModel):
    id: str
    state: str = Field(description="untriaged, relevant, not_relevant or follow_up")
    seen: bool
    note: str
    by: str = Field(description='Who changed it last: a user name, or "anonymous"')
    at: str = Field(description="When (ISO 8601, UTC); empty when never triaged")


class TriageEventModel(BaseModel):
    at: str
    by: str
    state: str | None = None
    seen: bool | None = None
    note: str | None = None


class ItemTriageModel(TriageRecordModel):
    history: list[TriageEventModel] = Field(description="Latest changes, newest first")


class BulkResultModel(BaseModel):
    changed: int = Field(description="Items the request was applied to")
    items: list[TriageRecordModel]


def _json_only(request: Request) -> None:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise HTTPException(
            status_code=415,
            detail="send the triage change as JSON (Content-Type: application/json)",
        )


def _change(body: TriageInput) -> TriageChange:
    try:
        return TriageChange.checked(state=body.state, seen=body.seen, note=body.note)
    except TriageError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None


def _record_json(doc_id: str, record: Any) -> dict[str, Any]:
    values = record.as_json() if record else {"state": "untriaged", "seen": False}
    return {"id": doc_id, "note": "", "by": "", "at": "", **values}


def _apply(request: Request, ids: list[str], change: TriageChange) -> list[Any]:
    try:
        with request.app.state.services.backend() as backend:
            return list(backend.set_triage(ids, change, by=actor(request)))
    except UnknownItems as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
    except TriageError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None


@router.get("/items/{item_id}/triage", response_model=ItemTriageModel, summary="Item triage")
def get_item_triage(request: Request, item_id: str) -> dict[str, Any]:
    """The staff's decision on one item and its latest changes."""
    with request.app.state.services.backend() as backend:
        if backend.get(item_id) is None:
            raise HTTPException(status_code=404, detail=f"no item with id {item_id!r}")
        record = backend.triage_of([item_id]).get(item_id)
        history = backend.triage_history(item_id, HISTORY_SHOWN)
    return {**_record_json(item_id, record), "history": [e.as_json() for e in history]}


@router.post("/items/{item_id}/triage", response_model=ItemTriageModel, summary="Triage item")
def set_item_triage(request: Request, item_id: str, body: TriageInput) -> dict[str, Any]:
    """Set the state, seen or the note of one item (fields left out stay as they are)."""
    _json_only(request)
    _apply(request, [item_id], _change(body))
    return get_item_triage(request, item_id)


@router.post("/triage", response_model=BulkResultModel, summary="Triage many items")
def set_bulk_triage(request: Request, body: BulkTriageInput) -> dict[str, Any]:
    """Apply one change to many items at once: all of them, or none when an id is unknown."""
    _json_only(request)
    ids = list(dict.fromkeys(i for i in body.ids if i))
    if not ids:
        raise HTTPException(status_code=400, detail="ids: give at least one item id")
    records = _apply(request, ids, _change(body))
    return {
        "changed": len(records),
        "items": [_record_json(r.item_id, r) for r in records],
    }
