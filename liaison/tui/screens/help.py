"""F1: every key of the app, grouped by screen."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from ..base import LiaisonScreen
from ..widgets.keybar import KeyBar

# (title zh, en) -> [(key, or (zh, en) for a key named in words; text zh; text en)]
KEYS: dict[tuple[str, str], list[tuple[str | tuple[str, str], str, str]]] = {
    ("全局", "Everywhere"): [("F1", "帮助", "Help"), ("ctrl+p", "命令面板", "Command palette"),
                            ("ctrl+g", "切换中文/English", "Switch language"), ("ctrl+t", "明暗主题", "Light / dark theme"),
                            ("ctrl+l", "锁定（离开电脑时按；空闲时也会自动锁定）", "Lock (when you step away; it also locks itself when idle)"),
                            ("F9", "居民模式：只显示本站二维码，警员输入 PIN 后返回", "Resident view: only the QR code; an officer's PIN returns"),
                            ("ctrl+q", "退出", "Quit")],
    ("首页", "Dashboard"): [("n", "新建咨询登记", "New consultation"), ("l", "咨询列表与搜索", "Consultations and search"),
                          ("f", "到期回访", "Follow-ups due"), ("q", "本站法治服务清单二维码", "The station's service-list QR code"),
                          ("t", "台账（[ ] 换月，x 导出Excel）", "Ledger ([ ] month, x export XLSX)")],
    ("列表", "List"): [(("输入", "type"), "边输边搜：中文、电话尾号、拼音或首字母", "Type to search: Chinese, phone tail, pinyin, initials"),
                      ("↑ ↓ PgUp PgDn", "移动", "Move"), ("Enter", "打开", "Open"), ("F2", "按状态筛选", "Filter by status"),
                      ("F3", "按类别筛选", "Filter by category"), ("ctrl+d", "只看到期回访", "Only follow-ups due"),
                      ("ctrl+f", "回到搜索框", "Back to the search box"), ("Esc", "返回", "Back")],
    ("登记", "New consultation"): [("1-8", "选择类别", "Pick the category"), ("Tab", "下一项", "Next field"),
                                 ("ctrl+a", "匿名来访（不记录姓名电话）", "Anonymous visit (no name or phone)"),
                                 ("F5 / F6", "回访日期 +1周 / +2周", "Follow-up in 1 / 2 weeks"),
                                 ("ctrl+s", "保存", "Save"), ("Esc", "返回（有未保存内容时先确认）", "Back (asks first if anything is unsaved)")],
    ("详情", "Detail"): [("s", "更改状态", "Change status"), ("n", "添加记录", "Add a note"), ("f", "设回访日期", "Set follow-up"),
                        ("e", "修改", "Edit"), ("c", "公益诉讼线索", "Public-interest clue"), ("r", "回执二维码（不含个人信息）", "Receipt QR (no personal data)"),
                        ("Delete", "删除（需确认）", "Delete (asks first)"),
                        ("Esc", "返回", "Back")],
}


class HelpScreen(LiaisonScreen):
    # Only keys, no record: shown on the lock screen too (F1 always works). Closed by the
    # screen's own dismiss, which the lock does not refuse (the app's actions it does).
    SHOWN_WHILE_LOCKED = True
    # F1 closes help again; it keeps its "help" label so the key bar reads the same everywhere
    BINDINGS = [Binding("escape", "dismiss", "返回", id="back"),
                Binding("f1", "dismiss", "帮助", id="help")]

    def on_idle_timeout(self) -> None:
        """Nobody touched the keys (while locked): back to the lock screen under it."""
        self.dismiss()

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="help"):
            yield Static(id="help-text")
        yield KeyBar()

    def apply_lang(self) -> None:
        zh = self.app.lang == "zh"
        lines = []
        for (zh_title, en_title), keys in KEYS.items():
            lines.append(f"\n[b]{zh_title if zh else en_title}[/b]")
            for key, zh_text, en_text in keys:
                if isinstance(key, tuple):  # a key named in words
                    key = key[0] if zh else key[1]
                pad = " " * max(1, 15 - cell_len(key))  # display cells: 输入 is four wide
                lines.append(f"  [b]{key}[/b]{pad}{zh_text if zh else en_text}")
        self.query_one("#help-text", Static).update("\n".join(lines))
