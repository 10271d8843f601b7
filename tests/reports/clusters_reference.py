"""The clusters code as it was before issue 14 (whole records, str bigram sets): kept
unchanged as the reference test_clusters_same.py compares the streaming version with.

Original docstring: Clusters of similar complaints (类案) across stations, for the district office.

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

Cost stays near-linear at 50 000 records: key links join each bucket's members in date
order to the previous one (consecutive gaps ≤ window give the same components as all
pairs), and summaries are compared only within category + window, and only for pairs
sharing one of their rarest bigrams (prefix filtering, exact for Jaccard).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from datetime import date
from itertools import chain, pairwise
from typing import Any, Iterable

from liaison.domain.vocab import CATEGORIES, label
from liaison.reports.cluster_keys import (
    bigrams,
    jaccard,
    normalise_employer,
    normalise_project,
    normalise_site,
    prefix_length,
    rider_theme,
)

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


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]  # path halving keeps trees flat
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _keys(r: dict[str, Any]) -> tuple[list[tuple[str, str]], str, bool]:
    """(exact keys, "platform·site" or "", whether the rider's problem has a known theme)."""
    d = r.get("details") or {}
    out = []
    if emp := normalise_employer(d.get("employer")):
        out.append(("employer", emp))
    if proj := normalise_project(d.get("project")):
        out.append(("project", proj))
    platform, site = normalise_site(d.get("platform")), normalise_site(d.get("delivery_site"))
    where = f"{platform}·{site}" if platform and site else ""
    theme = rider_theme(r) if where else None
    if theme:
        out.append(("platform_site", f"{where}·{theme[1]}"))
    return out, where, theme is not None


def find_clusters(records: Iterable[dict[str, Any]], *, window_days: int = 90, since: str | None = None,
                  threshold: float = SIMILAR) -> list[Cluster]:
    recs = sorted((r for r in records if not r.get("deleted") and (since is None or r["visited_at"][:10] >= since)),
                  key=lambda r: (r["visited_at"], r["id"]))
    days = [date.fromisoformat(r["visited_at"][:10]).toordinal() for r in recs]
    uf = _UnionFind(len(recs))
    links: list[tuple[int, str, str]] = []  # (a member, kind, value): which keys made each cluster


    def link(a: int, b: int, kind: str, value: str) -> None:
        uf.union(a, b)
        links.append((a, kind, value))

    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    sites: dict[str, list[int]] = defaultdict(list)
    unthemed: set[int] = set()  # riders whose problem no lexicon word names
    for i, r in enumerate(recs):
        keys, where, themed = _keys(r)
        for key in keys:
            buckets[key].append(i)
        if where:
            sites[where].append(i)
            if not themed:
                unthemed.add(i)
    for (kind, value), members in buckets.items():
        for a, b in pairwise(members):
            if days[b] - days[a] <= window_days:
                link(a, b, kind, value)
    for where, members in sites.items():
        if unthemed.intersection(members):  # fall back to looser text similarity at the same site
            _similar(members, recs, days, window_days, SITE_SIMILAR,
                     lambda a, b, s, where=where: (a in unthemed or b in unthemed) and link(a, b, "platform_site", where),
                     uf.find)
    _related(recs, link)
    by_cat: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(recs):
        by_cat[r["category"]].append(i)
    for cat, members in by_cat.items():
        _similar(members, recs, days, window_days, threshold,
                 lambda a, b, v, cat=cat: link(a, b, "summary", label(CATEGORIES, cat)), uf.find)
    return _collect(recs, uf, links)


def _related(recs: list[dict[str, Any]], link) -> None:
    """Link each record to the records of its station it names in `related_to` (a
    reference is unique per station only, so the station is part of the key)."""
    at = {(r["station"], r["ref"]): i for i, r in enumerate(recs)}
    for i, r in enumerate(recs):
        for ref in r.get("related_to") or ():
            j = at.get((r["station"], ref))
            if j is not None and j != i:
                link(j, i, "related", ref)


def _similar(members: list[int], recs: list[dict[str, Any]], days: list[int], window: int, threshold: float,
             on_pair, root) -> None:
    """Call on_pair(a, b, score) for pairs within `window` days whose summaries' bigram
    Jaccard is ≥ threshold. Grams are ranked rarest first; each summary indexes only its
    prefix, so only pairs sharing a rare gram are ever scored. Pairs with the same
    `root` (already one cluster) are not scored: they cannot change the clusters. A gram held by more
    than RECENT visits in the window is hardly rare; only its RECENT latest holders are
    compared, which bounds the work on templated text and, as those holders usually sit
    in one cluster already, rarely loses a link."""
    grams = {i: bigrams(recs[i]["summary"]) for i in members}
    df = Counter(chain.from_iterable(grams.values()))
    rank = {t: n for n, t in enumerate(sorted(df, key=lambda t: (df[t], t)))}  # one global order
    postings: dict[str, deque[int]] = defaultdict(lambda: deque(maxlen=RECENT))
    for i in members:  # in date order
        g = grams[i]
        if len(g) < MIN_GRAMS:
            continue
        heads = [postings[t] for t in sorted(g, key=rank.__getitem__)[:prefix_length(len(g), threshold)]]
        lo, hi, oldest = threshold * len(g), len(g) / threshold, days[i] - window
        mine = root(i)
        for j in set().union(*heads):  # one C-level union instead of a Python loop per posting
            if days[j] >= oldest and lo <= len(grams[j]) <= hi and root(j) != mine \
                    and (s := jaccard(g, grams[j])) >= threshold:
                on_pair(j, i, s)
                mine = root(i)
        for post in heads:
            post.append(i)


def _action(keys: set[tuple[str, str]], categories: set[str]) -> str:
    kinds = {k for k, _ in keys}
    if "platform_site" in kinds or "rider" in categories:
        return "public_interest"
    if "project" in kinds or categories & {"relocation", "administrative"}:
        return "procuratorial_suggestion"
    if "employer" in kinds or "labour" in categories:
        return "labour_inspection"
    return "fraud_alert" if "fraud" in categories else "office_review"


def _collect(recs: list[dict[str, Any]], uf: _UnionFind, links: list[tuple[int, str, str]]) -> list[Cluster]:
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(recs)):
        groups[uf.find(i)].append(i)
    keys: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for a, kind, value in links:
        keys[uf.find(a)].add((kind, value))
    out = []
    for root, idx in groups.items():
        if len(idx) < 2:
            continue
        members = [{"id": recs[i]["id"], "ref": recs[i]["ref"], "station": recs[i]["station"],
                    "date": recs[i]["visited_at"][:10], "category": recs[i]["category"],
                    "summary": recs[i]["summary"]} for i in idx]
        cid = "K" + hashlib.sha1("".join(sorted(m["id"] for m in members)).encode()).hexdigest()[:8]
        order = list(KIND_LABELS)
        ks = sorted(keys[root], key=lambda k: (order.index(k[0]), k[1]))
        out.append(Cluster(cid, members, [{"kind": k, "label": KIND_LABELS[k], "value": v} for k, v in ks],
                           _action(keys[root], {m["category"] for m in members})))
    out.sort(key=lambda c: (-len(c.members), c.first, c.id))
    return out
