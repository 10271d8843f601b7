"""One consultation in full, as the detail screen shows it: a head line (reference,
status, category, version, flags), the banner (saving, an error, "deleted"), the
fields as a two-column grid, and the notes. Rich renderables built from the record;
what people typed is always Text, never markup (it may contain [brackets]). Colours
are read from the app's theme, so they follow a theme switch (the screen redraws).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.color import Color, ColorParseError
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...domain.advice import visitor_label
from ...domain.consultation import Consultation
from ...domain.text import safe_doc
from ...domain.vocab import DONE_STATUSES
from ..i18n import category, referral, status, tr
from .record_fields import advice_lines, detail_rows

if TYPE_CHECKING:
    from ..app_base import BaseApp

STATUS_COLOUR = {"open": "text-warning", "referred": "text-primary", "following_up": "text-accent",
                 "resolved": "text-success", "closed": "text-success"}


class RecordDetail(VerticalScroll):
    app: BaseApp  # Textual types it as any App: this project's (an annotation only)
    def compose(self) -> ComposeResult:
        yield Static(id="detail-head")
        yield Static(id="detail-banner")
        yield Static(id="detail-body")
        yield Static(id="detail-notes")

    def tr(self, key: str, **values: object) -> str:
        return tr(key, self.app.lang, **values)

    def show_banner(self, text: str, error: bool) -> None:
        """A line over the fields (hidden when empty); `error` shows it as one."""
        banner = self.query_one("#detail-banner", Static)
        banner.update(Text(text))
        banner.display = bool(text)
        banner.set_class(error, "-error")

    def _colour(self, name: str) -> str | None:
        value = self.app.theme_variables.get(name)
        try:
            return Color.parse(value).hex6 if value else None
        except ColorParseError:  # a theme's value that is not a plain colour ("auto 87%")
            return None

    def show_record(self, c: Consultation | None, *, missing: bool,
                    related: tuple[list[str], list[str]]) -> None:
        """`c` in full; None: "loading", or "not found" when it is `missing`. `related`:
        (visits it names, later ones naming it)."""
        head = self.query_one("#detail-head", Static)
        body = self.query_one("#detail-body", Static)
        notes = self.query_one("#detail-notes", Static)
        if c is None:
            head.update(Text(self.tr("not_found" if missing else "record_loading")))
            body.update("")
            notes.update("")
            return
        # A record stored before today's rules may hold control characters: shown as
        # U+FFFD, never sent to the terminal.
        c = Consultation.from_dict(safe_doc(c.to_dict()))
        head.update(self._head(c))
        body.update(self._body(c, related))
        notes.update(self._notes(c))

    def _head(self, c: Consultation) -> Text:
        lang = self.app.lang
        t = Text()
        t.append(c.ref, Style(bold=True))
        t.append("  ")
        t.append(f" {status(c.status, lang)} ", Style(bold=True, reverse=True, color=self._colour(STATUS_COLOUR.get(c.status, ""))))
        t.append(f"  {category(c.category, lang)}  ·  {self.tr('version_n', v=c.version)}")
        if c.clue.flag:
            t.append("  ")
            t.append(f" {self.tr('clue_label')} ", Style(bold=True, color=self._colour("text-warning")))
        if c.deleted:
            t.append("  ")
            t.append(f" {self.tr('deleted')} ", Style(bold=True, reverse=True, color=self._colour("text-error")))
        return t

    def _grid(self, labels: list[str]) -> Table:
        grid = Table.grid(padding=(0, 2), expand=True)
        grid.add_column(width=max(map(cell_len, labels), default=4), no_wrap=True, style=Style(dim=True))
        grid.add_column(ratio=1, overflow="fold")
        return grid

    def _follow_up(self, c: Consultation) -> Text:
        if c.follow_up_on is None:
            return Text(self.tr("not_set"), Style(dim=True))
        t = Text(c.follow_up_on.isoformat() + " " + self.tr("weekdays").split()[c.follow_up_on.weekday()])
        today = self.app.today()
        if c.status in DONE_STATUSES:
            t.append(f"  {self.tr('no_follow_up_needed')}", Style(dim=True))
        elif c.follow_up_on < today:
            t.append(f"  {self.tr('overdue_days', n=(today - c.follow_up_on).days)}",
                     Style(bold=True, color=self._colour("text-error")))
            t.stylize(Style(color=self._colour("text-error")), 0, 10)
        elif c.follow_up_on == today:
            t.append(f"  {self.tr('due_today_tag')}", Style(bold=True, color=self._colour("text-warning")))
        else:
            t.append(f"  {self.tr('in_days', n=(c.follow_up_on - today).days)}", Style(dim=True))
        return t

    def _body(self, c: Consultation, related: tuple[list[str], list[str]]) -> Table:
        lang, v = self.app.lang, c.visitor
        none = self.tr("none")
        yes_no = lambda b: self.tr("bool_yes" if b else "bool_no")  # noqa: E731
        rows: list[tuple[str, Text | str] | None] = [
            (self.tr("visited"), c.visited_at.strftime("%Y-%m-%d %H:%M")),
            (self.tr("officer"), c.officer or none),
            None,
        ]
        if v.anonymous:  # nothing personal was kept, so there is no consent to show
            rows += [(self.tr("visitor"), self.tr("anon_visitor")), (self.tr("party_size"), str(v.party_size))]
        else:
            rows += [(self.tr("visitor"), visitor_label(v.name, False, lang)), (self.tr("phone"), v.phone or none),
                     (self.tr("party_size"), str(v.party_size)), (self.tr("consent"), yes_no(v.consent))]
        if c.details:
            rows.append(None)
            rows += detail_rows(c, lang)
        advice = advice_lines(c, self.app.now(), self.app.today(), lang)
        if advice:
            rows.append((self.tr("advice_label"), Text("\n".join(advice), Style(bold=True, color=self._colour("text-warning")))))
        clue = Text(yes_no(c.clue.flag))
        if c.clue.flag:
            clue.stylize(Style(bold=True, color=self._colour("text-warning")))
        rows += [
            None,
            (self.tr("summary"), c.summary or none),
            (self.tr("requests"), c.requests or none),
            (self.tr("advice"), c.advice or none),
            None,
            (self.tr("referrals"), ("、" if lang == "zh" else ", ").join(referral(r, lang) for r in c.referrals) or none),
            (self.tr("clue_label"), clue),
            *([(self.tr("clue_note"), c.clue.note)] if c.clue.note else []),
            (self.tr("follow_up"), self._follow_up(c)),
        ]
        earlier, later = related
        if earlier:
            rows.append((self.tr("related_to"), "\n".join(earlier)))
        if later:
            rows.append((self.tr("related_later"), "\n".join(later)))
        if c.updated_at and c.version > 1:
            rows.append((self.tr("updated"), c.updated_at.strftime("%Y-%m-%d %H:%M")))
        grid = self._grid([r[0] for r in rows if r])
        for r in rows:
            if r is None:
                grid.add_row("", "")
            else:  # Text, never markup: what people typed may contain [brackets]
                grid.add_row(Text(r[0]), r[1] if isinstance(r[1], Text) else Text(r[1]))
        return grid

    def _notes(self, c: Consultation) -> Group:
        title = Text(f"{self.tr('notes')} ({len(c.notes)})", Style(bold=True))
        if not c.notes:
            return Group(Text(""), title, Text(self.tr("no_notes"), Style(dim=True)))
        grid = Table.grid(padding=(0, 2), expand=True)
        grid.add_column(no_wrap=True, style=Style(dim=True))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        for n in sorted(c.notes, key=lambda n: n.at):
            grid.add_row(Text(n.at.strftime("%Y-%m-%d %H:%M")), Text(n.officer), Text(n.text))
        return Group(Text(""), title, grid)
