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
sharing one of their rarest bigrams (prefix filtering, exact for Jaccard). Records stream
in and each is reduced at once to the few features clustering needs (`_Features.row`):
bigrams become interned ints, so 600 000 whole records and their string sets are never
held together (tests/reports/clusters_reference.py is the earlier whole-record version,
which test_clusters_same.py checks this one against).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, Callable, Iterable

from ..domain.vocab import CATEGORIES, label
from .cluster_keys import (bigram_ids, normalise_employer, normalise_project, normalise_site, prefix_length,
                           rider_theme)

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


@dataclass(frozen=True)
class Cluster:
    id: str
    members: list[dict[str, Any]]  # id, ref, station, date, category, summary — oldest first
    keys: list[dict[str, str]]  # the shared keys that link them: kind, label, value
    action: str

    @property
    def stations(self) -> list[str]:
        return sorted({m["station"] for m in self.members})

    @property
    def first(self) -> str:
        return self.members[0]["date"]

    @property
    def last(self) -> str:
        return self.members[-1]["date"]

    def to_dict(self) -> dict[str, Any]:
        zh, en = ACTIONS[self.action]
        return {"id": self.id, "size": len(self.members), "first": self.first, "last": self.last,
                "stations": self.stations, "keys": self.keys, "member_ids": [m["id"] for m in self.members],
                "members": self.members, "action": {"code": self.action, "zh": zh, "en": en}}


class _Ids(dict):
    """Interned bigrams: str → a new int on first sight (ints take a tenth of the memory
    of strings in 600 000 tuples, and intersect as fast)."""

    def __missing__(self, gram: str) -> int:
        if "\0" in gram:  # across noise (cluster_keys.bigram_ids): no gram
            self[gram] = -1
            return -1
        self[gram] = n = self.next
        self.next += 1
        return n

    next = 0


def _memo(fn: Callable[[Any], str]) -> Callable[[Any], str]:
    """fn cached per string: officers type the same few employers, projects and sites
    thousands of times, and each normalisation is four regex passes."""
    cache: dict[str, str] = {}
    absent = fn(None)

    def get(text: Any) -> str:
        if text is None:  # most records name no employer, project or site
            return absent
        if type(text) is not str:
            return fn(text)
        try:
            return cache[text]
        except KeyError:
            key = cache[text] = fn(text)
            return key
    return get


# One record's features, in this order (visit time and id first: rows are sorted on them).
VISITED, ID, STATION, REF, CATEGORY, SUMMARY, RELATED, KEYS, WHERE, THEMED, GRAMS = range(11)


class _Features:
    """Reduces each record, as it streams by, to what clustering needs."""

    def __init__(self) -> None:
        self.ids = _Ids()
        self.shared: dict[str, str] = {}  # one str object per station / category
        self.employer, self.project = _memo(normalise_employer), _memo(normalise_project)
        self.site = _memo(normalise_site)

    def row(self, clear: dict[str, Any], personal: dict[str, Any]) -> tuple:
        d = personal.get("details") or {}
        keys = []
        if emp := self.employer(d.get("employer")):
            keys.append(("employer", emp))
        if proj := self.project(d.get("project")):
            keys.append(("project", proj))
        platform, site = self.site(d.get("platform")), self.site(d.get("delivery_site"))
        where = f"{platform}·{site}" if platform and site else ""
        theme = rider_theme(personal) if where else None
        if theme:
            keys.append(("platform_site", f"{where}·{theme[1]}"))
        summary = personal.get("summary")
        share = self.shared.setdefault
        return (clear["visited_at"], clear["id"], share(clear["station"], clear["station"]), clear["ref"],
                share(clear["category"], clear["category"]), summary, clear.get("related_to") or None,
                tuple(keys), where, theme is not None, bigram_ids(summary, self.ids))


def find_clusters(records: Iterable[dict[str, Any]], *, window_days: int = 90, since: str | None = None,
                  threshold: float = SIMILAR) -> list[Cluster]:
    return find_clusters_parts(((r, r) for r in records), window_days=window_days, since=since,
                               threshold=threshold)


