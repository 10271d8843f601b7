"""Command palette entries (ctrl+p) for every action of the app."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .i18n import tr

ACTIONS = [
    ("new", "new", "新建咨询登记 New consultation"),
    ("list", "list", "咨询列表与搜索 Consultations and search"),
    ("followups", "followups", "到期回访 Follow-ups due"),
    ("ledger", "ledger", "本月台账 Monthly ledger"),
    ("home", "dashboard", "首页 Dashboard"),
    ("toggle_lang", "lang", "切换语言 Switch language 中文/English"),
    ("toggle_theme", "theme", "切换明暗主题 Light / dark theme"),
    ("lock", "lock", "锁定屏幕 Lock the screen"),
    ("resident", "resident", "居民模式（只显示二维码）Resident view (QR code only)"),
    ("help", "help", "快捷键帮助 Keys and help"),
    ("quit", "quit", "退出 Quit"),
]


class LiaisonCommands(Provider):
    def _hits(self):
        lang = self.app.lang
        for action, key, text in ACTIONS:
            yield action, f"{tr(key, lang)} · {text}"

    async def discover(self) -> Hits:
        for action, text in self._hits():
            yield DiscoveryHit(text, self._runner(action), help=f"action: {action}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, text in self._hits():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), self._runner(action), help=f"action: {action}")

    def _runner(self, action: str):
        async def run() -> None:
            await self.app.run_action(action)
        return run
