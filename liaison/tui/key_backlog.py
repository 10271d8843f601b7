"""Keys given to the app one at a time, in the order typed, and held while the app
cannot take them: from a PIN's Enter until the answer shows, from Ctrl+S until the
record is on disk.

An officer who knows the way types on regardless (`Enter n 4 ␣ ⇥ 何伟 …` straight after
the PIN, `Ctrl+S n` straight into the next visitor). Textual queues a terminal's keys in
the app as they arrive; a screen that changes while some are still queued (the unlock
finishing, the saved form closing) sends them to the next screen ahead of keys held
for it, or leaves them in a form that is going away. On a loaded machine, a walk-in
typed straight after the PIN into a real terminal lost its advice, its referral or its
Ctrl+S about one time in three so, and a visitor typed straight after Ctrl+S was lost
whole.

So no key waits in the app's own queue: each is kept here as it arrives (Textual's
public `check_message_enabled`, asked as a message is about to be queued) and given to
the app once the one before has been dealt with: by the app, then by the focused widget
and each of its containers up to the screen (the way the key goes), by the app again
(where a binding of the widget's acts), and once more by the widgets (what that binding
posted: the list's Enter posts "chosen", and only that opens the record's screen).
Given any sooner, `e` typed straight after the list's Enter went to the list.

Holding is not giving; what was held goes on, in order, when the hold ends. Who holds
says so (`hold_keys(owner)`), so that a form that goes away while saving cannot end the
unlock's hold, and the reverse.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import ScreenStackError
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from .typeahead import DRAIN_SECONDS  # a widget busy elsewhere never freezes the keyboard longer

if TYPE_CHECKING:
    from .app_base import BaseApp as _AppBase
else:
    _AppBase = object  # mixed into the officer's app: typed as one, a plain class at run time

# Acted on at once, even while keys are held: the officer can always leave.
NEVER_HELD_ACTIONS = frozenset({"quit"})

UNLOCK = "unlock"  # the holder from a PIN's Enter (or the first officer's setup) to the answer
SAVE = "save"  # the holder from a form's save to its answer


class KeyBacklog(_AppBase):
    def _init_backlog(self) -> None:
        self._typed: deque[events.Key | events.Paste] = deque()  # not given to the app yet
        self._set_aside: deque[events.Key | events.Paste] = deque()  # park_keys
        self._set_aside_by: object = None
        self._holders: set[object] = set()
        self._giving: events.Key | events.Paste | None = None  # given, not yet dealt with
        self._following = 0  # numbers each key's way through the widgets (see _given)
        self._awaiting_screen = False  # keys wait for the screen to be mounted (see _give_next)

    @property
    def keys_on_their_way(self) -> bool:
        """Whether keys typed are still being given to the app (not counting those a hold
        keeps back): what the tests wait on before they read the screen."""
        return self._giving is not None or (bool(self._typed) and not self._holders)

    def hold_keys(self, owner: object) -> None:
        """Give no key to the app until `owner` releases it (the key being dealt with
        now, which asked for the hold, finishes as usual)."""
        self._holders.add(owner)

    def park_keys(self, owner: object) -> None:
        """Set the keys held so far aside until `owner` releases, and give the app the
        ones typed from now on: a screen shown meanwhile (the recovery code, shown once)
        takes only what is typed once it is there, never a key typed before it."""
        self._set_aside.extend(self._typed)
        self._set_aside_by = owner
        self._typed.clear()
        self._holders.discard(owner)
        self._give_next()

    def release_keys(self, owner: object) -> None:
        """`owner`'s hold ends: what it held (the keys it set aside first) goes on, in
        order, to whatever has the focus by then, once no other owner holds."""
        if self._set_aside_by == owner:
            self._typed.extendleft(reversed(self._set_aside))
            self._set_aside.clear()
            self._set_aside_by = None
        self._holders.discard(owner)
        self._give_next()

    def check_message_enabled(self, message: Message) -> bool:
        if isinstance(message, (events.Key, events.Paste)) and not message.is_forwarded and message is not self._giving:
            if self._holders and isinstance(message, events.Key) and self._never_held(message.key):
                return super().check_message_enabled(message)
            self._typed.append(message)
            self._give_next()
            return False  # queued by _give_next, when its turn comes
        return super().check_message_enabled(message)

    def _give_next(self) -> None:
        if self._giving is None and not self._holders and self._typed and not self._awaiting_screen:
            try:
                screen: Screen[Any] | None = self.screen
            except ScreenStackError:
                screen = None  # the app is starting: its first screen is not built yet
            if screen is None or not screen.is_mounted:
                # Keys the terminal held while the app started (a PIN typed at once), or
                # typed as a screen opens: given to a screen not yet mounted, with nothing
                # focused, they were lost. On again once it is (its own queue, or the
                # app's, which builds the first screen before it takes anything queued).
                self._awaiting_screen = (screen or self).call_later(self._screen_mounted)
                return
            self._giving = self._typed.popleft()
            if self.post_message(self._giving):
                self.call_later(self._given)  # queued right behind it: runs once it is dealt with
            else:
                self._giving = None  # the app is closing

    def _screen_mounted(self) -> None:
        self._awaiting_screen = False
        self._give_next()

    def _given(self) -> None:
        """The app has dealt with the key given: follow it through the focused widget
        and each of its containers, up to the app once more, and once more through the
        widgets, before the next key goes. Not text typed into a text field: the field
        takes it in order anyway, and a name or a phrase from the input method is a
        burst of keys, each of which would otherwise wait for a repaint (~2 ms)."""
        try:
            key, focused = self._giving, self.screen.focused
        except ScreenStackError:  # the app is closing
            return
        if _takes_text(focused) and (
                isinstance(key, events.Paste) or (isinstance(key, events.Key) and key.is_printable)):
            self._giving = None
            self._give_next()
            return
        self._following += 1
        chain = list((focused or self.screen).ancestors_with_self)[:-1]  # … screen
        # Twice: the key up to the app, where a binding of the widget's acts (the list's
        # Enter); then what that binding posted to the widget, up to the screen.
        path = [*chain, self, *chain]
        timeout = asyncio.get_running_loop().call_later(DRAIN_SECONDS, self._followed, self._following)
        self._follow(self._following, path, timeout)

    def _follow(self, following: int, path: list, timeout: asyncio.TimerHandle) -> None:
        if following != self._following:
            return  # timed out: the keys went on already
        while path:
            if path.pop(0).call_later(self._follow, following, path, timeout):
                return  # on again once that node has dealt with what was queued for it
        timeout.cancel()
        self._followed(following)

    def _followed(self, following: int) -> None:
        if following != self._following:
            return
        self._following += 1
        self._giving = None
        self._give_next()

    def _never_held(self, key: str) -> bool:
        active = self.screen.active_bindings.get(key)
        return active is not None and active.binding.action in NEVER_HELD_ACTIONS


def _takes_text(widget: Widget | None) -> bool:
    """An Input or a TextArea: a field that takes printable keys as text. TextArea is
    not imported for this (~11 ms before the unlock screen's first frame): by name, as
    a TextArea on screen has been imported by whoever made it."""
    return isinstance(widget, Input) or any(
        c.__name__ == "TextArea" and c.__module__.startswith("textual.") for c in type(widget).__mro__)
