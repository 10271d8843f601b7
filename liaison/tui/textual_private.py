"""Every use of Textual's private API, in one place. Written against Textual 8.2.8,
pinned exactly in pyproject.toml: a new Textual may rename or drop any of these, and
tests/tui/test_textual_private.py then fails by name, before anything here misbehaves.

Why each is used:
- building a screen ahead of time (the list, the dashboard while the PIN is typed):
  Textual mounts a screen when it is first pushed (`App._get_screen`) and lays it out
  when it is shown (`Screen._refresh_layout`, from `_on_screen_resume`); the same two
  steps, taken early, off the screen stack (nothing is painted). No public call mounts a
  screen without showing it.
- `_css_update_count`: Textual re-parses and re-applies the whole stylesheet, twice, for
  a mode's new screen whose count is not the app's (a fresh screen's never is), ~60 ms of
  the unlock's wait for nothing when the stylesheet is current.
- `Widget._content_height_cache`: a widget whose height comes from its own count of
  lines (the office's overdue list) must drop Textual's cached height when they change.
- the crash hook (`App._fatal_error`, overridden in app_base.BaseApp): Textual prints a
  traceback with every frame's local variables (a resident's details) and offers no
  public hook for an unhandled exception; `App.panic` is public but renders the message
  at the app's width, and reads no exception. `unhandled_error` and `exit_with` are
  what that override needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from rich.console import RenderableType

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from textual.app import App
    from textual.geometry import Size
    from textual.screen import Screen
    from textual.widget import Widget

S = TypeVar("S", bound="Screen[Any]")

TEXTUAL_VERSION = "8.2.8"
CRASH_HOOK = "_fatal_error"  # the App method BaseApp overrides


def mount_off_stack(app: App[Any], screen: Screen[Any]) -> Awaitable[None]:
    """Mount `screen` (compose, mount, styles) without pushing it: await the result."""
    return app._get_screen(screen)[1]


def lay_out(screen: Screen[Any], size: Size) -> None:
    """Lay `screen` out at `size` now, as Textual does when it is shown."""
    screen._refresh_layout(size)


def mark_styled(app: App[Any], screen: S) -> S:
    """`screen`, marked as styled with the stylesheet as it is, when that is true: the
    stylesheet never invalidated (count 0), or not since the screen shown now was
    styled. After a theme change not yet applied it is restyled as Textual would."""
    if app._css_update_count in (0, app.screen._css_update_count):
        screen._css_update_count = app._css_update_count
    return screen


def forget_content_height(widget: Widget) -> None:
    """Drop Textual's cached content height of `widget` (its lines changed)."""
    widget._content_height_cache = (None, 0)


def unhandled_error(app: App[Any]) -> BaseException | None:
    """The exception that ends the app (Textual keeps the first one)."""
    return app._exception


def exit_with(app: App[Any], message: RenderableType) -> None:
    """Close the app and print `message` once the terminal is restored (not pre-rendered:
    it wraps at the terminal's width)."""
    app._exit_renderables.append(message)
    app._close_messages_no_wait()
