"""What the station's app and the office's dashboard share: the stylesheet, language
and theme switches, the fixed "today" of tests, and `revision`, which screens watch to
reload (attributes down)."""

from __future__ import annotations

import sys
from datetime import date, datetime, time
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive

from .bindings import localize_bindings
from .messages import StoreFailed


class BaseApp(App[None]):
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
        self.theme = "textual-dark"

    def _fatal_error(self) -> None:
        """A bug: Textual's own handler prints the traceback with every frame's local
        variables (a record, a typed summary) on the terminal of a public room. Ours
        writes the redacted crash log (liaison.crash) and names it. This overrides a
        private hook of Textual, which is pinned exactly (pyproject.toml)."""
        from rich.text import Text

        from ..crash import write_crash_log

        error = sys.exc_info()[1] or self._exception
        try:
            where = str(write_crash_log(error, "ui")) if error is not None else "-"
        except OSError as e:
            where = f"（无法写入崩溃日志 could not write a crash log: {e.strerror}）"
        self.bell()
        self._exit_renderables.append(Text(f"liaison: 内部错误，已保存的数据不受影响；详情见 {where} "
                                           f"(internal error; saved data is unaffected; details in {where})"))
        self._close_messages_no_wait()

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

    def on_store_failed(self, message: StoreFailed) -> None:
        self.notify(message.error, severity="error", timeout=30)

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
