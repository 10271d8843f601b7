"""Clusters of similar complaints (类案) across stations, for the district office.

Pure: works on record dicts (as `OfficeDB.records()` yields them). Two consultations
are linked when their visits are at most `window_days` apart and they share
  - an employer (normalised: 某建筑劳务有限公司 = 某建筑劳务公司),
  - a platform + delivery site *and* the kind of problem (see cluster_keys.RIDER_THEMES),
  - a relocation project (normalised: 228街坊旧改地块 = 228街坊动迁基地),
  - or, within one category, a strongly similar summary: character-bigram Jaccard
    ≥ SIMILAR.
Whatever the dates, a record is linked to the visits of its station it names in
`related_to`: the officer said they are one matter, which no similarity can overrule.
A cluster is a connected component of these links (union-find) with two or more members.

SIMILAR = 0.40 was chosen on tests/reports/cluster_fixtures.py: pairs of the look-alike
group score 0.45–0.58, the closest pair of *different* matters (two wage-arrears stories
about different employers) 0.21. Anything in the gap separates them; 0.40 sits near the
top because a false cluster costs an officer's time, while a missed link often shows up
through a shared key anyway. (The same matter told tersely scores ≤ 0.14: bigrams
cannot see it, and the test reports that as lost recall.) SITE_SIMILAR = 0.25 applies
only inside one platform + site, to riders whose problem no theme word names.

Cost stays near-linear (600 000 records, issue 14): key links join each bucket's members
in date order to the previous one (consecutive gaps ≤ window give the same components as
all pairs), and summaries are compared only within category + window, and only for pairs
sharing one of their rarest bigrams (prefix filtering, exact for Jaccard). Records come
in as the few features clustering needs (cluster_features; the office keeps them sealed
per merge, hq/cluster_index.py), so 600 000 whole records are never held together; the
summaries' bigrams are then found for all of them at once as a CSR array of ids
(cluster_grams), and the similarity loop and union-find run compiled on those arrays
(cluster_kernel, numba): the same algorithm, a tenth of its time in Python. Links are still recorded in the
same phases (keys, site similarity, `related_to`, each category's summaries) because
which keys a cluster shows depends on which links joined it
(tests/reports/clusters_reference.py is the earlier whole-record version, which
test_clusters_same.py checks this one against).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import compress, repeat
from operator import itemgetter
from typing import Any, Callable, Iterable, Iterator, Sequence, overload

import numpy as np
from numpy.typing import NDArray

from ..domain.vocab import CATEGORIES, label
from ..store.gcpause import paused
from . import cluster_kernel as kernel
from .cluster_features import FIELDS, Features, of_record
from .cluster_grams import bigram_matrix
from .cluster_keys import normalise_employer, normalise_project, normalise_site, rider_theme_of

SIMILAR = 0.40
SITE_SIMILAR = 0.25
MIN_GRAMS = 8  # shorter summaries say too little to be compared
RECENT = 8  # per gram, only the latest visits holding it are compared (see _similar)
KIND_LABELS = {"platform_site": "平台+站点+问题", "project": "动迁项目", "employer": "用人单位", "summary": "相似事由",
               "related": "关联来访"}
ACTIONS = {  # code: (zh, en)
    "public_interest": ("公益诉讼线索：同一平台站点多名骑手反映同类问题，涉及不特定多数劳动者权益，建议公益诉讼部门评估立案",
                        "public-interest clue: riders of one platform site report the same problem; assess a case"),
    "procuratorial_suggestion": ("检察建议：同一动迁项目引发多起争议，建议向征收部门制发社会治理检察建议",
                                 "procuratorial suggestion to the expropriation authority about one relocation project"),
    "labour_inspection": ("移送劳动监察：同一用人单位多起欠薪/劳动争议，建议移送人社局劳动监察并支持起诉",
                          "refer the employer to labour inspection; consider supporting the workers' suit"),
    "fraud_alert": ("通报公安并开展针对性反诈宣传", "alert the police and target anti-fraud outreach"),
    "office_review": ("院本部研判：多起相似来访，建议汇总分析", "office review of similar visits"),
}


class Members(Sequence[dict[str, Any]]):
    """A cluster's members, oldest first, each read as a dict (id, ref, station, date,
    category, summary) made when it is read: a city's largest clusters hold tens of
    thousands of visits, a terminal shows the latest 20 of each, and --json writes them
    a chunk at a time. Held as the rows the clusters were found in (no copy of them)."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list[Row]):
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(i, slice):
            return _members(self._rows[i])
        return _members([self._rows[i]])[0]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(_members(self._rows))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # as a list's

    def field(self, i: int, field: int) -> Any:
        """One field (DAY, ID, …) of the i-th member, without its dict."""
        return self._rows[i][field]

    def column(self, field: int) -> list[Any]:
        """One field of every member (ID, STATION, DAY, CATEGORY, …), without the dicts."""
        return list(map(itemgetter(field), self._rows))


