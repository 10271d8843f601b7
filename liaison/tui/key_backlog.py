"""Keys typed while a PIN is checked, typed again in order once the app can take them.

From a PIN's Enter until the unlock has finished (or been refused), nothing on screen
may take a key: the PIN field is about to be emptied, the screens after it are not
there yet. An officer who knows the way types on regardless (`Enter n 4 ␣ ⇥ 何伟 …`).
Those keys are held, then typed again one at a time, each once the app has dealt with
the one before, to whatever has the focus by then.

Two kinds of held keys, kept apart because they are held at different moments:
- *taken*: keys already in the app's queue when the Enter was dealt with (a burst
  arrives in one read); the unlock screen takes them as they come up (`hold_key`);
- *arrived*: every key the terminal sends after that, kept at the app's door
  (`check_message_enabled`: Textual's own hook for a message about to be queued),
  so none of them can slip in ahead of the held ones.
All the taken keys were typed before all the arrived ones, and are typed again first.

Letting them go waits until the app's queue and the focused field have dealt with
every key sent before (`release_keys`): a key still in a queue when the screens change
would otherwise reach the next screen before the held keys, or be held after they had
been typed again, and be lost. On a loaded machine a walk-in typed into a real
terminal lost its advice, its referral or its Ctrl+S that way.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events
from textual.message import Message

from .typeahead import drained

if TYPE_CHECKING:
    from .app_base import BaseApp as _AppBase
else:
    _AppBase = object  # mixed into the officer's app: typed as one, a plain class at run time

# Acted on at once even while keys are held: the officer can always leave.
NEVER_HELD_ACTIONS = frozenset({"quit"})

Held = tuple[str, "str | None"]


class KeyBacklog(_AppBase):
    def _init_backlog(self) -> None:
        self._taken: deque[Held] = deque()
        self._arrived: deque[Held] = deque()
        self._holding = False  # from a PIN's Enter until the answer is shown
        self._parked = False  # held keys kept for later while a screen takes its own (park_keys)
        self._typing: events.Key | None = None  # the held key being typed again

    @property
    def holding_keys(self) -> bool:
        """Is a key typed now kept for later?"""
        return self._holding or (not self._parked and (self._typing is not None or bool(self._taken or self._arrived)))

    def hold_keys(self) -> None:
        """A PIN's Enter: from now on every key typed is kept for after the answer."""
        self._holding, self._parked = True, False

    def hold_key(self, key: str, character: str | None) -> None:
        """A key the unlock screen took while holding (one queued before the hold began)."""
        self._taken.append((key, character))

    def release_keys(self, then: Callable[[], object] | None = None) -> None:
        """Once every key sent before now has been dealt with, call `then` (show the
        answer: the screens after the unlock, or the refusal) and type the held keys
        again, in order; keys typed meanwhile join them."""
        self.call_later(self._after_queued_keys, then, False)

    def park_keys(self, then: Callable[[], object] | None = None) -> None:
        """As release_keys, but the held keys wait for a later release: `then` shows a
        screen that must take only what is typed once it is there (the recovery code,
        which a key typed before it appeared must not answer unread)."""
        self.call_later(self._after_queued_keys, then, True)

    async def _after_queued_keys(self, then: Callable[[], object] | None, park: bool) -> None:
        # This runs after every message queued before it (Textual's queue is in order),
        # so the keys sent before are past the app; wait for the field they went to.
        if self.focused is not None:
            await drained(self.focused)
        try:
            if then is not None:
                then()
        finally:
            self._holding, self._parked = False, park
            self._type_next()

    def _type_next(self) -> None:
        self._typing = None
        if self._holding or self._parked:
            return
        source = self._taken or self._arrived
        if source:
            key, character = source.popleft()
            self._typing = events.Key(key, character)
            self.post_message(self._typing)
            self.call_later(self._type_next)  # queued after the key: once it is dealt with

    def check_message_enabled(self, message: Message) -> bool:
        if (isinstance(message, events.Key) and not message.is_forwarded and message is not self._typing
                and self.holding_keys and not self._never_held(message.key)):
            self._arrived.append((message.key, message.character))
            return False
        return super().check_message_enabled(message)

    def _never_held(self, key: str) -> bool:
        active = self.screen.active_bindings.get(key)
        return active is not None and active.binding.action in NEVER_HELD_ACTIONS
