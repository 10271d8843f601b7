"""What the station's app and the office's dashboard share: the stylesheet, language
and theme switches, the fixed "today" of tests, and `revision`, which screens watch to
reload (attributes down)."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.reactive import reactive

from .bindings import localize_bindings
from .i18n import tr
from .textual_private import exit_with, unhandled_error

# Textual's two themes with the few colours that read below WCAG AA (4.5:1) on their
# own backgrounds made darker (light) or brighter (dark): the overdue warnings, muted
# text (the header's station name) and placeholders. Registered under the same names.
THEME_FIXES = {
    "textual-light": {"text-warning": "#7a4a00", "foreground-muted": "#4a4a4a", "text-disabled": "#555555",
                      "text-muted": "#4a4a4a"},
    "textual-dark": {"text-disabled": "#a0a0a0", "foreground-muted": "#a0a0a0", "block-cursor-foreground": "#ffffff"},
}
from .messages import StoreFailed

# How long an error notice stays: until the officer dismisses it (a click), in practice.
ERROR_TIMEOUT = 24 * 3600.0


class BaseApp(App[None]):
    NOTIFICATION_TIMEOUT = 4  # "saved": a glance, not a banner over the next field (issue 13)
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"  # absolute: subclasses may live elsewhere
    BINDINGS = [
        Binding("ctrl+g", "toggle_lang", "English", id="lang"),
        Binding("ctrl+t", "toggle_theme", "明暗", id="theme", show=False),
        Binding("ctrl+q", "quit", "退出", id="quit", priority=True),
    ]

    lang: reactive[str] = reactive("zh")
    revision: reactive[int] = reactive(0)  # bumped whenever the data changes; screens reload

    def __init__(self, home: Path, *, today: date | None = None, lang: str = "zh"):
        super().__init__()
        self.home = Path(home)
        self._today = today
        self.set_reactive(BaseApp.lang, lang)
        for name, fixes in THEME_FIXES.items():
            theme = self.get_theme(name)
            assert theme is not None, name  # Textual's own two
            self.register_theme(replace(theme, variables={**theme.variables, **fixes}))
        self.theme = "textual-dark"
        # App.__init__ read the stylesheet's variables from the theme before it was
        # replaced, and setting the same theme name again does not re-read them.
        self.stylesheet.set_variables(self.get_css_variables())

    def _fatal_error(self) -> None:
        """A bug: Textual's own handler prints the traceback with every frame's local
        variables (a record, a typed summary) on the terminal of a public room. Ours
        writes the redacted crash log (liaison.crash) and names it. Textual has no public
        hook for an unhandled exception: this overrides a private one (textual_private
        says why, and its test fails if the name goes)."""
        from rich.text import Text

        from ..crash import write_crash_log

        error = sys.exc_info()[1] or unhandled_error(self)
        try:
            where = str(write_crash_log(error, "ui")) if error is not None else "-"
        except OSError as e:
            where = f"（无法写入崩溃日志 could not write a crash log: {e.strerror}）"
        self.bell()
        exit_with(self, Text(f"liaison: 内部错误，已保存的数据不受影响；详情见 {where} "
                             f"(internal error; saved data is unaffected; details in {where})"))

    def tr(self, key: str, **values: object) -> str:
        """`key` in the interface language (as a screen's `tr`)."""
        return tr(key, self.lang, **values)

    def today(self) -> date:
        """Today in Shanghai (fixed in tests, so screens and snapshots are stable)."""
        if self._today is None:
            from ..domain.timeutil import today

            return today()
        return self._today

    def now(self) -> datetime:
        """The time now in Shanghai; with a fixed `today` (tests, snapshots), 09:30 of it."""
        from ..domain.timeutil import TZ, now

        if self._today is None:
            return now()
        return datetime.combine(self._today, time(9, 30), TZ)

    def open_screen(self, screen, callback=None):
        """Every screen of the app is opened here (the station's app holds them while
        locked, see locking.py); returns what Textual's push_screen returns, or None."""
        return self.push_screen(screen, callback)

    def notice(self, message: str, **kw) -> None:
        """Every notice of the app is given here (the station's app holds them while locked)."""
        self.notify(message, **kw)

    def on_store_failed(self, message: StoreFailed) -> None:
        self.notice(message.error, severity="error", timeout=ERROR_TIMEOUT)

    def format_title(self, title: str, sub_title: str):
        """The header's "liaison — 站点": Textual dims the station's name to 4.4:1 in the
        light theme; muted (a theme colour that passes) instead of dim."""
        from textual.content import Content

        if not sub_title:
            return Content(title)
        return Content.assemble(Content(title), (" — ", "$foreground-muted"),
                                Content(sub_title).stylize("$foreground-muted"))

    def get_system_commands(self, screen):
        """Textual's own palette entries are English-only (and offer a screenshot, which
        could carry a resident's details to disk): these three instead, translated."""
        yield SystemCommand(tr("cmd_lang", self.lang), "", self.action_toggle_lang)
        yield SystemCommand(tr("cmd_theme", self.lang), "", self.action_toggle_theme)
        yield SystemCommand(tr("cmd_quit", self.lang), "", self.action_quit)

    def action_command_palette(self) -> None:
        """Textual's palette with its prompt in the interface language."""
        # is_open is typed for App[object]; App is invariant in its return type, BaseApp returns None
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(CommandPalette(id="--command-palette", placeholder=tr("palette_ph", self.lang)))

    def watch_lang(self, lang: str) -> None:
        localize_bindings(self, lang)

    def action_toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def on_unmount(self) -> None:
        store = getattr(self, "store", None)
        if store is not None:
            store.close()
