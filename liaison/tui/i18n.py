"""Interface strings in Chinese and English. Keys are stable ids; `tr(key, lang)`."""

from __future__ import annotations

from ..domain import vocab

STRINGS: dict[str, tuple[str, str]] = {
    # bindings (by Binding.id) and actions
    "new": ("新建", "New"),
    "list": ("列表", "List"),
    "followups": ("回访", "Follow-ups"),
    "dashboard": ("首页", "Home"),
    "help": ("帮助", "Help"),
    "lang": ("English", "中文"),
    "theme": ("明暗", "Theme"),
    "quit": ("退出", "Quit"),
    "back": ("返回", "Back"),
    "save": ("保存", "Save"),
    "open": ("打开", "Open"),
    "search": ("搜索", "Search"),
    "due": ("到期", "Due"),
    "status": ("状态", "Status"),
    "note": ("备注", "Note"),
    "follow_up": ("回访日期", "Follow-up"),
    "edit": ("修改", "Edit"),
    "clue": ("线索", "Clue"),
    "delete": ("删除", "Delete"),
    "anonymous": ("匿名", "Anonymous"),
    "week1": ("+1周", "+1 week"),
    "week2": ("+2周", "+2 weeks"),
    "yes": ("确定", "Yes"),
    "no": ("取消", "No"),
    "qr": ("二维码", "QR code"),
    "receipt": ("回执码", "Receipt"),
    # dashboard
    "today_visits": ("今日接待", "Visits today"),
    "week_visits": ("本周接待", "This week"),
    "due_today": ("今日到期回访", "Follow-ups due today"),
    "overdue": ("逾期回访", "Overdue follow-ups"),
    "unexported": ("未导出记录", "Not yet exported"),
    "last_sync": ("上次同步", "Last sync"),
    "never": ("从未", "never"),
    "schedule": ("坐班时间", "Schedule"),
    "by_category": ("本周分类", "This week by category"),
    "loading": ("正在打开数据…", "Opening the records…"),
    "nothing_due": ("没有到期的回访", "No follow-ups due"),
    "people": ("人次", "visits"),
    # list
    "search_placeholder": ("搜索：中文、电话尾号、拼音或首字母（如 zs）", "Search: Chinese, phone tail, pinyin or initials (e.g. zs)"),
    "all_statuses": ("全部状态", "All statuses"),
    "all_categories": ("全部类别", "All categories"),
    "count": ("共 {n} 条", "{n} consultations"),
    "col_ref": ("编号", "Ref"),
    "col_date": ("日期", "Date"),
    "col_category": ("类别", "Category"),
    "col_visitor": ("来访人", "Visitor"),
    "col_status": ("状态", "Status"),
    "col_follow_up": ("回访", "Follow-up"),
    "col_summary": ("摘要", "Summary"),
    "anon_visitor": ("（匿名）", "(anonymous)"),
    "party_of": ("等{n}人", "+{n} people"),
    "no_rows": ("没有符合条件的记录", "No consultations match"),
    # detail
    "visited": ("来访时间", "Visited"),
    "officer": ("接待人", "Officer"),
    "visitor": ("来访人", "Visitor"),
    "phone": ("电话", "Phone"),
    "party_size": ("来访人数", "Party size"),
    "consent": ("同意记录个人信息", "Consent to keep details"),
    "summary": ("事由摘要", "Summary"),
    "requests": ("诉求", "Requests"),
    "advice": ("答复意见", "Advice given"),
    "referrals": ("转介", "Referrals"),
    "notes": ("记录", "Notes"),
    "category": ("类别", "Category"),
    "version": ("版本", "Version"),
    "deleted": ("已删除", "Deleted"),
    "confirm_delete": ("确定删除 {ref}？删除后列表中不再显示，院本部会收到删除记录。",
                       "Delete {ref}? It disappears from lists; the district office is told of the deletion."),
    "saved": ("已保存 {ref}", "Saved {ref}"),
    "save_failed": ("保存失败：{error}", "Could not save: {error}"),
    "new_version": ("已保存为第{v}版", "Saved as version {v}"),
    # intake
    "new_title": ("新建咨询登记", "New consultation"),
    "edit_title": ("修改 {ref}", "Edit {ref}"),
    "pick_category": ("选择类别（按数字键）", "Pick a category (number keys)"),
    "discard_changes": ("放弃未保存的内容？", "Discard what you typed?"),
    "draft_found": ("发现上次未保存的登记（{when}），是否恢复？", "An unsaved consultation from {when} was found. Restore it?"),
    "locked": ("已锁定", "Locked"),
}


def tr(key: str, lang: str, **values: object) -> str:
    pair = STRINGS.get(key)
    text = key if pair is None else (pair[0] if lang == "zh" else pair[1])
    return text.format(**values) if values else text


def category(code: str, lang: str) -> str:
    return vocab.label(vocab.CATEGORIES, code, lang)


def status(code: str, lang: str) -> str:
    return vocab.label(vocab.STATUSES, code, lang)


def referral(code: str, lang: str) -> str:
    return vocab.label(vocab.REFERRALS, code, lang)