def _members(rows: list[Row]) -> list[dict[str, Any]]:
    return [{"id": m[ID], "ref": m[REF], "station": m[STATION], "date": m[DAY], "category": m[CATEGORY],
             "summary": m[SUMMARY]} for m in rows]


@dataclass(frozen=True)
class Cluster:
    id: str
    members: Members
    keys: list[dict[str, str]]  # the shared keys that link them: kind, label, value
    action: str

    @cached_property  # read for the heading, the station names and to_dict: one pass over the members
    def stations(self) -> list[str]:
        return sorted(set(self.members.column(STATION)))

    @property
    def first(self) -> str:
        return str(self.members.field(0, DAY))

    @property
    def last(self) -> str:
        return str(self.members.field(-1, DAY))

    def to_dict(self, members: bool = True) -> dict[str, Any]:
        """The cluster as JSON takes it; `members=False`: its two lists of members left
        empty, for a writer that streams them (`hq clusters --json`)."""
        zh, en = ACTIONS[self.action]
        return {"id": self.id, "size": len(self.members), "first": self.first, "last": self.last,
                "stations": self.stations, "keys": self.keys,
                "member_ids": self.members.column(ID) if members else [],
                "members": list(self.members) if members else [], "action": {"code": self.action, "zh": zh, "en": en}}


def _normalised(values: Sequence[Any], fn: Callable[[Any], str]) -> list[str]:
    """fn of each value, computed once per distinct value: officers type the same few
    employers, projects and sites thousands of times, and each normalisation is four
    regex passes; the look-ups then run in C, not one Python call per record."""
    try:
        table = {v: fn(v) for v in set(values)}
    except TypeError:  # an unhashable value (a list where text belongs): each on its own
        return list(map(fn, values))
    return list(map(table.__getitem__, values))


# One record's row, in this order (the visit's day, YYYY-MM-DD, one str per day; the rows
# are put in order of visit time and id, which the day alone cannot give).
Row = tuple[Any, ...]
DAY, ID, STATION, REF, CATEGORY, SUMMARY, RELATED, KEYS, WHERE, THEMED = range(10)
_F = {name: i for i, name in enumerate(FIELDS)}


def _rows(cols: list[list[Any]]) -> list[Row]:
    """The columns as rows with their normalised keys, built column by column: at
    600 000 records a Python function per record cost seconds."""
    employer = _normalised(cols[_F["employer"]], normalise_employer)
    project = _normalised(cols[_F["project"]], normalise_project)
    platform = _normalised(cols[_F["platform"]], normalise_site)
    site = _normalised(cols[_F["delivery_site"]], normalise_site)
    n = len(employer)
    # One tuple of keys per distinct (employer, project): most records repeat a few
    # hundred of them, or name neither.
    named = list(zip(employer, project, strict=True))
    of_pair = {ep: tuple((kind, v) for kind, v in zip(("employer", "project"), ep, strict=True) if v)
               for ep in set(named)}
    keys = list(map(of_pair.__getitem__, named))
    del named
    where: list[str] = [""] * n
    themed = [False] * n
    summary, issue = cols[_F["summary"]], cols[_F["issue"]]
    for i in [i for i, a, b in zip(range(n), platform, site, strict=True) if a and b]:  # riders at a named site
        where[i] = w = f"{platform[i]}·{site[i]}"
        theme = rider_theme_of(issue[i], summary[i])
        if theme:
            keys[i] += (("platform_site", f"{w}·{theme[1]}"),)
            themed[i] = True
    shared: dict[str, str] = {}  # one str object per station / category / day
    station, category = cols[_F["station"]], cols[_F["category"]]
    day = [v[:10] for v in cols[_F["visited_at"]]]
    return list(zip(map(shared.setdefault, day, day), cols[_F["id"]], map(shared.setdefault, station, station),
                    cols[_F["ref"]], map(shared.setdefault, category, category), summary, cols[_F["related_to"]],
                    keys, where, themed, strict=True))


