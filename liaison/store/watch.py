"""The store's side of the manifest: when it is made, what counts as a problem, and
how a station gets going again after one.

`verify` runs at every open, after the shards were read (each told its generation,
count and whether its bytes verified: store.integrity). A station that never had a
manifest gets one made from what is there (trust on first use, once: the meta file
then says a manifest exists, and a shard that carries its own check proves one did).
Any problem stops every write (Store._writable) until the files are restored or an
officer accepts the loss (`accept`, behind `liaison verify --accept-loss`), which is
written to the audit log by the caller. The change counter and the references of
each day never go backwards: they are the highest of the manifest and the records.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from .manifest import Found, Manifest, ManifestError, State, compare


def shard_name(n: int) -> str:
    return f"{n:06d}.json"


def _refs_of(refs: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for ref in refs:
        prefix, _, num = str(ref).rpartition("-")
        if num.isdigit():
            out[prefix + "-"] = max(out.get(prefix + "-", 0), int(num))
    return out


def _entry(f: Found) -> list[Any]:
    return [0, f.count, f.digest] if f.gen == 0 else [f.gen, f.count]


MISSING = ("记录清单 manifest.jsonl 不见了，无法确认数据文件是否齐全 "
           "(the manifest, manifest.jsonl, is missing: cannot tell whether any shard is missing)")


class Watch:
    def __init__(self, manifest: Manifest):
        self.manifest = manifest
        self.problems: list[str] = []

    @property
    def counter(self) -> int:
        return self.manifest.state.counter if self.manifest.loaded else 0

    @property
    def refs(self) -> dict[str, int]:
        return self.manifest.state.refs if self.manifest.loaded else {}

    def prepare(self) -> None:
        """Before every shard write (see Manifest.prepare)."""
        if self.manifest.exists:
            try:
                self.manifest.prepare()
            except ManifestError as e:
                self.problems = [str(e)]

    def written(self, shard: str, gen: int, count: int, docs: dict[str, Any]) -> None:
        """Every shard write lands here (under the write lock) and is appended to the
        manifest; a station from before manifests has none yet (`verify` makes it)."""
        if not self.manifest.exists:
            return
        try:
            self.manifest.record(shard, gen, count, docs)
        except ManifestError as e:  # the shard is written; the next open finds it ahead or names this
            self.problems = [str(e)]

    def refresh(self) -> None:
        if self.manifest.loaded and not self.problems:
            try:
                self.manifest.refresh()
            except ManifestError as e:
                self.problems = [str(e)]

    def verify(self, found: Mapping[int, Found], rows: Callable[[int], list[Mapping[str, Any]]],
               all_refs: Callable[[], Any], max_seq: Callable[[], int], station: str, facts: Mapping[str, Any],
               keyed: bool, mark_made: Callable[[], object], locked: bool) -> bool:
        """Compare the shards with the manifest; roll forward the one shard a crash left
        a write ahead; make the manifest if this station never had one. Without the
        lock (`locked` False) it only looks, and returns False if the answer needs the
        lock: a writer may have finished between reading the shards and the manifest,
        and making or rolling forward writes."""
        named = {shard_name(n): f for n, f in found.items()}
        m = self.manifest
        if not locked:
            try:
                m.load()
            except ManifestError:
                return False
            problems, ahead = compare(m.state, named)
            return not problems and not ahead and not self._foreign(m, station, facts, keyed)
        if not m.exists:
            if facts.get("manifest") or any(f.gen > 0 for f in named.values()):
                self.problems = [MISSING]
                return True
            counter = max_seq()
            m.snapshot(State(station, counter, _refs_of(all_refs()), {k: _entry(f) for k, f in named.items()}))
            mark_made()
            self.problems = []
            return True
        try:
            m.load()
        except ManifestError as e:
            self.problems = [str(e)]
            return True
        problems, ahead = compare(m.state, named)
        problems += self._foreign(m, station, facts, keyed)
        self.problems = problems
        if not problems:
            for name in ahead:  # a crash between the shard's write and its manifest line
                f = named[name]
                m.prepare()
                m.record(name, f.gen, f.count, {str(i): d for i, d in enumerate(rows(int(name[:6])))})
        return True

    @staticmethod
    def _foreign(m: Manifest, station: str, facts: Mapping[str, Any], keyed: bool) -> list[str]:
        out = []
        if keyed and facts.get("sealed") and not m.keyed:
            out.append("记录清单没有用本站密钥签名：被换过 (the manifest is not signed with this station's key: "
                       "it was replaced)")
        if m.state.station and m.state.station != station:
            out.append(f"记录清单属于另一个站点 {m.state.station} (the manifest belongs to station {m.state.station})")
        return out

    def accept(self, found: Mapping[int, Found], max_seq: int, all_refs: Callable[[], Any],
               station: str) -> list[str]:
        """Make the shards now on disk the manifest's truth, keeping the counter and the
        references at their highest; returns the problems that were accepted."""
        accepted = list(self.problems)
        old = State()
        try:
            self.manifest.load()
            old = self.manifest.state
        except ManifestError:
            pass
        counter = max(old.counter, max_seq)
        refs = dict(old.refs)
        for p, top in _refs_of(all_refs()).items():
            refs[p] = max(refs.get(p, 0), top)
        self.manifest.snapshot(State(station, counter, refs,
                                     {shard_name(n): _entry(f) for n, f in found.items()}))
        self.problems = []
        return accepted
