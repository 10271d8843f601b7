"""The few fields of a consultation that `hq clusters` reads, as one flat tuple.

Pure and light (no numpy): the office's merge imports it to seal each merge's features
once (hq/cluster_index.py), and clusters.py reads the same tuples back, so the two
agree on the fields by construction. `FIELDS` is stored with each sealed index: an
index written with other fields is not used (its rows are opened instead).
"""

from __future__ import annotations

from typing import Any

FIELDS = ("visited_at", "id", "station", "ref", "category", "related_to", "summary", "employer", "project",
          "platform", "delivery_site", "issue")
Features = tuple[Any, ...]  # in FIELDS' order
_NO_DETAILS: dict[str, Any] = {}


def of_parts(clear: dict[str, Any], personal: dict[str, Any]) -> Features:
    """A record's features from its clear and personal parts (domain/personal.split).
    Called once per record a merge writes: the look-ups are bound once, not per field."""
    d = personal.get("details")
    if type(d) is not dict:  # what find_clusters always tolerated: no details to read
        d = _NO_DETAILS
    c, p, e = clear.get, personal.get, d.get
    return (c("visited_at"), c("id"), c("station"), c("ref"), c("category"), c("related_to") or None, p("summary"),
            e("employer"), e("project"), e("platform"), e("delivery_site"), e("issue"))


def of_record(record: dict[str, Any]) -> Features:
    return of_parts(record, record)