def find_clusters_parts(parts: Iterable[tuple[dict[str, Any], dict[str, Any]]], *, window_days: int = 90,
                        since: str | None = None, threshold: float = SIMILAR) -> list[Cluster]:
    """find_clusters on (clear, personal) parts of each record (hq.db `personal_parts`),
    unjoined and in any order: only a few features of each are kept."""
    feats = _Features()
    rows = [feats.row(c, p) for c, p in parts
            if not c.get("deleted") and (since is None or c["visited_at"][:10] >= since)]
    rows.sort(key=itemgetter(VISITED, ID))
    names = [g for g, n in feats.ids.items() if n >= 0]  # id → bigram, for the rarest-first order's tie-break
    del feats
    day_of: dict[str, int] = {}
    days = [day_of.get(v) or day_of.setdefault(v, date.fromisoformat(v).toordinal())
            for v in map(lambda r: r[VISITED][:10], rows)]
    grams = [r[GRAMS] for r in rows]
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving keeps trees flat
            i = parent[i]
        return i

    links: list[tuple[int, str, str]] = []  # (a member, kind, value): which keys made each cluster

    # root → members, for components of two or more: the similarity loop drops a record's
    # own cluster from its candidates in one C-level set difference (most of them, on
    # templated text) instead of a root lookup per candidate.
    groups: dict[int, set[int]] = {}

    def link(a: int, b: int, kind: str, value: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            ra, rb = min(ra, rb), max(ra, rb)
            parent[rb] = ra  # the root is always a component's oldest
            big, small = groups.pop(ra, None) or {ra}, groups.pop(rb, None) or {rb}
            if len(big) < len(small):
                big, small = small, big
            big |= small
            groups[ra] = big
        links.append((a, kind, value))

    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    sites: dict[str, list[int]] = defaultdict(list)
    unthemed: set[int] = set()  # riders whose problem no lexicon word names
    for i, r in enumerate(rows):
        for key in r[KEYS]:
            buckets[key].append(i)
        if where := r[WHERE]:
            sites[where].append(i)
            if not r[THEMED]:
                unthemed.add(i)
    for (kind, value), members in buckets.items():
        for a, b in zip(members, members[1:]):
            if days[b] - days[a] <= window_days:
                link(a, b, kind, value)
    similar = partial(_similar, grams=grams, names=names, days=days, window=window_days, parent=parent, root=find,
                      cluster_of=groups.get)
    for where, members in sites.items():
        if unthemed.intersection(members):  # fall back to looser text similarity at the same site
            similar(members, threshold=SITE_SIMILAR, on_pair=lambda a, b, s, where=where:
                    (a in unthemed or b in unthemed) and link(a, b, "platform_site", where))
    _related(rows, link)
    by_cat: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_cat[r[CATEGORY]].append(i)
    for cat, members in by_cat.items():
        similar(members, threshold=threshold, on_pair=lambda a, b, s, cat=cat: link(a, b, "summary", label(CATEGORIES, cat)))
    return _collect(rows, find, links)


def _related(rows: list[tuple], link) -> None:
    """Link each record to the records of its station it names in `related_to` (a
    reference is unique per station only, so the station is part of the key)."""
    at = {(r[STATION], r[REF]): i for i, r in enumerate(rows)}
    for i, r in enumerate(rows):
        for ref in r[RELATED] or ():
            j = at.get((r[STATION], ref))
            if j is not None and j != i:
                link(j, i, "related", ref)


_PREFIX: dict[tuple[int, float], int] = {}


def _similar(members: list[int], *, grams: list[tuple[int, ...]], names: list[str], days: list[int], window: int,
             threshold: float, on_pair, parent: list[int], root, cluster_of) -> None:
    """Call on_pair(a, b, score) for pairs within `window` days whose summaries' bigram
    Jaccard is ≥ threshold. Grams are ranked rarest first; each summary indexes only its
    prefix, so only pairs sharing a rare gram are ever scored. Pairs with the same
    `root` (already one cluster) are not scored: they cannot change the clusters. A gram held by more
    than RECENT visits in the window is hardly rare; only its RECENT latest holders are
    compared, which bounds the work on templated text and, as those holders usually sit
    in one cluster already, rarely loses a link.

    The hot loop of `hq clusters`: ranks are ints sorted without a key function, postings
    are fetched and appended through C-level map, the record's own cluster is taken off
    its candidates as a set (`cluster_of`: root → members), and `parent` is read before
    `root` is called for the few that joined it during the loop."""
    df = Counter(chain.from_iterable(map(grams.__getitem__, members)))
    rank = {t: n for n, t in enumerate(sorted(df, key=lambda t: (df[t], names[t])))}  # one order per call
    rank_of = rank.__getitem__
    postings: defaultdict[int, deque[int]] = defaultdict(partial(deque, maxlen=RECENT))
    posting = postings.__getitem__
    append = deque.append
    for i in members:  # in date order
        g = grams[i]
        n = len(g)
        if n < MIN_GRAMS:
            continue
        k = _PREFIX.get((n, threshold)) or _PREFIX.setdefault((n, threshold), prefix_length(n, threshold))
        heads = list(map(posting, sorted(map(rank_of, g))[:k]))
        lo, hi, oldest = threshold * n, n / threshold, days[i] - window
        mine, mine_set = root(i), None
        todo = set().union(*heads)  # one C-level union instead of a Python loop per posting
        if (own := cluster_of(mine)) is not None:
            todo = todo.difference(own)  # iterates the candidates, not the cluster
        while todo:
            j = todo.pop()
            if days[j] < oldest:
                continue
            gj = grams[j]
            if not lo <= len(gj) <= hi or parent[j] == mine or root(j) == mine:
                continue
            if mine_set is None:
                mine_set = frozenset(g)
            inter = len(mine_set.intersection(gj))
            if (s := inter / (n + len(gj) - inter)) >= threshold:  # Jaccard, as cluster_keys.jaccard
                on_pair(j, i, s)
                if (joined := root(i)) != mine:  # i joined a cluster: none of it is worth scoring now
                    mine = joined
                    if (own := cluster_of(mine)) is not None:
                        todo = todo.difference(own)
        list(map(append, heads, repeat(i, len(heads))))


def _action(keys: set[tuple[str, str]], categories: set[str]) -> str:
    kinds = {k for k, _ in keys}
    if "platform_site" in kinds or "rider" in categories:
        return "public_interest"
    if "project" in kinds or categories & {"relocation", "administrative"}:
        return "procuratorial_suggestion"
    if "employer" in kinds or "labour" in categories:
        return "labour_inspection"
    return "fraud_alert" if "fraud" in categories else "office_review"


def _collect(rows: list[tuple], find, links: list[tuple[int, str, str]]) -> list[Cluster]:
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        groups[find(i)].append(i)
    keys: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for a, kind, value in links:
        keys[find(a)].add((kind, value))
    order = list(KIND_LABELS)
    out = []
    for root, idx in groups.items():
        if len(idx) < 2:
            continue
        members = [{"id": r[ID], "ref": r[REF], "station": r[STATION], "date": r[VISITED][:10],
                    "category": r[CATEGORY], "summary": r[SUMMARY]} for r in map(rows.__getitem__, idx)]
        cid = "K" + hashlib.sha1("".join(sorted(m["id"] for m in members)).encode()).hexdigest()[:8]
        ks = sorted(keys[root], key=lambda k: (order.index(k[0]), k[1]))
        out.append(Cluster(cid, members, [{"kind": k, "label": KIND_LABELS[k], "value": v} for k, v in ks],
                           _action(keys[root], {m["category"] for m in members})))
    out.sort(key=lambda c: (-len(c.members), c.first, c.id))
    return out
