"""The private Textual names liaison.tui.textual_private relies on are still there: a
Textual upgrade that drops or renames one fails here, by name, rather than as a
slower unlock, a stale list or a traceback full of a resident's details."""

import inspect

import textual
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget

from liaison.tui import textual_private
from liaison.tui.app_base import BaseApp


def test_textual_is_the_version_the_private_calls_were_written_for():
    assert textual.__version__ == textual_private.TEXTUAL_VERSION, (
        "Textual changed: check every call in liaison/tui/textual_private.py, then update TEXTUAL_VERSION")


def test_the_private_methods_exist_with_the_signatures_used():
    assert list(inspect.signature(App._get_screen).parameters) == ["self", "screen"]
    assert list(inspect.signature(Screen._refresh_layout).parameters)[:2] == ["self", "size"]
    assert callable(App._close_messages_no_wait)


def test_the_private_attributes_exist():
    app = App()
    assert isinstance(app._css_update_count, int)
    assert isinstance(Screen()._css_update_count, int)
    assert app._exception is None
    assert isinstance(app._exit_renderables, list)
    widget = Widget()
    assert widget._content_height_cache == (None, 0)


def test_the_crash_hook_is_still_what_textual_calls_on_an_unhandled_exception():
    hook = textual_private.CRASH_HOOK
    assert hook in App.__dict__ and hook in BaseApp.__dict__
    assert f"self.{hook}()" in inspect.getsource(App._handle_exception)