def find_clusters(records: Iterable[dict[str, Any]], *, window_days: int = 90, since: str | None = None,
                  threshold: float = SIMILAR) -> list[Cluster]:
    """The clusters among whole records (deleted ones left out), in any order."""
    return find_clusters_columns(columns(of_record(r) for r in records if not r.get("deleted")),
                                 window_days=window_days, since=since, threshold=threshold)


def columns(features: Iterable[Features]) -> list[list[Any]]:
    """Features (cluster_features) as the columns find_clusters_columns takes."""
    got = list(features)
    return [list(c) for c in zip(*got, strict=True)] if got else [[] for _ in FIELDS]


def find_clusters_columns(cols: list[list[Any]], *, window_days: int = 90, since: str | None = None,
                          threshold: float = SIMILAR) -> list[Cluster]:
    """find_clusters on the current records' features as columns, one list per name in
    cluster_features.FIELDS, rows in any order: what the office's sealed per-merge index
    gives (hq/cluster_index.py). The lists are emptied once the rows are made."""
    # Hundreds of thousands of tuples and no cycle among them: the collector's full
    # passes over them took a third of building the rows.
    with paused():
        visited = cols[_F["visited_at"]]
        # By visit, then id (unique): the order links are made in. One str per row ("\0" sorts
        # below every character a visit time has, so it orders as the pair would), not a
        # tuple: comparing 600 000 tuples took a second, these strings a third of it.
        keyed = list(map("\0".join, zip(visited, cols[_F["id"]], strict=True)))
        kept: Iterable[int] = range(len(keyed)) if since is None else \
            [i for i, v in enumerate(visited) if v[:10] >= since]
        order = sorted(kept, key=keyed.__getitem__)
        del keyed, visited
        rows = _rows(cols)  # each row on its own: made in any order, then put in this one
        cols.clear()
        rows = list(map(rows.__getitem__, order))
        del order
        root, links = _link(rows, window_days, threshold)
        return _collect(rows, root, links)


def _link(rows: list[Row], window_days: int, threshold: float) -> tuple[NDArray[np.int64], list[tuple[int, str, str]]]:
    """Each row's root (its cluster), and the links that joined the rows. The bigram
    arrays live only in here: they are a fifth of the peak at 600 000 records, and are
    freed on return, before the clusters are collected."""
    # Every pass over the rows below runs in C (map, compress) where it can: at 600 000
    # rows, a Python loop or comprehension over them costs a tenth to a fifth of a second.
    indptr, indices = bigram_matrix(list(map(itemgetter(SUMMARY), rows)))
    vocab = int(indices.max()) + 1 if indices.size else 0
    day_of = {v: date.fromisoformat(v).toordinal() for v in set(map(itemgetter(DAY), rows))}  # a year: 365
    days = np.fromiter(map(day_of.__getitem__, map(itemgetter(DAY), rows)), dtype=np.int64, count=len(rows))
    parent = np.arange(len(rows), dtype=np.int64)
    links: list[tuple[int, str, str]] = []  # (a member, kind, value): which keys made each cluster

    def join(pairs: NDArray[np.int64]) -> None:
        """Union each pair, given as two rows (a, b) of one array."""
        if pairs.size:
            kernel.union(parent, np.ascontiguousarray(pairs[0]), np.ascontiguousarray(pairs[1]))

    def similar(members: list[int] | NDArray[np.int64], threshold: float, eligible: NDArray[np.bool_] | None,
                kind: str, value: str) -> None:
        got_j, _ = kernel.similar(np.asarray(members, dtype=np.int64), indptr, indices, vocab, days, window_days,
                                  threshold, parent, eligible if eligible is not None else no_one,
                                  eligible is not None, RECENT, MIN_GRAMS)
        links.extend(zip(got_j.tolist(), repeat(kind), repeat(value), strict=False))  # repeat() never ends

    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    sites: dict[str, list[int]] = defaultdict(list)
    unthemed = np.zeros(len(rows), dtype=np.bool_)  # riders whose problem no lexicon word names
    no_one = unthemed[:0]
    everyone = range(len(rows))
    for i in compress(everyone, map(itemgetter(KEYS), rows)):  # the rows naming a key
        for key in rows[i][KEYS]:
            buckets[key].append(i)
    for i in compress(everyone, map(itemgetter(WHERE), rows)):  # the riders at a named site
        sites[rows[i][WHERE]].append(i)
        if not rows[i][THEMED]:
            unthemed[i] = True
    pairs = []
    for (kind, value), members in buckets.items():  # each member to the one before, within the window
        at = np.array(members, dtype=np.int64)
        close = np.flatnonzero(np.diff(days[at]) <= window_days)
        if close.size:
            pairs.append(np.stack((at[close], at[close + 1])))
            links.extend(zip(at[close].tolist(), repeat(kind), repeat(value), strict=False))
    if pairs:
        join(np.concatenate(pairs, axis=1))
    for where, members in sites.items():
        if unthemed[members].any():  # fall back to looser text similarity at the same site
            similar(members, SITE_SIMILAR, unthemed, "platform_site", where)
    join(np.array(_related(rows, links), dtype=np.int64).reshape(-1, 2).T)
    cats = list(map(itemgetter(CATEGORY), rows))
    code = {c: k for k, c in enumerate(dict.fromkeys(cats))}  # in order of first appearance, as before
    of_cat = np.fromiter(map(code.__getitem__, cats), dtype=np.int64, count=len(cats))
    del cats
    for cat, k in code.items():
        similar(np.flatnonzero(of_cat == k), threshold, None, "summary", label(CATEGORIES, cat))
    return kernel.roots(parent), links


