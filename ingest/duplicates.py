"""The one duplicate linker of crawl, import and recovery (no Scrapy).

Reads a ``search.document.Document``; writes its ``content_hash`` and ``simhash`` when missing
and its ``duplicate_of``: the earliest-dated copy of the same story among the stored items
(``backend.near_duplicates``) and the items of this run not yet committed (upserts are
batched). When the new item is older than a stored original, that group is re-pointed at it:
stored members through the index, members still waiting for their batch in place. Copies are
linked, never dropped (``pipelines.dedup.link_copies`` is the rule).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pipelines.dedup import MAX_DISTANCE, Copy, content_hash, is_near_duplicate, link_copies
from pipelines.dedup import simhash as simhash_of
from search.backend import SearchBackend
from search.document import Document

_BAND_COUNT = MAX_DISTANCE + 1


def as_copy(doc: Document) -> Copy:
    return Copy(
        doc["id"], doc.get("duplicate_of"), doc.get("published_at") or doc.get("fetched_at")
    )


def bands(simhash: str) -> list[tuple[int, int]]:
    """The ``_BAND_COUNT`` bit bands of a 64-bit simhash, as (band number, bits). Simhashes
    within MAX_DISTANCE bits agree exactly on at least one band (pigeonhole), so only items
    sharing a band are compared, not the whole run."""
    value = int(simhash, 16)
    found = []
    start = 0
    for number in range(_BAND_COUNT):
        width = (64 - start) // (_BAND_COUNT - number)
        found.append((number, (value >> start) & ((1 << width) - 1)))
        start += width
    return found


@dataclass
class _RunEntry:
    """What the linker remembers of an item of this run: enough to link, little memory."""

    simhash: str
    copy: Copy
    doc: Document | None  # until the index has stored it: a demotion edits it in place


class RunCopies:
    """Items of this run, so that copies not yet visible in the index are linked too. Shared by
    every crawler of a process: a story syndicated by two sources crawled together is one
    group. Documents are released once indexed, so a long run keeps only ids, dates and
    fingerprints."""

    def __init__(self) -> None:
        self.items: dict[str, _RunEntry] = {}
        self.bands: dict[tuple[int, int], set[str]] = {}

    def add(self, doc: Document) -> None:
        previous = self.items.get(doc["id"])
        if previous is not None:
            for band in bands(previous.simhash):
                self.bands.get(band, set()).discard(doc["id"])
        self.items[doc["id"]] = _RunEntry(doc["simhash"], as_copy(doc), doc)
        for band in bands(doc["simhash"]):
            self.bands.setdefault(band, set()).add(doc["id"])

    def near(self, simhash: str) -> list[Copy]:
        candidates: set[str] = set()
        for band in bands(simhash):
            candidates |= self.bands.get(band, set())
        entries = [self.items.get(doc_id) for doc_id in sorted(candidates)]
        return [e.copy for e in entries if e is not None and is_near_duplicate(simhash, e.simhash)]

    def pending(self, doc_id: str) -> bool:
        """Whether ``doc_id`` is of this run and still waiting for its batch."""
        entry = self.items.get(doc_id)
        return entry is not None and entry.doc is not None

    def demote(self, roots: tuple[str, ...], new_root: str) -> None:
        for entry in self.items.values():
            if entry.copy.id in roots or entry.copy.duplicate_of in roots:
                entry.copy = replace(entry.copy, duplicate_of=new_root)
                if entry.doc is not None:
                    entry.doc["duplicate_of"] = new_root

    def release(self, docs: list[Document]) -> None:
        """The index stored ``docs``: later changes go through the index."""
        for doc in docs:
            entry = self.items.get(doc["id"])
            if entry is not None:
                entry.doc = None


class DuplicateLinker:
    """Links each new document to its copies; ``relinked`` counts stored items re-pointed."""

    def __init__(self, backend: SearchBackend, run: RunCopies | None = None) -> None:
        self.backend = backend
        self.run = run if run is not None else RunCopies()
        self.relinked = 0

    def link(self, doc: Document) -> Document:
        if not doc.get("content_hash"):
            doc["content_hash"] = content_hash(doc.get("title"), doc["text"])
        fingerprint = doc.get("simhash") or simhash_of(doc["text"])
        doc["simhash"] = fingerprint
        candidates: dict[str, Copy] = {}
        for other_id in self.backend.near_duplicates(fingerprint, MAX_DISTANCE):
            other = self.backend.get(other_id)
            if other is not None:
                candidates[other_id] = as_copy(other)
        for copy in self.run.near(fingerprint):
            candidates[copy.id] = copy  # fresher than the stored version
        doc["duplicate_of"] = None
        linking = link_copies(as_copy(doc), candidates.values())
        doc["duplicate_of"] = linking.duplicate_of
        if linking.demoted:
            self._demote(linking.demoted, doc["id"])
        self.run.add(doc)
        return doc

    def committed(self, docs: list[Document]) -> None:
        """The index stored ``docs``."""
        self.run.release(docs)

    def _demote(self, roots: tuple[str, ...], new_root: str) -> None:
        """Point the groups of ``roots`` at ``new_root``: this run's documents still waiting
        for their batch are edited in place (stored with the new link), stored ones upserted."""
        self.run.demote(roots, new_root)
        changed: dict[str, Document] = {}
        for root in roots:
            stored = self.backend.get(root)
            members = ([stored] if stored is not None else []) + self.backend.duplicates_of(root)
            for member in members:
                if member["id"] != new_root and not self.run.pending(member["id"]):
                    member["duplicate_of"] = new_root
                    changed[member["id"]] = member
        if changed:
            self.backend.upsert(list(changed.values()))
        self.relinked += len(changed) or len(roots)
