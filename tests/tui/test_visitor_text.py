"""The list tells a visitor who asked for anonymity from one who gave no name."""

from __future__ import annotations

from liaison.domain.intake import fields_from_input


def test_the_list_tells_anonymous_from_no_name_given(tmp_path):
    """Issue 13 case 14: （匿名） only for a visitor who asked for anonymity; one who just
    gave no name is 未留姓名 — in the station's list (TUI row) and `liaison list`."""
    from liaison.cli.output import list_row
    from liaison.store import Store
    from liaison.tui.widgets.record_list import visitor_text

    store = Store.init(tmp_path / "st", station="fengqiao-ban", code="FQB", officer="李检察官")
    try:
        quiet = store.create(fields_from_input({"category": "neighbour", "summary": "楼上噪音",
                                                "visitor": {"consent": True}}, officer="李检察官"))
        hidden = store.create(fields_from_input({"category": "other", "summary": "举报非法采砂",
                                                 "visitor": {"anonymous": True}}, officer="李检察官"))
        rows = {r.id: r for r in store.index.newest_first()}
    finally:
        store.close()
    assert "未留姓名" in list_row(rows[quiet.id], "")[3] and "（匿名）" in list_row(rows[hidden.id], "")[3]
    assert visitor_text(rows[quiet.id], "zh").startswith("未留姓名")
    assert visitor_text(rows[hidden.id], "zh").startswith("（匿名）")
    assert visitor_text(rows[quiet.id], "en").startswith("no name given")
