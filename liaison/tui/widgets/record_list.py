"""A list of consultations that draws only the rows on screen (Textual's Line API).

DataTable measures and stores every row it is given, so 50 000 rows take seconds on
the UI thread; here the rows are a plain list and `render_line` formats the ~40 that
are visible, so showing or replacing a result costs the same at any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...domain.masking import mask_name, mask_phone
from ..i18n import category, status, tr


def fit(text: str, width: int) -> str:
    """Cut or pad `text` to exactly `width` terminal cells (CJK characters are 2)."""
    out, used = [], 0
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


def visitor_text(row: Any, lang: str) -> str:
    who = " ".join(x for x in (mask_name(row.name), mask_phone(row.phone)) if x) or tr("anon_visitor", lang)
    if row.party_size > 1:
        who += " " + tr("party_of", lang, n=row.party_size)
    return who


@dataclass(frozen=True)
class Column:
    key: str
    width: int  # 0: takes the rest


COLUMNS_WIDE = (Column("col_ref", 17), Column("col_date", 10), Column("col_category", 14),
                Column("col_visitor", 24), Column("col_status", 8), Column("col_follow_up", 10),
                Column("col_summary", 0))
COLUMNS_NARROW = (Column("col_ref", 17), Column("col_date", 5), Column("col_category", 10),
                  Column("col_visitor", 20), Column("col_status", 6), Column("col_summary", 0))


class RecordList(ScrollView, can_focus=True):
    """Rows of the store's index; Enter posts RecordList.Chosen."""

    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("enter", "choose", "打开", id="open"),
    ]
    DEFAULT_CSS = """
    RecordList { height: 1fr; }
    """

    cursor: reactive[int] = reactive(0)

    @dataclass
    class Chosen(Message):
        row: Any

    def __init__(self, *, lang: str = "zh", id: str | None = None):
        super().__init__(id=id)
        self.rows: Sequence[Any] = []
        self.lang = lang

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.rows = rows
        self.cursor = 0
        self.virtual_size = Size(self.size.width, len(rows) + 1)  # +1: the header line
        self.scroll_to(y=0, animate=False)
        self.refresh()

    @property
    def current(self) -> Any | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def _columns(self) -> tuple[Column, ...]:
        return COLUMNS_WIDE if self.size.width >= 110 else COLUMNS_NARROW

    def _cells(self, row: Any) -> dict[str, str]:
        return {
            "col_ref": row.ref,
            "col_date": row.visited_at[:10] if self.size.width >= 110 else row.visited_at[5:10],
            "col_category": category(row.category, self.lang),
            "col_visitor": visitor_text(row, self.lang),
            "col_status": status(row.status, self.lang),
            "col_follow_up": row.follow_up_on or "",
            "col_summary": row.brief,
        }

    def _line(self, cells: dict[str, str] | None, width: int) -> str:
        parts, used = [], 0
        for col in self._columns():
            w = col.width or max(0, width - used)
            text = tr(col.key, self.lang) if cells is None else cells[col.key]
            parts.append(fit(text, w))
            used += w + 1
            if used >= width:
                break
        return fit(" ".join(parts), width)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:  # header stays put while the rows scroll
            return Strip([Segment(self._line(None, width), base + Style(bold=True, underline=True))])
        index = self.scroll_offset.y + y - 1
        if index >= len(self.rows):
            if not self.rows and y == 1:
                return Strip([Segment(fit(tr("no_rows", self.lang), width), base + Style(dim=True))])
            return Strip.blank(width, base)
        row = self.rows[index]
        style = base
        if index == self.cursor:
            style = base + (Style(reverse=True) if self.has_focus else Style(bgcolor="grey23"))
        elif row.follow_up_on and row.status not in ("resolved", "closed") and row.follow_up_on < self._today:
            style = base + Style(color="yellow")
        return Strip([Segment(self._line(self._cells(row), width), style)])

    @property
    def _today(self) -> str:
        return self.app.today().isoformat()  # type: ignore[attr-defined]

    def _visible(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def watch_cursor(self, old: int, new: int) -> None:
        top = self.scroll_offset.y
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + self._visible():
            self.scroll_to(y=new - self._visible() + 1, animate=False)
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * self._visible())

    def action_jump(self, where: int) -> None:
        if self.rows:
            self.cursor = 0 if where == 0 else len(self.rows) - 1

    def action_choose(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self.current))

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y - 1
        if 0 <= index < len(self.rows):
            self.cursor = index
            self.action_choose()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
