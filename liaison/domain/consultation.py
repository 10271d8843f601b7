"""The consultation record: one walk-in visit, possibly of a group (party size).

`to_dict` / `from_dict` give the JSON shape every interface shares (CLI --json,
`liaison add`, the store, the sync bundles). Records are immutable values: an edit
makes a new one with a higher version.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from .timeutil import iso, parse_date, parse_datetime
from .vocab import DONE_STATUSES


@dataclass(frozen=True, slots=True)
class Visitor:
    name: str | None = None
    phone: str | None = None
    party_size: int = 1
    consent: bool = False
    anonymous: bool = False

    @property
    def has_personal_data(self) -> bool:
        return bool(self.name or self.phone)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "phone": self.phone,
            "party_size": self.party_size,
            "consent": self.consent,
            "anonymous": self.anonymous,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Visitor":
        return cls(
            name=d.get("name") or None,
            phone=d.get("phone") or None,
            party_size=int(d.get("party_size", 1)),
            consent=bool(d.get("consent", False)),
            anonymous=bool(d.get("anonymous", False)),
        )


@dataclass(frozen=True, slots=True)
class Note:
    at: datetime
    officer: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"at": iso(self.at), "officer": self.officer, "text": self.text}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Note":
        return cls(at=parse_datetime(d["at"]), officer=d.get("officer", ""), text=d["text"])


@dataclass(frozen=True, slots=True)
class Clue:
    """A public-interest litigation clue (公益诉讼线索) flag with the officer's note."""

    flag: bool = False
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"flag": self.flag, "note": self.note}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "Clue":
        d = d or {}
        return cls(flag=bool(d.get("flag", False)), note=d.get("note", "") or "")


@dataclass(frozen=True, slots=True)
class Consultation:
    id: str
    ref: str
    station: str
    officer: str
    visited_at: datetime
    category: str
    summary: str
    visitor: Visitor = field(default_factory=Visitor)
    details: dict[str, Any] = field(default_factory=dict)
    requests: str = ""
    advice: str = ""
    referrals: tuple[str, ...] = ()
    clue: Clue = field(default_factory=Clue)
    status: str = "open"
    follow_up_on: date | None = None
    notes: tuple[Note, ...] = ()
    version: int = 1
    seq: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted: bool = False
    # References of earlier visits of this station about the same matter. Codes, not a
    # person's words: kept in the clear part and exported (see personal.py).
    related_to: tuple[str, ...] = ()
    # The version as read from storage (None for a new record): validation holds an edit
    # to the rules only where it changes something, so a record stored before a rule
    # existed can still be corrected or deleted (see validation.check).
    stored: "Consultation | None" = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ref": self.ref,
            "station": self.station,
            "officer": self.officer,
            "visited_at": iso(self.visited_at),
            "category": self.category,
            "status": self.status,
            "summary": self.summary,
            "visitor": self.visitor.to_dict(),
            "details": dict(self.details),
            "requests": self.requests,
            "advice": self.advice,
            "referrals": list(self.referrals),
            "clue": self.clue.to_dict(),
            "notes": [n.to_dict() for n in self.notes],
            "follow_up_on": self.follow_up_on.isoformat() if self.follow_up_on else None,
            "version": self.version,
            "seq": self.seq,
            "created_at": iso(self.created_at) if self.created_at else None,
            "updated_at": iso(self.updated_at) if self.updated_at else None,
            "deleted": self.deleted,
            # Only when set: a record without links keeps the exact shape it had before.
            **({"related_to": list(self.related_to)} if self.related_to else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Consultation":
        """Read a record this program wrote (the stored / exchanged form)."""
        fu = d.get("follow_up_on")
        c = cls(
            id=d["id"],
            ref=d["ref"],
            station=d["station"],
            officer=d.get("officer", ""),
            visited_at=parse_datetime(d["visited_at"]),
            category=d["category"],
            summary=d["summary"],
            visitor=Visitor.from_dict(d.get("visitor") or {}),
            details=dict(d.get("details") or {}),
            requests=d.get("requests", "") or "",
            advice=d.get("advice", "") or "",
            referrals=tuple(d.get("referrals") or ()),
            clue=Clue.from_dict(d.get("clue")),
            status=d.get("status", "open"),
            follow_up_on=parse_date(fu) if fu else None,
            notes=tuple(Note.from_dict(n) for n in d.get("notes") or ()),
            version=int(d.get("version", 1)),
            seq=int(d.get("seq", 0)),
            created_at=parse_datetime(d["created_at"]) if d.get("created_at") else None,
            updated_at=parse_datetime(d["updated_at"]) if d.get("updated_at") else None,
            deleted=bool(d.get("deleted", False)),
            related_to=tuple(d.get("related_to") or ()),
        )
        object.__setattr__(c, "stored", c)  # itself: cheaper than a copy, and evolve() keeps it
        return c

    def evolve(self, **changes: Any) -> "Consultation":
        """A copy with `changes` applied (no version bump: the store decides that)."""
        return replace(self, **changes)

    def follow_up_due(self, on: date) -> bool:
        return (
            not self.deleted
            and self.follow_up_on is not None
            and self.follow_up_on <= on
            and self.status not in DONE_STATUSES
        )
