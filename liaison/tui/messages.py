"""Messages the UI posts upward: events, named in the past tense."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from ..domain.consultation import Consultation
    from ..store import Store


@dataclass
class StoreOpened(Message):
    store: Store


@dataclass
class StoreFailed(Message):
    error: str


@dataclass
class ConsultationSaved(Message):
    consultation: Consultation
    created: bool


@dataclass
class SaveFailed(Message):
    error: Exception
