"""Every summary's character bigrams at once, as a CSR matrix of bigram ids (numpy).

The same grams as `cluster_keys.bigrams` — pairs of adjacent characters that are both
CJK / alphanumeric (cluster_keys._NOISE) — found for a block of summaries in a few
array passes over their UTF-32 code points instead of a str and a dict look-up per
pair: at 600 000 summaries the per-pair Python work was a third of `hq clusters`.
A bigram's id is its rank among all bigrams seen, in code-point order, which is the
order of the bigram strings themselves (the rarest-first order's tie-break relies on it).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

BLOCK = 20_000  # summaries per pass: bounds the temporary arrays (~40 MB at 60 chars each)
_SEP = "\0"  # noise: no bigram spans two summaries


def _noise(cp: np.ndarray) -> np.ndarray:
    """Mask of the code points cluster_keys._NOISE removes ([^0-9A-Za-z\\u3400-\\u9fff])."""
    keep = ((cp >= 0x30) & (cp <= 0x39)) | ((cp >= 0x41) & (cp <= 0x5A)) | ((cp >= 0x61) & (cp <= 0x7A)) \
        | ((cp >= 0x3400) & (cp <= 0x9FFF))
    return ~keep


def _block(texts: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """(row of each distinct (row, code) pair, its code), sorted by row then code."""
    joined = _SEP + _SEP.join(t or "" for t in texts) + _SEP
    cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    noise = _noise(cp)
    row = np.cumsum(cp == 0) - 1  # separators count the rows (a NUL inside a text is noise too)
    starts = np.flatnonzero(cp == 0)
    # A NUL typed inside a summary would shift the count: rows come from the separators we put.
    if starts.size != len(texts) + 1:
        lengths = np.fromiter((len(t or "") + 1 for t in texts), dtype=np.int64, count=len(texts))
        row = np.repeat(np.arange(len(texts) + 1), np.concatenate(([1], lengths)))[:cp.size]
        row = np.maximum(row - 1, 0)
    ok = ~(noise[:-1] | noise[1:])
    code = (cp[:-1].astype(np.uint64) << np.uint64(21)) | cp[1:].astype(np.uint64)
    key = (row[:-1][ok].astype(np.uint64) << np.uint64(42)) | code[ok]
    key.sort()  # sort + mask: np.unique hashes first, 80x slower on a million distinct keys
    key = key[np.concatenate(([True], key[1:] != key[:-1]))] if key.size else key
    return (key >> np.uint64(42)).astype(np.int64), key & np.uint64((1 << 42) - 1)


def bigram_matrix(texts: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, indices) of the texts' bigram sets: row i's ids are
    indices[indptr[i]:indptr[i + 1]], ascending."""
    rows, codes = [], []
    for start in range(0, len(texts), BLOCK):
        r, c = _block(texts[start:start + BLOCK])
        rows.append(r + start)
        codes.append(c)
    row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    code = np.concatenate(codes) if codes else np.zeros(0, np.uint64)
    del rows, codes
    vocab = np.sort(code)
    vocab = vocab[np.concatenate(([True], vocab[1:] != vocab[:-1]))] if vocab.size else vocab
    ids = np.searchsorted(vocab, code)  # id order = code order = the bigram strings' order
    del vocab, code
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=len(texts)), out=indptr[1:])
    return indptr, ids.astype(np.int32)
