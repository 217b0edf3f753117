"""A case as users see it, built from its articles (pure).

Reads the stored articles of one group (``ArticleRecord``); writes a ``Case``: id, title,
species, places, provinces, countries, the timeline (step, first and last date, articles,
outlets), the status (the latest step reported), the last activity (newest article date) and
the coverage per outlet (which steps each outlet reported, and which it never did).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cases.features import STEPS


@dataclass(frozen=True)
class ArticleRecord:
    doc_id: str
    url: str
    title: str
    source: str
    day: date | None
    steps: tuple[str, ...]
    species: tuple[str, ...]
    places: tuple[str, ...]  # every place named (canonical names), in order of first mention
    provinces: tuple[str, ...]
    countries: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.doc_id,
            "url": self.url,
            "title": self.title,
            "source": self.source,
            "date": self.day.isoformat() if self.day else None,
            "steps": list(self.steps),
        }


@dataclass(frozen=True)
class TimelineStep:
    step: str
    first_day: date | None
    last_day: date | None
    articles: tuple[str, ...]  # doc ids, oldest first
    outlets: tuple[str, ...]  # sources, in order of first report

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "first_date": self.first_day.isoformat() if self.first_day else None,
            "last_date": self.last_day.isoformat() if self.last_day else None,
            "articles": list(self.articles),
            "outlets": list(self.outlets),
        }


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    species: tuple[str, ...]
    places: tuple[str, ...]
    provinces: tuple[str, ...]
    countries: tuple[str, ...]
    timeline: tuple[TimelineStep, ...]
    status: str | None  # the latest step any article reported
    first_day: date | None
    last_activity: date | None
    articles: tuple[ArticleRecord, ...] = field(default=())

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(article.source for article in self.articles))

    def coverage(self) -> dict[str, tuple[str, ...]]:
        """Outlet → the steps it reported, in lifecycle order."""
        reported: dict[str, set[str]] = {}
        for article in self.articles:
            reported.setdefault(article.source, set()).update(article.steps)
        return {
            outlet: tuple(step for step in STEPS if step in steps)
            for outlet, steps in reported.items()
        }

    def missing_steps(self) -> dict[str, tuple[str, ...]]:
        """Outlet → the steps of this case it never reported (that other outlets did), e.g.
        an outlet that reported the seizure but never the sentence."""
        reached = {step.step for step in self.timeline}
        return {
            outlet: tuple(step for step in STEPS if step in reached and step not in steps)
            for outlet, steps in self.coverage().items()
        }

    def days_without_follow_up(self, today: date) -> int | None:
        return (today - self.last_activity).days if self.last_activity else None

    def to_json(self, *, with_articles: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "species": list(self.species),
            "places": list(self.places),
            "provinces": list(self.provinces),
            "countries": list(self.countries),
            "status": self.status,
            "first_date": self.first_day.isoformat() if self.first_day else None,
            "last_activity": self.last_activity.isoformat() if self.last_activity else None,
            "article_count": len(self.articles),
            "outlets": list(self.outlets),
            "timeline": [step.to_json() for step in self.timeline],
        }
        if with_articles:
            data["articles"] = [article.to_json() for article in self.articles]
            data["coverage"] = {
                outlet: {"reported": list(steps), "missing": list(self.missing_steps()[outlet])}
                for outlet, steps in self.coverage().items()
            }
        return data


def _ranked(values: list[str]) -> tuple[str, ...]:
    """Most often named first, ties in order of first mention."""
    counts = Counter(values)
    first = {value: n for n, value in reversed(list(enumerate(values)))}
    return tuple(sorted(counts, key=lambda value: (-counts[value], first[value])))


def build_case(case_id: str, articles: list[ArticleRecord]) -> Case:
    """The case of ``articles`` (any order): timeline, status, places and coverage."""
    ordered = sorted(articles, key=lambda a: (a.day or date.max, a.doc_id))
    timeline = []
    for step in STEPS:
        reporting = [a for a in ordered if step in a.steps]
        if not reporting:
            continue
        days = [a.day for a in reporting if a.day]
        timeline.append(
            TimelineStep(
                step,
                min(days) if days else None,
                max(days) if days else None,
                tuple(a.doc_id for a in reporting),
                tuple(dict.fromkeys(a.source for a in reporting)),
            )
        )
    days = [a.day for a in ordered if a.day]
    # The title of the earliest report of the earliest step: usually the seizure headline.
    title_source = next((a for a in ordered if a.title), None)
    return Case(
        id=case_id,
        title=title_source.title if title_source else case_id,
        species=_ranked([s for a in ordered for s in a.species]),
        places=_ranked([p for a in ordered for p in a.places]),
        provinces=_ranked([p for a in ordered for p in a.provinces]),
        countries=_ranked([c for a in ordered for c in a.countries]),
        timeline=tuple(timeline),
        status=timeline[-1].step if timeline else None,
        first_day=min(days) if days else None,
        last_activity=max(days) if days else None,
        articles=tuple(ordered),
    )
