"""Every summary's character bigrams at once, as a CSR matrix of bigram ids (numba).

The same grams as `cluster_keys.bigrams` — pairs of adjacent characters that are both
CJK / alphanumeric (cluster_keys._NOISE) — found in compiled passes over the summaries'
UTF-32 code points: each pair's code (two 21-bit code points in one int) gets an id from
a hash table kept across blocks, and a text's repeats are dropped by remembering the
last text that held each id. A bigram's final id is its rank among all bigrams seen, in
code-point order, which is the order of the bigram strings themselves (the rarest-first
order's tie-break relies on it). A row's ids are in no particular order: the
similarity kernel looks them up in marks rather than merging sorted rows, and sorting
24 million of them, in numpy or per row, took one to two seconds at 600 000 summaries.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numba import njit
from numpy.typing import NDArray

BLOCK = 50_000  # summaries per pass: bounds the temporary arrays (~25 MB at 60 chars each)
_EMPTY = -1
TABLE, CODES = 1 << 16, 1 << 12  # first sizes of the hash table and the codes; both grow


@njit(cache=True, nogil=True)
def _kept(c: int) -> bool:
    """Not noise: [0-9A-Za-z\\u3400-\\u9fff] (cluster_keys._NOISE removes the rest)."""
    return (0x30 <= c <= 0x39) or (0x41 <= c <= 0x5A) or (0x61 <= c <= 0x7A) or (0x3400 <= c <= 0x9FFF)


@njit(cache=True, nogil=True)
def _slot(slots, code):
    mask = slots.size - 1
    h = (code * 0x9E3779B97F4A7C15) >> 40 & mask
    while slots[h] != _EMPTY and slots[h] != code:
        h = (h + 1) & mask
    return h


@njit(cache=True, nogil=True)
def _rehash(slots, ids, size):
    bigger, bigger_ids = np.full(size, _EMPTY, np.int64), np.empty(size, np.int32)
    for s in range(slots.size):
        if slots[s] != _EMPTY:
            g = _slot(bigger, slots[s])
            bigger[g], bigger_ids[g] = slots[s], ids[s]
    return bigger, bigger_ids


@njit(cache=True, nogil=True)
def _block(cp, lengths, t, start, base, slots, ids, codes, n_codes, last, counts, out, made):
    """Texts t, t+1, … of the block (text t's code points start at cp[start]): each one's
    ids, first seen first, appended to out[made:] and counted in counts. Returns (the
    text reached, where it starts, n_codes, made): it stops at a text that needs a new
    id when a table is full, for the caller to grow it and call again from that text
    (its ids already written are marked in `last`, so none is written twice). The
    tables are never replaced in here: reassigning them in the loop made it 6x slower."""
    while t < lengths.size:
        mark, end = base + t, start + lengths[t]
        for p in range(start, end - 1):
            a, b = np.int64(cp[p]), np.int64(cp[p + 1])
            if not (_kept(a) and _kept(b)):
                continue
            code = (a << 21) | b
            h = _slot(slots, code)
            if slots[h] == _EMPTY:
                if 2 * (n_codes + 1) > slots.size or n_codes == codes.size:
                    return t, start, n_codes, made
                slots[h], ids[h] = code, n_codes
                codes[n_codes] = code
                n_codes += 1
            g = ids[h]
            if last[g] != mark:  # not yet in this text
                last[g] = mark
                out[made] = g
                made += 1
                counts[t] += 1
        t, start = t + 1, end
    return t, start, n_codes, made


def bigram_matrix(texts: Sequence[str | None]) -> tuple[NDArray[np.int64], NDArray[np.integer[Any]]]:
    """(indptr, indices) of the texts' bigram sets: row i's ids are
    indices[indptr[i]:indptr[i + 1]], each once, in no particular order."""
    slots, ids = np.full(TABLE, _EMPTY, np.int64), np.empty(TABLE, np.int32)
    codes, last = np.empty(CODES, np.int64), np.full(CODES, -1, np.int64)  # by id: its code, its latest text
    n_codes = 0
    counts, firsts = [], []
    for base in range(0, len(texts), BLOCK):
        part = [t or "" for t in texts[base:base + BLOCK]]
        cp = np.frombuffer("".join(part).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lengths = np.fromiter(map(len, part), dtype=np.int64, count=len(part))
        got, out = np.zeros(len(part), np.int64), np.empty(max(cp.size, 1), np.int32)
        t = start = made = 0
        while True:
            t, start, n_codes, made = _block(cp, lengths, t, start, base, slots, ids, codes, n_codes, last, got, out,
                                             made)
            if t == len(part):
                break
            if 2 * (n_codes + 1) > slots.size:  # kept at most half full
                slots, ids = _rehash(slots, ids, slots.size * 2)
            if n_codes == codes.size:
                codes = np.concatenate((codes, np.empty(codes.size, np.int64)))
                last = np.concatenate((last, np.full(last.size, -1, np.int64)))
        counts.append(got)
        firsts.append(out[:made].astype(np.uint16 if n_codes <= 1 << 16 else np.int32))  # half the bytes, mostly
        del out
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    if counts:
        np.cumsum(np.concatenate(counts), out=indptr[1:])
    # Two bytes an id while they fit (the synthetic city has ~3 400 bigrams, real text tens of thousands)
    width = np.uint16 if n_codes <= 1 << 16 else np.int32
    rank = np.empty(n_codes, dtype=width)
    rank[np.argsort(codes[:n_codes], kind="stable")] = np.arange(n_codes, dtype=width)
    indices: NDArray[np.integer[Any]] = np.empty(int(indptr[-1]), dtype=width)
    at = 0
    while firsts:  # each block's ids freed once ranked
        first = firsts.pop(0)
        indices[at:at + first.size] = rank[first]
        at += first.size
    return indptr, indices
