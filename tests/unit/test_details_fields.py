"""Issue 13, case 14 (and the data side of 15): the category fields that help the officer
advise — validated, searchable, exported, in the ledger — the urgent steps after a fraud,
the statutory deadlines, and anonymous vs no name given."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from liaison.domain.advice import deadline_text, deadlines, urgent_steps, visitor_label
from liaison.domain.consultation import Consultation
from liaison.domain.intake import apply_edits, fields_from_input, new_consultation
from liaison.domain.personal import split
from liaison.domain.search import Query, haystack
from liaison.domain.timeutil import TZ
from liaison.domain.validation import ValidationError, related_errors
from liaison.reports.ledger import build
from liaison.sync.fields import record_problem

VISIT = datetime(2026, 11, 28, 10, 0, tzinfo=TZ)


def make(mapping: dict, ref: str = "FQYF-20261128-001") -> Consultation:
    fields = fields_from_input({"visited_at": VISIT.isoformat(), **mapping}, officer="王检察官")
    return new_consultation(fields, station="fengqiao-yuanfang", ref=ref, at=VISIT)


FRAUD = {"category": "电信网络诈骗", "summary": "接到冒充客服电话，被骗转账",
         "details": {"amount_lost": "5万", "paid_via": "手机银行转账", "paid_at": "2026-11-27 21:30",
                     "reported_to_police": "否"}}


def test_fraud_details_are_typed_and_stored():
    c = make(FRAUD)
    assert c.details == {"amount_lost": 50000, "paid_via": "手机银行转账",
                         "paid_at": "2026-11-27T21:30:00+08:00", "reported_to_police": False}
    assert Consultation.from_dict(c.to_dict()).details == c.details


@pytest.mark.parametrize("key,value,field", [
    ("amount_lost", "很多", "details.amount_lost"),
    ("amount_lost", "-5", "details.amount_lost"),
    ("paid_at", "昨天晚上", "details.paid_at"),
    ("paid_at", "2026-12-05 10:00", "details.paid_at"),  # after the visit: money not yet paid
    ("reported_to_police", "也许", "details.reported_to_police"),
])
def test_fraud_details_are_validated(key, value, field):
    with pytest.raises(ValidationError) as e:
        make({**FRAUD, "details": {key: value}})
    assert e.value.for_field(field) is not None


def test_each_category_has_its_own_fields():
    assert make({"category": "邻里纠纷", "summary": "楼上漏水",
                 "details": {"other_party": "502室住户", "place": "长阳路某小区"}}).details["place"] == "长阳路某小区"
    assert make({"category": "婚恋家庭", "summary": "赡养纠纷", "details": {"relation": "母子"}}).details == {"relation": "母子"}
    admin = make({"category": "行政争议", "summary": "不服处罚决定",
                  "details": {"agency": "区市场监管局", "decision": "罚款2万元", "decision_known_on": "2026/11/3"}})
    assert admin.details["decision_known_on"] == "2026-11-03"
    with pytest.raises(ValidationError):  # a neighbour visit has no agency
        make({"category": "邻里纠纷", "summary": "x", "details": {"agency": "区市场监管局"}})


def test_urgent_steps_only_within_72_hours_of_the_payment():
    c = make(FRAUD)  # paid 2026-11-27 21:30
    steps = urgent_steps(c, VISIT)
    assert steps and "110" in steps and "96110" in steps and "紧急止付" in steps
    assert "stop-payment" in urgent_steps(c.to_dict(), VISIT, "en")  # the dict form too (receipts)
    assert urgent_steps(c, datetime(2026, 11, 27, 21, 30, tzinfo=TZ) + timedelta(hours=73)) is None
    assert urgent_steps(make({**FRAUD, "details": {"amount_lost": "500"}}), VISIT) is None  # no time given
    assert urgent_steps(make({"category": "其他", "summary": "x"}), VISIT) is None


def test_statutory_deadlines_as_dates_with_days_left():
    d = deadlines("administrative", {"decision_known_on": "2026-11-03"})
    assert [(x.zh, x.due) for x in d] == [("行政复议", date(2027, 1, 2)), ("行政诉讼", date(2027, 5, 3))]
    text = deadline_text("administrative", {"decision_known_on": "2026-11-03"}, date(2026, 11, 28))
    assert "参考" in text and "行政复议 2027-01-02（还剩35天）" in text and "行政诉讼 2027-05-03" in text
    assert "guidance" in deadline_text("administrative", {"decision_known_on": "2026-11-03"}, date(2026, 11, 28), "en")
    assert deadlines("labour", {"dispute_on": "2026-02-28"})[0].due == date(2027, 2, 28)
    assert deadlines("administrative", {"decision_known_on": "2026-08-31"})[1].due == date(2027, 2, 28)
    assert deadlines("administrative", {}) == []
    make({"category": "劳资/欠薪", "summary": "欠薪", "details": {"dispute_on": "2026-06-30"}})  # a labour field


def test_new_fields_are_searchable():
    hay = haystack(make(FRAUD).to_dict())
    for term in ("手机银行", "50000"):
        assert Query.parse(term).matches(hay, None)


def test_new_fields_are_sealed_and_related_to_is_exported_in_the_clear():
    c = make({**FRAUD, "related_to": ["FQYF-20261101-002"]}, ref="FQYF-20261128-003")
    clear, personal = split(c.to_dict())
    assert clear["related_to"] == ["FQYF-20261101-002"] and "related_to" not in personal
    assert personal["details"]["paid_via"] == "手机银行转账" and "details" not in clear


def test_ledger_shows_the_new_fields_and_tells_no_name_from_anonymous():
    fraud = make(FRAUD).to_dict()
    noname = make({"category": "其他", "summary": "咨询", "visitor": {"party_size": 1}},
                  ref="FQYF-20261128-002").to_dict()
    anon = make({"category": "其他", "summary": "匿名举报", "visitor": {"anonymous": True}},
                ref="FQYF-20261128-003").to_dict()
    led = build([fraud, noname, anon], "2026-11", "枫桥远坊", date(2026, 11, 30))
    by_summary = {r[4]: r for r in led.rows}
    assert "被骗金额(元) 50,000" in by_summary[FRAUD["summary"]][3]
    assert "已报警 否" in by_summary[FRAUD["summary"]][3]
    assert by_summary["咨询"][2] == "未留姓名" and by_summary["匿名举报"][2] == "匿名"
    assert visitor_label(None, False) == "未留姓名" and visitor_label(None, True) == "（匿名）"
    assert visitor_label(None, False, "en") == "no name given"


def test_related_to_is_validated():
    with pytest.raises(ValidationError) as e:
        make({"category": "其他", "summary": "x", "related_to": ["前三起"]})
    assert e.value.for_field("related_to") is not None
    with pytest.raises(ValidationError):
        make({"category": "其他", "summary": "x", "related_to": ["FQYF-20261128-001"]}, ref="FQYF-20261128-001")
    c = make({"category": "其他", "summary": "x", "related_to": "fqyf-20261101-002，FQYF-20261101-003"},
             ref="FQYF-20261128-009")
    assert c.related_to == ("FQYF-20261101-002", "FQYF-20261101-003")
    assert apply_edits(c, {"related_to": ""}).related_to == ()
    known = {"FQYF-20261101-002": "fengqiao-yuanfang", "FQB-20261101-001": "fengqiao-ban"}.get
    assert related_errors(["FQYF-20261101-002"], known, "fengqiao-yuanfang") == []
    assert related_errors(["FQYF-20261101-009"], known, "fengqiao-yuanfang")[0].field == "related_to"
    assert related_errors(["FQB-20261101-001"], known, "fengqiao-yuanfang")[0].en.startswith("only visits")


def test_old_public_interest_referral_still_reads():
    c = make({"category": "其他", "summary": "x", "referrals": ["public_interest"]})
    assert c.referrals == ("public_interest",)


def test_incoming_related_to_is_checked():
    good = {"id": "abc", "version": 1, "station": "fengqiao-yuanfang", "related_to": ["FQYF-20261101-002"]}
    assert record_problem(good) is None
    assert record_problem({**good, "related_to": ["x" * 500]}) is not None
    assert record_problem({**good, "related_to": "FQYF-20261101-002"}) is not None

