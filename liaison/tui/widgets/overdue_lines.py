"""The office dashboard's overdue follow-ups: the lines, laid out off the UI thread
(`overdue_view`), and the widget that shows them (`OverdueLines`).

A city's office has ~50 000 overdue rows. Laying them out takes ~150 ms, so the
dashboard's worker does it with the figures (and again in a worker when the
language changes), and the widget renders only the lines on screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import Static

from ..i18n import category, status, tr
from ..textual_private import forget_content_height
from .record_list import fit, row


def station_label(rep: dict[str, Any], station: str, lang: str) -> str:
    """A station's Chinese name in Chinese, its id in English."""
    return rep["station_names"].get(station, station) if lang == "zh" else station


@dataclass(frozen=True)
class OverdueView:
    """What the overdue section shows for one report in one language."""

    lang: str
    title: str
    head: str  # the columns' names ("" when nothing is overdue)
    lines: list[str]
    widest: int  # no line is wider, in cells


def overdue_view(rep: dict[str, Any], lang: str) -> OverdueView:
    """The overdue rows of `rep`, latest first, one line each under named columns."""
    items = sorted((o for v in rep["overdue"].values() for o in v), key=lambda o: (-o["days_overdue"], o["ref"]))
    # Fitted to 80 columns: the reference as wide as the longest (cut only past 24), the
    # lateness as a number under its column's name, the wider English labels cut.
    ref_width = max((len(r) if r.isascii() else cell_len(r) for r in (o["ref"] for o in items)), default=10)
    widths = (min(max(ref_width, 10), 24), 12, 10, 7, *((15, 6) if lang == "zh" else (13, 12)))
    head = row(tuple(tr(k, lang) for k in ("hq_col_ref", "hq_col_station", "hq_col_due", "hq_col_late",
                                           "hq_col_category", "hq_col_status")), widths) if items else ""
    # Every cell but the reference repeats (stations, days, categories, statuses):
    # each distinct one is fitted once.

    def fitted(i: int, key: str, show: Callable[[Any], str]) -> dict[Any, str]:
        return {v: fit(show(v), widths[i]) for v in {o[key] for o in items}}

    st = fitted(1, "station", lambda v: station_label(rep, v, lang))
    fu = fitted(2, "follow_up_on", str)
    late = fitted(3, "days_overdue", lambda n: tr("hq_late_days", lang, n=n))
    cat = fitted(4, "category", lambda c: category(c, lang))
    stat = fitted(5, "status", lambda v: status(v or "open", lang))
    lines = [" ".join((_ref(o["ref"], widths[0]), st[o["station"]], fu[o["follow_up_on"]],
                       late[o["days_overdue"]], cat[o["category"]], stat[o["status"]])).rstrip() for o in items]
    title = tr("hq_overdue_title", lang, n=len(items)) if items else tr("hq_no_overdue", lang)
    return OverdueView(lang, title, head, lines, sum(widths) + len(widths) - 1)


def _ref(ref: str, width: int) -> str:
    """fit(ref, width) for the usual printable-ASCII reference (one cell a character)
    without measuring it character by character."""
    if width > 1 and ref.isascii() and ref.isprintable():
        return ref + " " * (width - len(ref)) if len(ref) <= width else ref[:width - 1] + "…"
    return fit(ref, width)


class OverdueLines(Static):
    """The overdue rows, one line each. A Static wraps, measures and renders every line
    of its text on each layout (seconds at a city's 50 000); this one, while its lines
    fit its width (they are fitted to fixed columns), gives Textual its height from the
    count and renders only the lines on screen (Textual's Line API). Narrower than its
    lines, it wraps them as a Static does. `render()` is the whole text either way."""

    def on_mount(self) -> None:
        self._lines: list[str] = []
        self._widest = 0
        self._strips: dict[int, Strip] = {}

    def show_lines(self, lines: list[str], widest: int) -> None:
        """`lines`, none wider than `widest` cells."""
        self._lines, self._widest, self._strips = lines, widest, {}
        forget_content_height(self)
        self.refresh(layout=True)

    def render(self) -> Text:
        return Text("\n".join(self._lines))

    def _fits(self, width: int) -> bool:
        return self._widest <= width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width and self._fits(width):
            return len(self._lines)
        return super().get_content_height(container, viewport, width)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if not self._fits(width):
            return super().render_line(y)
        style = self.visual_style.rich_style
        strip = self._strips.get(y)
        if strip is None:
            text = self._lines[y] if y < len(self._lines) else ""
            strip = self._strips[y] = Strip(Text(text, style=style).render(self.app.console))
        return strip.crop_extend(0, width, style)
