"""search/mapping.json must index every field of search.document.Document."""

from __future__ import annotations

from typing import get_type_hints

from search.document import Document
from search.elasticsearch_backend import load_mapping


def test_mapping_covers_every_document_field() -> None:
    properties = load_mapping()["mappings"]["properties"]
    missing = set(get_type_hints(Document)) - set(properties)
    assert not missing, f"search/mapping.json lacks {sorted(missing)}"


def test_searched_fields_need_no_analysis_plugin() -> None:
    # The terms are SQLite's (search/index_tokens.py), split on spaces by a built-in analyzer:
    # the same answers on every distribution, with or without the analysis-common module.
    mapping = load_mapping()
    properties = mapping["mappings"]["properties"]
    assert "analysis" not in mapping["settings"]
    assert properties["title_terms"]["analyzer"] == properties["text_terms"]["analyzer"]
    assert properties["title_terms"]["analyzer"] == "whitespace"
    assert properties["item_date"]["format"] == properties["fetched_date"]["format"]
    for nested in ("prices", "quantities", "contacts"):
        assert properties[nested]["type"] == "nested"


def test_derived_fields_are_mapped() -> None:
    from search.elasticsearch_backend import DERIVED_FIELDS

    properties = load_mapping()["mappings"]["properties"]
    assert set(DERIVED_FIELDS) <= set(properties)
