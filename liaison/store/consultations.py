"""The consultation store: the one object the CLI, the TUI and the nightly job save through.

Every create, edit and delete takes the write lock, gets the next change sequence
number, and is on disk (fsynced) when the call returns. Reads come from the in-memory
index (lists, search) or from the record's shard (one record, exports).
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from contextlib import nullcontext
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Mapping

import orjson

from ..domain.consultation import Consultation, Note
from ..domain.intake import apply_edits, new_consultation
from ..domain.refs import day_prefix, format_ref
from ..domain.search import name_keys
from ..domain.timeutil import now
from ..domain.validation import FieldError, ValidationError, validate
from .atomic import atomic_write, fsync_dir, remove_stale_temps
from .errors import NotFound, StoreIntegrityError, StoreLocked, VersionConflict
from .gcpause import paused
from .heads import Heads
from .index import Index, Row
from .lock import DEFAULT_TIMEOUT, WriteLock
from .manifest import Manifest
from .meta import SCHEMA_VERSION, Meta, migrate
from .ondisk import PINYIN
from .sealed import Cipher, OfficeCipher, integrity_keys
from .shards import SHARD_CAPACITY, Shards
from .watch import Watch

PENDING = "import.pending"
_OPEN: "weakref.WeakSet[Store]" = weakref.WeakSet()  # stores of this process not yet closed  # ids of a batch being written; rolled back if found at open


def _py(doc: Mapping[str, Any]) -> str:
    name = (doc.get("visitor") or {}).get("name")
    return name_keys(name) if name else ""


def _doc(c: Consultation) -> dict[str, Any]:
    d = c.to_dict()
    d[PINYIN] = _py(d)  # pinyin is slow to compute; stored so opening stays fast
    return d


def _record(doc: dict[str, Any]) -> Consultation:
    return Consultation.from_dict(doc)


def _pending_ids(home: Path) -> set[str]:
    try:
        return set(orjson.loads((home / PENDING).read_bytes() or b"[]"))
    except FileNotFoundError:
        return set()


class Store:
    def __init__(self, home: Path, *, lock_timeout: float = DEFAULT_TIMEOUT,
                 cipher: Cipher | None = None, office: OfficeCipher | None = None, officer: str = ""):
        self.home = Path(home)
        self.acting_officer = officer  # who unlocked: notes and records carry this name
        self.cipher = cipher
        self.office = office
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)  # personal data: owner only
        self.meta = Meta(self.home)
        self.lock = WriteLock(self.home, lock_timeout)
        remove_stale_temps(self.home)  # e.g. of import.pending, meta.json
        self.watch = Watch(Manifest(self.home, integrity_keys(cipher)))
        self.shards = Shards(self.home / "consultations", cipher, office, on_write=self.watch)
        self.index = Index()
        self._stamps: dict[int, Any] = {}
        self._counts: dict[int, int] = defaultdict(int)
        self._office_todo: set[int] = set()  # shards whose key the office cannot unwrap yet
        self._heads: Heads | None = None  # shards read before the key was known (store.heads)
        _OPEN.add(self)

    # -- opening -------------------------------------------------------------------
    @classmethod
    def init(cls, home: Path, *, station: str, code: str, officer: str = "",
             cipher: Cipher | None = None, office: OfficeCipher | None = None) -> "Store":
        store = cls(home, cipher=cipher, office=office)
        with store.lock.hold():
            if not store.meta.exists:
                store.meta.put(schema=SCHEMA_VERSION, created_at=now().isoformat())
            store.meta.put(station=station, code=code, officer=officer)
        store._load()
        store._verify()
        if cipher is not None:
            store._seal_at_rest()
        return store

    @property
    def problems(self) -> list[str]:
        """What the data folder lacks or has that it should not (store.watch); writes are
        refused while there are any."""
        return self.watch.problems

    def _rows_of(self, n: int) -> list[Mapping[str, Any]]:
        """(seq, ref) of shard n's records, from the index: only for a roll forward."""
        return [{"seq": r.seq, "ref": r.ref} for r in list(self.index.by_id.values()) if r.shard == n]

    def _verify(self) -> None:
        """Opening does not wait for writers: the lock is taken only when the first look
        is not conclusive (see Watch.verify)."""
        for locked in (False, True):
            with (self.lock.hold() if locked else nullcontext(False)) as stale:
                if stale:
                    self._load()
                if self.watch.verify(self.shards.found, self._rows_of, lambda: self.index.by_ref,
                                     lambda: self.index.max_seq, self.station, self.facts,
                                     self.cipher is not None, lambda: self.meta.put(manifest=True), locked):
                    return

    def accept_loss(self) -> list[str]:
        """After a problem: re-sign the shards as they are now (an altered one included)
        and make them the manifest's truth; the counter and references keep their
        highest values. Needs the key. Returns what was accepted (for the audit log)."""
        if self.cipher is None and self.sealed:
            raise StoreLocked()
        with self.lock.hold():
            for n, f in sorted(self.shards.found.items()):
                if f.ok is False:
                    self.shards.rewrite(n, lambda doc: doc, strict=False)
            self._load()
            return self.watch.accept(self.shards.found, self.index.max_seq, lambda: self.index.by_ref,
                                     self.station)

    @property
    def sealed(self) -> bool:
        return bool(self.facts.get("sealed"))

    @staticmethod
    def read_changes(home: Path, after: int, attempts: int = 5) -> tuple[str, list[dict[str, Any]]]:
        """(station id, every record changed after `after`) for the nightly export, read
        without any key (see store.changes)."""
        from .changes import read_changes

        return read_changes(home, after, attempts)

    @staticmethod
    def check_folder(home: Path) -> list[str]:
        """Without any key: shards missing, rolled back or cut short against the manifest
        (see store.changes.folder_problems). Edited bytes are found by an unlocked open."""
        from .changes import check_folder

        return check_folder(home)

    @staticmethod
    def check_ready(home: Path) -> None:
        """Raise NotInitialised (cheaply, without loading records) if `home` is not set up."""
        meta = Meta(Path(home))
        try:
            meta.get()
        finally:
            meta.close()

    @staticmethod
    def open_here(home: Path) -> bool:
        """Is a store of `home` open in this process (not yet closed)?"""
        home = Path(home)
        return any(s.home == home for s in list(_OPEN))

    @classmethod
    def open(cls, home: Path, *, lock_timeout: float = DEFAULT_TIMEOUT, cipher: Cipher | None = None,
             office: OfficeCipher | None = None, officer: str = "",
             heads: Heads | None = None) -> "Store":
        """Open the records. A sealed store needs `cipher` (StoreLocked otherwise); a
        plain one opened with a cipher is sealed now (the first unlock migrates it).
        `heads`: shards read while the PIN was checked (store.heads.PreRead), used
        where the files are still the ones read."""
        store = cls(home, lock_timeout=lock_timeout, cipher=cipher, office=office, officer=officer)
        store._heads = heads
        facts = store.meta.get()  # raises NotInitialised
        if facts.get("sealed") and cipher is None:
            store.close()
            raise StoreLocked()
        if int(facts.get("schema", 0)) < 1 or (store.home / PENDING).exists():
            with store.lock.hold():
                migrate(store.home, store.meta, _py)
                store._roll_back_pending()
        store._load()
        store._verify()
        if cipher is not None and not store.problems:
            store._seal_at_rest()
        return store

    def reseal_all(self) -> int:
        """Write every shard again under the current key (after an officer's removal
        replaced the data key); returns how many. The manifest is signed anew too."""
        with self.lock.hold() as stale:
            if stale:
                self._reload_changed()
            self._writable()
            ns = self.shards.numbers()
            for n in ns:
                self.shards.rewrite(n, lambda doc: doc)
                self._stamps[n] = self.shards.stamp(n)
            return len(ns)

    def _seal_at_rest(self) -> None:
        """Seal shards still plain on disk, wrap for the office the keys of shards that
        were sealed before its key was installed (or under an old one), then mark the
        folder sealed. Safe to interrupt: each shard is rewritten atomically, and the
        mark is set only when all are done. The documents do not change, so the index
        rows stay as they are."""
        todo = set(self.shards.plain) | self._office_todo
        if not todo and self.facts.get("sealed"):
            return
        with self.lock.hold() as stale:
            if stale:
                self._reload_changed()
            for n in sorted(todo):
                self.shards.rewrite(n, lambda doc: doc)
                self._office_todo.discard(n)
                self._stamps[n] = self.shards.stamp(n)
            legacy = self.home / "consultations.json.v0-migrated"
            if legacy.exists():  # the prototype's plain copy, now in sealed shards
                legacy.unlink()
            self.watch.prepare()  # the manifest too is signed with the key from now on
            if not self.facts.get("sealed"):
                self.meta.put(sealed=True)
                self.__dict__.pop("facts", None)

    @cached_property
    def facts(self) -> dict[str, Any]:
        """Station, code, officer (set by `liaison init`; read once per open)."""
        return self.meta.get()

    @property
    def station(self) -> str:
        return str(self.facts["station"])

    @property
    def code(self) -> str:
        return str(self.facts["code"])

    @property
    def officer(self) -> str:
        """The officer who unlocked, else the one named at `liaison init`."""
        return self.acting_officer or self.facts.get("officer", "")

    def _load(self) -> None:
        # Building 50 000 rows would trigger many full garbage collections, each walking
        # everything built so far (quadratic); nothing here makes cycles (see gcpause).
        with paused():
            self._load_rows()

    def _load_rows(self) -> None:
        gen = self.lock.read_gen()
        self.index = Index()
        self._counts.clear()
        rows = []
        current = self.office.current if self.office is not None and self.cipher is not None else None
        from_doc = Row.from_doc
        heads, self._heads = self._heads, None
        pre = heads.by_shard if heads is not None else {}
        # The pre-read's index stands only if it holds exactly what is listed now.
        pre_index = heads.index if heads is not None else None
        whole = pre_index is not None
        stamps = self.shards.stamps()
        for n, stamp in stamps.items():
            self._stamps[n] = stamp
            head = pre.get(n)
            listed = self.shards.listed(n, stamp, head)
            if listed is not None:
                rows += listed
                count = len(listed)
            else:
                count = 0
                for doc_id, doc in self.shards.rows(n):
                    rows.append(from_doc(doc, n, doc_id, False))
                    count += 1
            whole = whole and head is not None and listed is head.rows
            self._counts[n] += count
            if current is not None and count and self.shards.office_env.get(n) != current:
                self._office_todo.add(n)
        if pre_index is not None and whole and len(stamps) == len(pre):
            self.index = pre_index
            self.index.lazy_hay(self._load_hay)
        else:
            self.index.load(rows, hay_loader=self._load_hay)
        self._settle(gen)

    def _load_hay(self, rows: list[Row]) -> None:
        """Fill in the search text of rows loaded without it (see Index.warm)."""
        wanted: dict[int, dict[int, Row]] = defaultdict(dict)
        for r in rows:
            wanted[r.shard][r.doc_id] = r
        for n, by_doc in wanted.items():
            for doc_id, doc in self.shards.docs(n):
                row = by_doc.get(doc_id)
                if row is not None:
                    row.hay = Row.from_doc(doc, n, doc_id).hay

    def refresh(self) -> bool:
        """Pick up what other processes saved; True if anything changed."""
        if not self.lock.others_wrote:
            return False
        gen = self.lock.read_gen()
        changed = self._reload_changed()
        return self._settle(gen) or changed

    def _settle(self, gen: int) -> bool:
        """Shards were read without the lock, starting at generation `gen`. Accept what
        was read only if no writer finished meanwhile; otherwise re-read what changed.
        Writers bump the generation after their write too, so a write still under way
        now will show up as a new generation later and be picked up then."""
        changed = False
        while (now := self.lock.read_gen()) != gen:
            gen = now
            changed = self._reload_changed() or changed
        self.lock.known_gen = gen
        return changed

    def _reload_changed(self) -> bool:
        changed = [n for n in self.shards.numbers() if self.shards.stamp(n) != self._stamps.get(n)]
        for n in changed:
            self.shards.forget(n)
            self.index.drop(r.id for r in list(self.index.by_id.values()) if r.shard == n)
            self._stamps[n] = self.shards.stamp(n)
            self._counts[n] = 0
            for doc_id, doc in self.shards.docs(n):
                self.index.put(Row.from_doc(doc, n, doc_id))
                self._counts[n] += 1
        return bool(changed)

    # -- reading -------------------------------------------------------------------
    def find(self, key: str) -> Row | None:
        """By id, by reference (any case), or by a unique id prefix of ≥ 8 characters."""
        k = key.strip()
        row = self.index.by_id.get(k) or self.index.by_ref.get(k.upper())
        if row is None and len(k) >= 8:
            hits = [r for i, r in self.index.by_id.items() if i.startswith(k.lower())]
            row = hits[0] if len(hits) == 1 else None
        return row

    def get(self, key: str) -> Consultation:
        row = self.find(key)
        # None from the shard: the index is older than it (another process removed the record)
        doc = self.shards.table(row.shard).get(doc_id=row.doc_id) if row is not None else None
        if doc is None:
            raise NotFound(f"找不到咨询记录：{key} (no consultation with id or reference {key!r})")
        return _record(doc)

    def load(self, rows: Iterable[Row]) -> list[Consultation]:
        """Whole records for many rows, reading each shard once, in the rows' order."""
        rows = list(rows)
        wanted: dict[int, set[int]] = defaultdict(set)
        for r in rows:
            wanted[r.shard].add(r.doc_id)
        got: dict[tuple[int, int], Consultation] = {}
        for n, ids in wanted.items():
            for doc_id, doc in self.shards.docs(n):
                if doc_id in ids:
                    got[(n, doc_id)] = _record(doc)
        return [got[(r.shard, r.doc_id)] for r in rows]

    # -- writing -------------------------------------------------------------------
    def _writable(self) -> None:
        self.watch.refresh()
        if self.watch.problems:
            raise StoreIntegrityError(self.watch.problems)

    def _next_seq(self) -> int:
        """Never a number given before, even to a record whose shard is now gone."""
        return max(self.index.max_seq, self.watch.counter) + 1

    def _ref_number(self, prefix: str, day: Any) -> int:
        return max(self.index.next_ref_number(prefix, day), self.watch.refs.get(prefix, 0) + 1)

    def _target_shard(self) -> int:
        last = max(self._counts, default=0)
        return last if last and self._counts[last] < SHARD_CAPACITY else last + 1

    def _put(self, c: Consultation, old: Row | None) -> Consultation:
        doc = _doc(c)
        if old is None:
            n = self._target_shard()
            doc_id = self.shards.table(n).insert(doc)
            self._counts[n] += 1
        else:
            n, doc_id = old.shard, old.doc_id
            self.shards.table(n).update(doc, doc_ids=[doc_id])
        self._stamps[n] = self.shards.stamp(n)
        self.index.put(Row.from_doc(doc, n, doc_id))
        return c

    def _next_ref(self, visited: datetime) -> str:
        prefix = day_prefix(self.code, visited.date())
        return format_ref(self.code, visited.date(), self._ref_number(prefix, visited.date()))

    def create(self, fields: Mapping[str, Any], *, at: datetime | None = None) -> Consultation:
        """Save a new consultation from checked input (see domain.intake.fields_from_input)."""
        t = at or now()
        with self.lock.hold() as stale:
            if stale:
                self._reload_changed()
            self._writable()
            ref = self._next_ref(fields.get("visited_at") or t)
            c = new_consultation(fields, station=self.station, ref=ref, at=t)
            return self._put(c.evolve(seq=self._next_seq()), None)

    def create_many(self, batch: list[Mapping[str, Any]], *, at: datetime | None = None) -> list[Consultation]:
        """All or nothing: either every record is saved, or none is (even after a crash)."""
        t = at or now()
        with self.lock.hold() as stale:
            if stale:
                self._reload_changed()
            self._writable()
            made: list[Consultation] = []
            refs: dict[str, int] = {}
            first_seq = self._next_seq()
            for i, fields in enumerate(batch):
                visited = fields.get("visited_at") or t
                prefix = day_prefix(self.code, visited.date())
                refs[prefix] = refs.get(prefix, self._ref_number(prefix, visited.date()) - 1) + 1
                c = new_consultation(fields, station=self.station, at=t,
                                     ref=format_ref(self.code, visited.date(), refs[prefix]))
                made.append(c.evolve(seq=first_seq + i))
            pending = self.home / PENDING
            atomic_write(pending, orjson.dumps([c.id for c in made]))
            by_shard: dict[int, list[dict[str, Any]]] = defaultdict(list)
            n = self._target_shard()
            room = SHARD_CAPACITY - self._counts[n]
            for c in made:
                if room == 0:
                    n, room = n + 1, SHARD_CAPACITY
                by_shard[n].append(_doc(c))
                room -= 1
            written: list[tuple[int, list[int]]] = []
            try:
                for n, docs in by_shard.items():
                    written.append((n, self.shards.table(n).insert_multiple(docs)))
            except Exception:
                for n, ids in written:
                    self.shards.table(n).remove(doc_ids=ids)
                raise
            finally:
                self._counts.clear()
                self._load()
            pending.unlink()
            fsync_dir(self.home)
            return made

    def _roll_back_pending(self) -> None:
        pending = self.home / PENDING
        if not pending.exists():
            return
        ids = _pending_ids(self.home)
        for n in self.shards.numbers():
            doomed = [doc_id for doc_id, doc in self.shards.docs(n) if doc["id"] in ids]
            if doomed:
                self.shards.table(n).remove(doc_ids=doomed)
        pending.unlink()
        fsync_dir(self.home)

    def save(self, c: Consultation) -> Consultation:
        """Save an edited record as its next version. `c.version` must still be the
        stored one, so two windows cannot silently overwrite each other."""
        with self.lock.hold() as stale:
            if stale:
                self._reload_changed()
            self._writable()
            old = self.index.by_id.get(c.id)
            if old is None:
                raise NotFound(f"找不到咨询记录：{c.ref} (no consultation {c.id})")
            if old.deleted:
                raise VersionConflict(f"记录 {c.ref} 已删除，不能再修改。(record {c.ref} was deleted; it cannot be changed)")
            self._refuse_purged(old)
            if old.version != c.version:
                raise VersionConflict(
                    f"记录 {c.ref} 已在别处被修改（当前第{old.version}版），请重新打开后再改。"
                    f"(record {c.ref} was changed elsewhere; now version {old.version}, reopen it)"
                )
            validate(c)
            t = now()
            nxt = c.evolve(version=c.version + 1, seq=self._next_seq(), updated_at=t)
            return self._put(nxt, old)

    def _refuse_purged(self, row: Row) -> None:
        doc = self.shards.table(row.shard).get(doc_id=row.doc_id)
        if doc is not None and doc.get("purged_at"):
            # A new version would replace the office's full copy with empty fields.
            raise VersionConflict(f"记录 {row.ref} 的个人信息已按保存期限清除，不能再修改。"
                                  f"(record {row.ref} was purged under the retention rule; it cannot be changed)")

    def edit(self, key: str, edits: Mapping[str, Any]) -> Consultation:
        c = self.get(key)
        self._refuse_purged(self.index.by_id[c.id])  # before the edits are checked: say why, not "summary required"
        return self.save(apply_edits(c, edits))

    def add_note(self, key: str, text: str, officer: str | None = None) -> Consultation:
        c = self.get(key)
        note = Note(at=now(), officer=officer or self.officer, text=text.strip())
        if not note.text:
            raise ValidationError([FieldError("notes", "备注不能为空", "a note cannot be empty")])
        return self.save(c.evolve(notes=c.notes + (note,)))

    def purge(self, *, before: Any, acked_seq: int, dry_run: bool = False, at: datetime | None = None) -> Any:
        """Remove the personal fields of old closed records the office has acknowledged
        (see store.retention)."""
        from .retention import purge

        return purge(self, before=before, acked_seq=acked_seq, dry_run=dry_run, at=at)

    def delete(self, key: str) -> Consultation:
        """A tombstone: the record stays (hidden) so the district office learns of it."""
        return self.save(self.get(key).evolve(deleted=True))

    def close(self) -> None:
        _OPEN.discard(self)
        self.shards.close()
        self.meta.close()
        self.lock.close()

