"""The JSON API under /api (documented at /api/docs and /api/openapi.json).

Reads query parameters and the index; writes JSON. ``/api/search`` returns exactly the
DESIGN.md search result, so scripts and the CLI's ``--json`` output are interchangeable.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field, computed_field

from pipelines.figures import quantity_kg
from web.params import SearchParams, parse_interval, parse_search_params
from web.queries import coverage, design_json, item_json, item_view, trends

router = APIRouter(prefix="/api", tags=["api"])

_LIST = "Repeat the parameter or separate values with commas; values are ORed."


def search_params(
    request: Request,
    q: Annotated[
        str,
        Query(
            description='Words, "phrases", AND/OR/NOT, -word; diacritics optional: '
            "`te te` finds `tê tê`."
        ),
    ] = "",
    species: Annotated[
        list[str], Query(description=f"Species ids (pangolin, rhino, ...). {_LIST}")
    ] = [],  # noqa: B006 - FastAPI reads this default, it is never mutated
    kind: Annotated[list[str], Query(description=f"news, marketplace, social. {_LIST}")] = [],  # noqa: B006
    lang: Annotated[list[str], Query(description=f"ISO 639-1 codes. {_LIST}")] = [],  # noqa: B006
    source: Annotated[list[str], Query(description=f"Source names. {_LIST}")] = [],  # noqa: B006
    enforcement: Annotated[
        list[str],
        Query(description=f"seizure, arrest, prosecution, trial, sentence. {_LIST}"),
    ] = [],  # noqa: B006
    country: Annotated[list[str], Query(description=f"ISO 3166-1 codes. {_LIST}")] = [],  # noqa: B006
    location: Annotated[list[str], Query(description=f"Place names. {_LIST}")] = [],  # noqa: B006
    place: Annotated[
        list[str],
        Query(
            description="Provinces of Vietnam (34, after the 2025 merger) or ISO 3166-1 codes: "
            "items naming a place inside each of them (every value must match)"
        ),
    ] = [],  # noqa: B006
    trade: Annotated[str, Query(description="1: wildlife trade only; 0: only the rest")] = "",
    triage: Annotated[
        list[str],
        Query(description=f"Triage state: untriaged, relevant, not_relevant, follow_up. {_LIST}"),
    ] = [],  # noqa: B006
    seen: Annotated[str, Query(description="1: seen by staff; 0: not seen yet")] = "",
    noted: Annotated[str, Query(description="1: with a triage note; 0: without")] = "",
    since: Annotated[str, Query(description="First item date, YYYY-MM-DD")] = "",
    until: Annotated[str, Query(description="Last item date, YYYY-MM-DD (whole day)")] = "",
    min_relevance: Annotated[str, Query(description="0..1")] = "",
    sort: Annotated[str, Query(description="relevance (default) or newest")] = "",
    page: Annotated[str, Query(description="1-based page number")] = "",
    per_page: Annotated[str, Query(description="Hits per page, 1-100 (default 20)")] = "",
) -> SearchParams:
    # The declared parameters document the API; the values are read from the raw query so
    # pages, API and CSV export share one parser and one set of error messages.
    return parse_search_params(request.query_params.multi_items())


Params = Annotated[SearchParams, Depends(search_params)]


class PriceModel(BaseModel):
    amount: float | None = Field(None, description="The amount; a range's upper bound")
    currency: str | None = Field(None, description="ISO 4217")
    text: str | None = Field(None, description="The price as written on the page")
    vnd: float | None = Field(
        None, description="`amount` in đồng (fixed rates); null when no rate is known"
    )
    per: str | None = Field(
        None, description='Unit of a unit price ("kg", "100g", "individual", ...); null: total'
    )
    min: float | None = Field(None, description="A range's lower bound (with `max`)")
    max: float | None = Field(None, description="A range's upper bound (= `amount`)")
    vnd_per_kg: float | None = Field(None, description="Đồng per kilogram of a unit price")
    vnd_per_individual: float | None = Field(
        None, description="Đồng per individual animal of a unit price"
    )
    vnd_per_piece: float | None = Field(None, description="Đồng per piece of a unit price")


class QuantityModel(BaseModel):
    value: float | None = None
    unit: str | None = Field(None, description="kg, t, g, pieces, individuals, m3")
    text: str | None = Field(None, description="The quantity as written on the page")

    @computed_field(description="The weight in kilograms (units kg, t, g); null otherwise")
    def kg(self) -> float | None:
        return quantity_kg({"value": self.value, "unit": self.unit})


class ContactModel(BaseModel):
    type: str | None = Field(None, description="phone, zalo, facebook, telegram, email")
    value: str | None = None


class HitModel(BaseModel):
    id: str
    url: str | None = None
    title: str | None = None
    source: str | None = None
    kind: str | None = None
    lang: str | None = None
    published_at: str | None = Field(None, description="ISO 8601; null when the page gave none")
    fetched_at: str | None = None
    wildlife_trade: bool | None = None
    relevance: float | None = None
    species: list[str] | None = None
    enforcement: list[str] | None = None
    prices: list[PriceModel] | None = None
    quantities: list[QuantityModel] | None = None
    locations: list[str] | None = None
    contacts: list[ContactModel] | None = None
    snippet: str | None = Field(None, description="HTML-escaped text with <mark> around matches")


class SearchResultModel(BaseModel):
    total: int = Field(description="Matching items (all pages)")
    hits: list[HitModel]
    facets: dict[str, dict[str, int]] = Field(
        description="Counts per value of species, kind, lang, source, enforcement, country, ..."
    )


class TableModel(BaseModel):
    dates: list[str] = Field(description="First day of each bucket, YYYY-MM-DD, ascending")
    series: dict[str, list[float | None]] = Field(description="One value per date per series")


class TrendsModel(BaseModel):
    interval: str
    species: TableModel = Field(description="Items per species (largest species)")
    enforcement: TableModel = Field(description="Items per enforcement action, per week")
    price_species: str | None = Field(description="Species whose prices are charted")
    prices: TableModel = Field(description="Median VND per unit (kg, individuals, ...)")


class CoverageMatrixModel(BaseModel):
    sources: list[str]
    actions: list[str]
    cells: dict[str, dict[str, int]] = Field(description="source → action → items")


class CoverageModel(BaseModel):
    interval: str
    matrix: CoverageMatrixModel
    actions: TableModel = Field(description="Items per enforcement action over time")
    outlets: TableModel = Field(description="Enforcement items per source over time")


class ItemModel(BaseModel):
    item: dict[str, Any] = Field(description="Every stored field of the item")
    duplicates: list[dict[str, Any]] = Field(description="Near-identical copies elsewhere")
    archive: dict[str, Any] | None = Field(description="The archived raw page, if any")


@router.get("/search", response_model=SearchResultModel, summary="Search items")
def api_search(request: Request, params: Params) -> dict[str, Any]:
    """Matching items, newest or most relevant first, with facet counts."""
    with request.app.state.services.backend() as backend:
        return design_json(backend.search(params.request))


@router.get("/items/{item_id}", response_model=ItemModel, summary="One item")
def api_item(request: Request, item_id: str) -> dict[str, Any]:
    """Every extracted field of one item, its near-duplicates and its archive record."""
    view = item_view(request.app.state.services, item_id)
    if view is None:
        raise HTTPException(status_code=404, detail=f"no item with id {item_id!r}")
    return item_json(view)


@router.get("/trends", response_model=TrendsModel, summary="Trends over time")
def api_trends(
    request: Request,
    params: Params,
    interval: Annotated[str, Query(description="day or week")] = "week",
    price_species: Annotated[
        str, Query(description="Species for the price chart (default: the most frequent)")
    ] = "",
) -> dict[str, Any]:
    """Items per species over time, enforcement actions per week, price per unit."""
    data = trends(
        request.app.state.services,
        params.request,
        parse_interval(interval),
        _species_param(price_species),
    )
    return {
        **data,
        "species": data["species"].as_json(),
        "enforcement": data["enforcement"].as_json(),
        "prices": data["prices"].as_json(),
    }


@router.get("/coverage", response_model=CoverageModel, summary="Enforcement coverage")
def api_coverage(
    request: Request,
    params: Params,
    interval: Annotated[str, Query(description="day or week")] = "week",
) -> dict[str, Any]:
    """Enforcement actions (seizure → sentence) by type and by outlet, over time."""
    data = coverage(request.app.state.services, params.request, parse_interval(interval))
    return {
        "interval": data["interval"],
        "matrix": data["matrix"].as_json(),
        "actions": data["actions"].as_json(),
        "outlets": data["outlets"].as_json(),
    }


def _species_param(raw: str) -> str | None:
    if not raw.strip():
        return None
    return parse_search_params([("species", raw)]).request.species[0]
