"""``wildwatch index``: look after the Elasticsearch index (wildwatch/cli.py registers it).

``wildwatch index status`` prints the alias and the versioned index behind it;
``wildwatch index reindex [--delete-old]`` copies every item into ``<alias>-v<N+1>`` with the
current search/mapping.json and swaps the alias atomically (search/es_versions.py). Both need
``WILDWATCH_ELASTICSEARCH_URL``; the embedded SQLite index has nothing to reindex.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from search.elasticsearch_backend import ElasticsearchBackend


def _backend() -> ElasticsearchBackend | None:
    from search.elasticsearch_backend import ElasticsearchBackend
    from search.settings import elasticsearch_url

    if not elasticsearch_url():
        print(
            "wildwatch index: WILDWATCH_ELASTICSEARCH_URL is not set; the embedded SQLite "
            "index needs no reindexing",
            file=sys.stderr,
        )
        return None
    return ElasticsearchBackend.from_settings()


def _status(args: argparse.Namespace) -> int:
    from search.es_versions import IndexLayoutError, current_index

    backend = _backend()
    if backend is None:
        return 2
    try:
        index = current_index(backend.client, backend.alias)
    except IndexLayoutError as error:
        print(f"wildwatch index: {error}", file=sys.stderr)
        return 1
    finally:
        backend.close()
    print(f"{backend.alias} -> {index or '(no index yet)'}")
    return 0


def _reindex(args: argparse.Namespace) -> int:
    backend = _backend()
    if backend is None:
        return 2
    try:
        old, new, copied = backend.reindex(delete_old=args.delete_old)
    finally:
        backend.close()
    print(f"copied {copied} item(s) from {old or '(nothing)'} into {new}; {backend.alias} -> {new}")
    if old is not None and not args.delete_old and old != backend.alias:
        print(f"the previous version {old} is kept; delete it when satisfied")
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("index", help="look after the Elasticsearch index")
    commands = parser.add_subparsers(dest="index_command", metavar="ACTION", required=True)
    status = commands.add_parser("status", help="the alias and the index version behind it")
    status.set_defaults(handler=_status)
    reindex = commands.add_parser(
        "reindex",
        help="copy every item into a new index version and swap the alias atomically "
        "(after a mapping change; pause crawls and imports while it runs)",
    )
    reindex.add_argument(
        "--delete-old", action="store_true", help="delete the previous version afterwards"
    )
    reindex.set_defaults(handler=_reindex)
