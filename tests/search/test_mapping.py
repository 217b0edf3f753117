"""search/mapping.json must index every field of search.document.Document."""

from __future__ import annotations

from typing import get_type_hints

from search.document import Document
from search.elasticsearch_backend import load_mapping


def test_mapping_covers_every_document_field() -> None:
    properties = load_mapping()["mappings"]["properties"]
    missing = set(get_type_hints(Document)) - set(properties)
    assert not missing, f"search/mapping.json lacks {sorted(missing)}"


def test_text_fields_fold_vietnamese() -> None:
    mapping = load_mapping()
    properties = mapping["mappings"]["properties"]
    assert properties["title"]["analyzer"] == properties["text"]["analyzer"] == "folded"
    assert properties["tokens"]["analyzer"] == "segmented"
    folded = mapping["settings"]["analysis"]["analyzer"]["folded"]
    assert "vietnamese_d" in folded["char_filter"]
    assert {"lowercase", "asciifolding"} <= set(folded["filter"])
    assert properties["published_at"]["type"] == properties["fetched_at"]["type"] == "date"
    for nested in ("prices", "quantities", "contacts"):
        assert properties[nested]["type"] == "nested"
