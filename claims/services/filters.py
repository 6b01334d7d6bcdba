"""The claims-list filters, read from query parameters (web list, API, CSV export)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from claims.errors import FieldError
from claims.services.inputs import Inputs


@dataclass
class ClaimFilters:
    """The claims-list filters, as read from query parameters."""

    q: str = ""
    status: str | None = None
    entity: int | None = None
    speaker: int | None = None
    source: int | None = None
    tag: str | None = None
    unit: str | None = None
    demonyms: bool = True
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1
    # A cursor: only claims older than this id (the last one a client saw), so claims added
    # meanwhile do not shift the next page as page numbers do.
    before: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any], status_ids: set[str]) -> ClaimFilters:
        """Read filters leniently: a malformed parameter is ignored rather than an error."""
        form = Inputs(args)
        filters = cls(
            q=(form.text("q", max_len=200) or ""),
            status=form.choice("status", status_ids),
            entity=form.integer("entity"),
            speaker=form.integer("speaker"),
            source=form.integer("source"),
            tag=form.text("tag", max_len=64),
            unit=form.text("unit", max_len=32),
            demonyms=args.get("demonyms", "1") not in ("0", "false", "off"),
            date_from=form.date("from"),
            date_to=form.date("to"),
            page=max(1, form.integer("page") or 1),
            before=form.integer("before"),
        )
        if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
            # Nothing could match: the user is told (the end ignored), not shown an empty list.
            form.error("to", "date_before_start", value=filters.date_to.isoformat(),
                       start=filters.date_from.isoformat())
            filters.date_to = None
        filters.problems = list(form.errors)
        return filters

    problems: list[FieldError] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """The names of the malformed parameters, in the order they were read."""
        return [p.field for p in self.problems]

    def as_args(self, **changes: Any) -> dict[str, Any]:
        """Query parameters reproducing these filters (for links and pagination)."""
        args = {"q": self.q, "status": self.status, "entity": self.entity,
                "speaker": self.speaker, "source": self.source, "tag": self.tag,
                "unit": self.unit, "demonyms": None if self.demonyms else "0",
                "from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None, "page": self.page,
                "before": self.before}
        args.update(changes)
        return {k: v for k, v in args.items()
                if v not in (None, "") and not (k == "page" and v == 1)}
