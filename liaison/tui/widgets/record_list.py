"""A list of consultations that draws only the rows on screen (Textual's Line API).

DataTable measures and stores every row it is given, so 50 000 rows take seconds on
the UI thread; here the rows are a plain list and `render_line` formats the ~40 that
are visible, so showing or replacing a result costs the same at any size.

It scrolls itself (a plain Widget with an offset, not a ScrollView): a new result then
changes no virtual size and no scrollbar, so a keystroke repaints this widget only
instead of laying out the whole screen. The header line shows where you are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from ...domain.masking import mask_name, mask_phone
from ...domain.text import safe_value
from ...domain.vocab import CATEGORIES, STATUSES
from ..bindings import localize_bindings
from ..i18n import category, category_short, status, tr

if TYPE_CHECKING:
    from ..app_base import BaseApp


def fit(text: str, width: int) -> str:
    """Cut or pad `text` to exactly `width` terminal cells (CJK characters are 2)."""
    cells = cell_len(text)
    if cells <= width:  # the common case: one measurement, no per-character loop
        return text + " " * (width - cells)
    out: list[str] = []
    used = 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width:
            if out and width > 1:
                while used > width - 1:
                    used -= cell_len(out.pop())
                out.append("…")
                used += 1
            break
        out.append(ch)
        used += w
    return "".join(out) + " " * (width - used)


def row(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    """Cells cut or padded to their widths (CJK-aware), one space apart."""
    return " ".join(fit(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()


def visitor_text(row: Any, lang: str, short: bool = False) -> str:
    who = " ".join(x for x in (mask_name(row.name), mask_phone(row.phone)) if x) or (
        tr("anon_visitor", lang) if row.anonymous else tr("no_name_given", lang))
    if row.party_size > 1:
        who += " " + tr("party_short" if short else "party_of", lang, n=row.party_size)
    return who


def distinct_codes(rows: Sequence[Any]) -> tuple[set[str], set[str]]:
    """(categories, statuses) among `rows`; the walk stops once every code is seen,
    which in a large result is after a few hundred rows, not all 50 000."""
    cats: set[str] = set()
    statuses: set[str] = set()
    for i, r in enumerate(rows):
        cats.add(r.category)
        statuses.add(r.status)
        if i % 64 == 63 and cats.issuperset(CATEGORIES) and statuses.issuperset(STATUSES):
            break
    return cats, statuses


@dataclass(frozen=True)
class Column:
    key: str
    width: int  # 0: takes the rest


COLUMNS_WIDE = (Column("col_date", 10), Column("col_category", 14), Column("col_visitor", 24),
                Column("col_status", 8), Column("col_follow_up", 10), Column("col_summary", 0))  # after the ref
REF = 17  # FQYF-20261113-001; a longer station code (up to ten characters) widens it
# Under 110 columns: no date (the ref carries it), short category labels, and the
# category and status columns as wide as the labels of the rows shown (see _columns),
# so that only the summary, the last column, is ever cut.
VISITOR_NARROW = 23  # 刘** 139****5678 等27人
SUMMARY_MIN = 10


class RecordList(Widget, can_focus=True):
    """Rows of the store's index; Enter posts RecordList.Chosen."""
    app: BaseApp  # Textual types it as any App: this project's (an annotation only)

    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("enter", "choose", "打开", id="open"),
    ]
    # Theme colours, not fixed ones: both must read at 4.5:1 in the light and dark theme.
    COMPONENT_CLASSES = {"record-list--cursor", "record-list--overdue"}
    DEFAULT_CSS = """
    RecordList { height: 1fr; }
    RecordList > .record-list--cursor { background: $boost; color: $foreground; }
    RecordList > .record-list--overdue { color: $text-warning; }
    """

    cursor: reactive[int] = reactive(0)
    top: reactive[int] = reactive(0)  # index of the first row on screen

    @dataclass
    class Chosen(Message):
        row: Any  # None: Enter with no row shown (yet: the list's screen may be waiting for rows)
        shown: int  # which rows it was chosen from (`RecordList.shown`)

    def __init__(self, *, lang: str = "zh", id: str | None = None):
        super().__init__(id=id)
        self.rows: Sequence[Any] = []
        self.shown = 0  # counts `set_rows`: a choice made among rows no longer shown is stale
        self.lang = lang
        self._lines: dict[tuple, str] = {}  # formatted rows, for `_lines_for`
        self._lines_for: tuple | None = None  # (width, lang, columns) the cached lines were cut to
        self._codes: tuple[set[str], set[str]] | None = None  # filled when a narrow window needs them
        self._frame: tuple | None = None  # what every line of one paint shares (see render_lines)

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show `rows`; costs the same for 10 rows or 50 000 (nothing is measured)."""
        self.rows = rows
        self.shown += 1
        self._codes = None  # only a narrow window needs them (see _columns)
        self.set_reactive(RecordList.cursor, 0)
        self.set_reactive(RecordList.top, 0)
        self.refresh()

    @property
    def current(self) -> Any | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def _ref_width(self) -> int:
        """The reference column as wide as the longest reference on screen, never cut: it
        is what an officer reads out (a station's own are all one length; 24 at most)."""
        shown = self.rows[self.top:self.top + self._visible()]
        return min(24, max([REF, *(cell_len(r.ref) for r in shown)]))

    def _columns(self) -> tuple[Column, ...]:
        ref = self._ref_width()
        if self.size.width >= 110:
            return (Column("col_ref", ref), *COLUMNS_WIDE)
        lang = self.lang
        if self._codes is None:
            self._codes = distinct_codes(self.rows)
        cats, statuses = self._codes
        cat_w = max([cell_len(tr("col_category", lang))] + [cell_len(category_short(c, lang)) for c in cats])
        st_w = max([cell_len(tr("col_status", lang))] + [cell_len(status(c, lang)) for c in statuses])
        room = self.size.width - (ref + cat_w + VISITOR_NARROW + st_w + 4)
        if room < SUMMARY_MIN + 1:  # a tiny window: the visitor gives way first
            return (Column("col_ref", ref), Column("col_category", cat_w), Column("col_status", st_w),
                    Column("col_visitor", VISITOR_NARROW), Column("col_summary", 0))
        return (Column("col_ref", ref), Column("col_category", cat_w), Column("col_visitor", VISITOR_NARROW),
                Column("col_status", st_w), Column("col_summary", 0))

    def _cells(self, row: Any) -> dict[str, str]:
        wide = self.size.width >= 110
        return {
            "col_ref": row.ref,
            "col_date": row.visited_at[:10] if self.size.width >= 110 else row.visited_at[5:10],
            "col_category": category(row.category, self.lang) if wide else category_short(row.category, self.lang),
            "col_visitor": visitor_text(row, self.lang, short=not wide),
            "col_status": status(row.status, self.lang),
            "col_follow_up": row.follow_up_on or "",
            "col_summary": row.brief,
        }

    def _line(self, cells: dict[str, str] | None, width: int, columns: tuple[Column, ...]) -> str:
        parts, used = [], 0
        for col in columns:
            w = col.width or max(0, width - used)
            text = tr(col.key, self.lang) if cells is None else cells[col.key]
            parts.append(fit(text, w))
            used += w + 1
            if used >= width:
                break
        return fit(" ".join(parts), width)

    def _position(self) -> str:
        if not self.rows:
            return ""
        last = min(len(self.rows), self.top + self._visible())
        return f" {self.top + 1}-{last}/{len(self.rows)}"

    def render_lines(self, crop):
        # One paint draws ~40 lines that share their style, columns and date: worked
        # out once here instead of per line (the per-line cost is what a keystroke waits on).
        self._frame = self._frame_facts()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _frame_facts(self) -> tuple:
        width = self.content_region.width
        columns = self._columns()
        if self._lines_for != (width, self.lang, columns):
            self._lines.clear()
            self._lines_for = (width, self.lang, columns)
        base = self.rich_style
        cursor = base + (Style(reverse=True) if self.has_focus
                         else self.get_component_rich_style("record-list--cursor"))
        overdue = base + self.get_component_rich_style("record-list--overdue")
        return width, columns, base, cursor, overdue, self._today

    def render_line(self, y: int) -> Strip:
        if self._frame is None:  # called on its own, not from render_lines
            self._frame = self._frame_facts()
            try:
                return self.render_line(y)
            finally:
                self._frame = None
        width, columns, base, cursor, overdue, today = self._frame
        if y == 0:  # header stays put while the rows scroll; it also says where we are
            pos = self._position()
            head = self._line(None, width - len(pos), columns) + pos
            return Strip([Segment(head, base + Style(bold=True, underline=True))])
        index = self.top + y - 1
        if index >= len(self.rows):
            if not self.rows and y == 1:
                return Strip([Segment(fit(tr("no_rows", self.lang), width), base + Style(dim=True))])
            return Strip.blank(width, base)
        row = self.rows[index]
        key = (row.id, row.version)
        line = self._lines.get(key)
        if line is None:  # rows are redrawn on every cursor move: format each once
            if len(self._lines) > 2000:
                self._lines.clear()
            # A record stored before today's rules may hold control characters: never
            # send them to the terminal (formatted once per row, so the cost is small).
            cells = {k: safe_value(v) for k, v in self._cells(row).items()}
            line = self._lines[key] = self._line(cells, width, columns)
        style = base
        if index == self.cursor:
            style = cursor
        elif row.follow_up_on and row.status not in ("resolved", "closed") and row.follow_up_on < today:
            style = overdue
        return Strip([Segment(line, style)], width)

    @property
    def _today(self) -> str:
        return self.app.today().isoformat()

    def _visible(self) -> int:
        return max(1, self.content_region.height - 1)

    def watch_cursor(self, old: int, new: int) -> None:
        if new < self.top:
            self.top = new
        elif new >= self.top + self._visible():
            self.top = new - self._visible() + 1
        self.refresh()

    def watch_top(self) -> None:
        self.refresh()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.top = max(0, min(len(self.rows) - self._visible(), self.top + 3))

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.top = max(0, self.top - 3)

    def action_cursor(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * self._visible())

    def action_jump(self, where: int) -> None:
        if self.rows:
            self.cursor = 0 if where == 0 else len(self.rows) - 1

    def action_choose(self) -> None:
        self.post_message(self.Chosen(self.current, self.shown))

    def on_click(self, event) -> None:
        index = self.top + event.y - 1
        if 0 <= index < len(self.rows):
            self.cursor = index
            self.action_choose()

    def on_mount(self) -> None:
        self._relabel(self.app.lang)
        self.watch(self.app, "lang", self._relabel, init=False)

    def _relabel(self, lang: str) -> None:
        localize_bindings(self, lang)  # its own "Enter: open" in the key bar
        self.lang = lang
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self.refresh()
