"""What every screen of the app shares: language, data refresh, saving in a worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import ModalScreen, Screen

from .bindings import localize_bindings
from .i18n import tr

if TYPE_CHECKING:
    from .app import LiaisonApp

    _ScreenBase = Screen[Any]
else:
    _ScreenBase = object  # mixed into a Screen: typed as one, a plain class at run time


class LangMixin(_ScreenBase):
    # Textual's own, narrowed to the station's app (the office dashboard, whose app is
    # HqApp, has its own accessor). An annotation only: nothing is assigned.
    app: LiaisonApp

    def tr(self, key: str, **values: object) -> str:
        return tr(key, self.app.lang, **values)

    def _setup_lang(self) -> None:
        localize_bindings(self, self.app.lang)
        self.watch(self.app, "lang", self._lang_changed, init=False)
        self.watch(self.app, "revision", self._revision_changed, init=False)

    def _lang_changed(self, lang: str) -> None:
        localize_bindings(self, lang)
        self.apply_lang()

    def _revision_changed(self, _: int) -> None:
        if self.app.store is not None:
            self.refresh_data()

    def apply_lang(self) -> None:
        """Re-label what this screen shows (called after a language switch)."""

    def refresh_data(self) -> None:
        """Reload what this screen shows from the store (records changed)."""


class LiaisonScreen(LangMixin, Screen[Any]):
    def on_mount(self) -> None:
        self._setup_lang()
        self.apply_lang()
        if self.app.store is not None:
            self.refresh_data()


class LiaisonModal(LangMixin, ModalScreen[Any]):
    def on_mount(self) -> None:
        self._setup_lang()
        self.apply_lang()
