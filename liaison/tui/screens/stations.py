"""Switching station on a laptop shared by several stations (`s` on the dashboard).

Lists the stations set up on this laptop (home.stations_on_this_laptop). Choosing
another ends this app with that folder as its result: the store is closed on the way
out, and `liaison` opens the other station afresh at its own unlock screen — each
station has its own officers and PINs, so nothing of this session may carry over."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...home import stations_on_this_laptop
from ..base import LiaisonModal


def station_name(home: Path) -> str:
    """The station's short name from its meta.json (no unlock needed); the folder name
    if it cannot be read."""
    from ...profiles import get_station
    from ...store.meta import Meta

    try:
        meta = Meta(home)
        try:
            station_id = meta.get()["station"]
        finally:
            meta.close()
        return get_station(station_id).short_name
    except Exception:  # noqa: BLE001 — a damaged folder still shows in the list, by name
        return home.name


class StationSwitchScreen(LiaisonModal):
    """Dismisses with the chosen station's folder, or None (Esc, or the current one)."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="no")]

    def __init__(self) -> None:
        super().__init__()
        self.homes: list[Path] = []

    def compose(self) -> ComposeResult:
        current = Path(self.app.home)
        self.homes = stations_on_this_laptop(current)
        with Vertical(classes="dialog"):
            yield Static(id="switch-title", classes="section-title")
            yield OptionList(*[Option(self._label(i, h, current), id=str(i)) for i, h in enumerate(self.homes)],
                             id="station-list")
            yield Static(id="switch-hint", classes="hint")

    def _label(self, i: int, home: Path, current: Path) -> str:
        mark = " ✓" if home.resolve() == current.resolve() else ""
        return f"[b]{i + 1}[/b]  {station_name(home)}{mark}\n   [dim]{home}[/dim]"

    def on_mount(self) -> None:
        super().on_mount()
        ol = self.query_one(OptionList)
        ol.focus()
        current = Path(self.app.home).resolve()
        ol.highlighted = next((i for i, h in enumerate(self.homes) if h.resolve() == current), 0)

    def apply_lang(self) -> None:
        self.query_one("#switch-title", Static).update(self.tr("switch_station_title"))
        self.query_one("#switch-hint", Static).update(self.tr("switch_station_hint"))

    def on_key(self, event) -> None:
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(self.homes):
            event.stop()
            self._choose(self.homes[int(event.character) - 1])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(self.homes[event.option_index])  # the options are the homes, in order

    def _choose(self, home: Path) -> None:
        self.dismiss(None if home.resolve() == Path(self.app.home).resolve() else home)

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_station_switch(app) -> None:
    """Ask which station; leaving this one ends the app with the other's folder."""
    def chosen(home: Path | None) -> None:
        if home is not None:
            app.exit(result=home)  # on_unmount closes the store

    app.open_screen(StationSwitchScreen(), chosen)
