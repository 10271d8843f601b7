"""The compiled loops of `hq clusters` (numba): union-find and the summary similarity.

`similar` is clusters._similar's algorithm unchanged — records in date order, bigrams
ranked rarest first (ties by the bigram), each record's prefix (cluster_keys.
prefix_length) looked up in postings that keep a gram's RECENT latest holders,
candidates filtered by window and size, skipped when already in the record's
cluster, Jaccard ≥ threshold links — on arrays: at 600 000 records the same loop in
Python took about 30 s, most of it interpreter overhead per candidate. The links it
makes are returned, in order, so the caller records which keys made each cluster.
Compiled once and cached beside this module (numba `cache=True`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray


@njit(cache=True, nogil=True)
def find(parent: NDArray[np.int64], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]  # path halving keeps trees flat
        i = parent[i]
    return i


@njit(cache=True, nogil=True)
def union(parent: NDArray[np.int64], a: NDArray[np.int64], b: NDArray[np.int64]) -> None:
    """Join a[k] and b[k] for every k; a component's root is its smallest index."""
    for k in range(a.size):
        ra, rb = find(parent, a[k]), find(parent, b[k])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)


@njit(cache=True, nogil=True)
def roots(parent: NDArray[np.int64]) -> NDArray[np.int64]:
    out = np.empty(parent.size, np.int64)
    for i in range(parent.size):
        out[i] = find(parent, i)
    return out


@njit(cache=True, nogil=True)
def similar(members, indptr, indices, vocab, days, window, threshold, parent, eligible, need_eligible,
            recent, min_grams):
    """(j, i) of each link made, for pairs of `members` (date order) within `window`
    days whose bigram Jaccard is ≥ threshold; with `need_eligible`, only pairs where
    one side is eligible link."""
    df = np.zeros(vocab, np.int64)
    for i in members:
        for p in range(indptr[i], indptr[i + 1]):
            df[indices[p]] += 1
    order = np.argsort(df, kind="mergesort")  # stable: equal counts keep the bigram's order
    rank = np.empty(vocab, np.int64)
    for r in range(vocab):
        rank[order[r]] = r
    post = np.empty((vocab, recent), np.int64)
    held = np.zeros(vocab, np.int64)
    out_j = np.empty(members.size, np.int64)
    out_i = np.empty(members.size, np.int64)
    made = 0
    # By position in members: day, first gram, grams, last record that met it. A candidate's
    # four facts in one cache line: at 600 000 records the kernel waited on memory, not on work.
    meta = np.empty((members.size, 4), np.int64)
    for m in range(members.size):
        i = members[m]
        meta[m, 0], meta[m, 1], meta[m, 2], meta[m, 3] = days[i], indptr[i], indptr[i + 1] - indptr[i], -1
    longest = 1
    for m in range(members.size):
        longest = max(longest, meta[m, 2])
    mine_ranks = np.empty(longest, np.int64)
    mark = np.full(vocab, -1, np.int64)  # mark[g] == m: record m holds gram g (a few KB: in cache)
    for m in range(members.size):
        i = members[m]
        a0, n = meta[m, 1], meta[m, 2]
        a1 = a0 + n
        if n < min_grams:
            continue
        k = n - math.ceil(threshold * n) + 1
        for p in range(a0, a1):
            mark[indices[p]] = m
        for p in range(n):  # the record's ranks, sorted by insertion: a few dozen, no array made
            x = rank[indices[a0 + p]]
            q = p
            while q > 0 and mine_ranks[q - 1] > x:
                mine_ranks[q] = mine_ranks[q - 1]
                q -= 1
            mine_ranks[q] = x
        lo, hi, oldest = threshold * n, n / threshold, meta[m, 0] - window
        mine = find(parent, i)
        for r in range(k):
            g = order[mine_ranks[r]]
            for s in range(min(held[g], recent)):
                mj = post[g, s]
                if meta[mj, 3] == m:
                    continue
                meta[mj, 3] = m
                if meta[mj, 0] < oldest:
                    continue
                nj = meta[mj, 2]
                if not (lo <= nj <= hi):
                    continue
                j = members[mj]
                if parent[j] == mine or find(parent, j) == mine:
                    continue
                b0 = meta[mj, 1]
                b1 = b0 + nj
                total = n + nj
                need = max(1, math.ceil(threshold * total / (1 + threshold)) - 1)
                while need / (total - need) < threshold:  # the fewest shared grams that pass the test below
                    need += 1
                inter = 0  # j's grams looked up in i's marks: rows need no order
                for q in range(b0, b1):
                    if mark[indices[q]] == m:
                        inter += 1
                    elif inter + b1 - q - 1 < need:  # cannot pass any more: most candidates end here
                        break
                if inter / (n + nj - inter) >= threshold:
                    if need_eligible and not (eligible[i] or eligible[j]):
                        continue
                    rj = find(parent, j)
                    parent[max(rj, mine)] = min(rj, mine)
                    if made == out_j.size:
                        out_j = np.concatenate((out_j, np.empty(out_j.size, np.int64)))
                        out_i = np.concatenate((out_i, np.empty(out_i.size, np.int64)))
                    out_j[made], out_i[made] = j, i
                    made += 1
                    mine = find(parent, i)
        for r in range(k):
            g = order[mine_ranks[r]]
            post[g, held[g] % recent] = m
            held[g] += 1
    return out_j[:made], out_i[:made]