def _related(rows: list[Row], links: list[tuple[int, str, str]]) -> list[tuple[int, int]]:
    """The pairs linking each record to the records of its station it names in
    `related_to` (a reference is unique per station only, so the station is part of the key)."""
    everyone = range(len(rows))
    naming = list(compress(everyone, map(itemgetter(RELATED), rows)))  # a few in a thousand
    named = {ref for i in naming for ref in rows[i][RELATED] if isinstance(ref, str)}
    at = {(rows[i][STATION], rows[i][REF]): i for i in compress(everyone, map(named.__contains__,
                                                                                 map(itemgetter(REF), rows)))}
    pairs = []
    for i in naming:
        r = rows[i]
        for ref in r[RELATED]:
            j = at.get((r[STATION], ref))
            if j is not None and j != i:
                pairs.append((j, i))
                links.append((j, "related", ref))
    return pairs


def _action(keys: set[tuple[str, str]], categories: set[str]) -> str:
    kinds = {k for k, _ in keys}
    if "platform_site" in kinds or "rider" in categories:
        return "public_interest"
    if "project" in kinds or categories & {"relocation", "administrative"}:
        return "procuratorial_suggestion"
    if "employer" in kinds or "labour" in categories:
        return "labour_inspection"
    return "fraud_alert" if "fraud" in categories else "office_review"


def _collect(rows: list[Row], root: NDArray[np.int64], links: list[tuple[int, str, str]]) -> list[Cluster]:
    # Components grouped with one stable sort (members stay in visit order), in order of
    # their root, which is their first member: a dict of lists was a second per 600 000.
    if not root.size:
        return []
    order = np.argsort(root, kind="stable")
    ranked = root[order]
    starts = np.flatnonzero(np.concatenate(([True], ranked[1:] != ranked[:-1])))
    ends = np.append(starts[1:], root.size)
    shared = ends - starts >= 2
    keys: dict[int, set[tuple[str, str]]] = defaultdict(set)
    if links:
        firsts, kinds, values = zip(*links, strict=True)
        of_link = root[np.fromiter(firsts, dtype=np.int64, count=len(firsts))].tolist()
        for r, kind, value in set(zip(of_link, kinds, values, strict=True)):  # many links share a key
            keys[r].add((kind, value))
    kind_order = list(KIND_LABELS)
    out = []
    for a, b in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
        idx = order[a:b].tolist()
        r = idx[0]
        members = Members(list(map(rows.__getitem__, idx)))
        cid = "K" + hashlib.sha1("".join(sorted(members.column(ID))).encode()).hexdigest()[:8]
        ks = sorted(keys[r], key=lambda k: (kind_order.index(k[0]), k[1]))
        out.append(Cluster(cid, members, [{"kind": k, "label": KIND_LABELS[k], "value": v} for k, v in ks],
                           _action(keys[r], set(members.column(CATEGORY)))))
    out.sort(key=lambda c: (-len(c.members), c.first, c.id))
    return out
