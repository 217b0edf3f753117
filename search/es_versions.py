"""Versioned Elasticsearch indexes behind one alias: ``<alias>-v1``, ``<alias>-v2``...

Reads and writes index and alias metadata of a cluster. The backend searches and writes the
alias only; a mapping change is rolled out by ``reindex``: create ``<alias>-v<N+1>`` with the
current search/mapping.json, copy every item into it (re-deriving the searched fields with the
current code, so a tokenizer change is applied too), then move the alias in one atomic
``_aliases`` call. The old version is kept until ``--delete-old`` (or a later cleanup) removes
it by its exact name.
"""

from __future__ import annotations

import re
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError


class IndexLayoutError(RuntimeError):
    """The cluster's indexes are not laid out as wildwatch expects; the message says how to
    fix it."""


def version_name(alias: str, version: int) -> str:
    return f"{alias}-v{version}"


def indexes_behind(client: Elasticsearch, alias: str) -> list[str]:
    """Names of the indexes the alias points at (empty when the alias does not exist)."""
    try:
        found = client.indices.get_alias(name=alias)
    except NotFoundError:
        return []
    return sorted(found.body)


def version_of(alias: str, index: str) -> int | None:
    match = re.fullmatch(re.escape(alias) + r"-v(\d+)", index)
    return int(match.group(1)) if match else None


def current_index(client: Elasticsearch, alias: str) -> str | None:
    """The index the alias writes to, or None when there is no alias yet. Raises
    ``IndexLayoutError`` when ``alias`` is a plain index (created by an older wildwatch or by
    a write that auto-created it)."""
    behind = indexes_behind(client, alias)
    if not behind:
        if client.indices.exists(index=alias):
            raise IndexLayoutError(
                f"Elasticsearch index {alias!r} is a plain index, not an alias: run "
                "`wildwatch index reindex` to copy it into a versioned index behind the alias"
            )
        return None
    if len(behind) > 1:
        raise IndexLayoutError(
            f"alias {alias!r} points at several indexes ({', '.join(behind)}); point it at one"
        )
    return behind[0]


def create_version(client: Elasticsearch, alias: str, version: int, mapping: dict[str, Any]) -> str:
    name = version_name(alias, version)
    client.indices.create(index=name, settings=mapping["settings"], mappings=mapping["mappings"])
    return name


def ensure_alias(client: Elasticsearch, alias: str, mapping: dict[str, Any]) -> str:
    """The index behind the alias, creating ``<alias>-v1`` and the alias when neither
    exists (safe when several processes start at once)."""
    found = current_index(client, alias)
    if found is not None:
        return found
    name = version_name(alias, 1)
    try:
        client.indices.create(
            index=name,
            settings=mapping["settings"],
            mappings=mapping["mappings"],
            aliases={alias: {"is_write_index": True}},
        )
    except ApiError as error:
        # Another process created it between the check and the create.
        if error.error != "resource_already_exists_exception":
            raise
    return name


def swap_alias(client: Elasticsearch, alias: str, old: str | None, new: str) -> None:
    """Point the alias at ``new`` instead of ``old`` in one atomic change. When ``old`` is a
    plain index named like the alias, it is removed in the same change (an alias cannot
    share a name with an index)."""
    actions: list[dict[str, Any]] = []
    if old is not None and old == alias:
        actions.append({"remove_index": {"index": old}})
    elif old is not None:
        actions.append({"remove": {"index": old, "alias": alias}})
    actions.append({"add": {"index": new, "alias": alias, "is_write_index": True}})
    client.indices.update_aliases(actions=actions)


def next_version(client: Elasticsearch, alias: str) -> int:
    """One above the highest ``<alias>-v<N>`` that exists."""
    try:
        names = client.indices.get(index=f"{alias}-v*", expand_wildcards="all").body
    except NotFoundError:
        names = {}
    versions = [v for name in names if (v := version_of(alias, name)) is not None]
    return max(versions, default=0) + 1


def source_index(client: Elasticsearch, alias: str) -> str | None:
    """What a reindex copies from: the index behind the alias, or a plain index named like
    the alias."""
    try:
        return current_index(client, alias)
    except IndexLayoutError:
        return alias
