"""Command palette entries (ctrl+p) for every action of the app, in the interface
language (the language switch, theme and quit come from `BaseApp.get_system_commands`)."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .i18n import tr

ACTIONS = ["new", "list", "followups", "ledger", "home", "lock", "resident", "help"]


class LiaisonCommands(Provider):
    def _hits(self):
        lang = self.app.lang
        for action in ACTIONS:
            yield action, tr(f"cmd_{action}", lang)

    async def discover(self) -> Hits:
        for action, text in self._hits():
            yield DiscoveryHit(text, self._runner(action))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, text in self._hits():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), self._runner(action))

    def _runner(self, action: str):
        async def run() -> None:
            await self.app.run_action(action)
        return run
