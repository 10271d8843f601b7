from datetime import date

import pytest

from liaison.domain.intake import apply_edits, fields_from_input, new_consultation
from liaison.domain.validation import ValidationError, normalize_phone


def make(data, **kw):
    return new_consultation(fields_from_input(data, officer="王"), station="fengqiao-yuanfang", ref="FQYF-20261128-001", **kw)


@pytest.mark.parametrize("raw", ["13800001234", "138 0000 1234", "１３８００００１２３４", "+86 138-0000-1234", "0086 13800001234"])
def test_phone_forms_people_type_are_normalised(raw):
    assert normalize_phone(raw) == "13800001234"


@pytest.mark.parametrize("raw", ["1380000123", "12800001234", "23800001234", "138000012345", "phone"])
def test_bad_phones_are_refused_with_both_languages(raw):
    with pytest.raises(ValidationError) as e:
        normalize_phone(raw)
    err = e.value.for_field("visitor.phone")
    assert err and "11位" in err.zh and "11 digits" in err.en


def test_summary_required_and_every_error_reported_at_once():
    with pytest.raises(ValidationError) as e:
        make({"category": "labour", "summary": "  ", "visitor": {"phone": "123", "name": "张三", "consent": True},
              "details": {"amount_owed": "-5"}})
    fields = {err.field for err in e.value.errors}
    assert {"summary", "visitor.phone", "details.amount_owed"} <= fields


def test_unknown_and_assigned_keys_are_refused():
    with pytest.raises(ValidationError) as e:
        fields_from_input({"category": "other", "summary": "x", "colour": "red", "id": "abc"}, officer="王")
    msgs = {err.field: err.en for err in e.value.errors}
    assert "unknown key" in msgs["colour"]
    assert "assigned by liaison" in msgs["id"]


def test_personal_details_need_consent_and_anonymous_keeps_none():
    with pytest.raises(ValidationError) as e:
        make({"category": "other", "summary": "咨询", "visitor": {"name": "张三"}})
    assert e.value.for_field("visitor.consent")
    with pytest.raises(ValidationError) as e:
        make({"category": "other", "summary": "咨询", "visitor": {"anonymous": True, "phone": "13800001234", "consent": True}})
    assert e.value.for_field("visitor")
    c = make({"category": "other", "summary": "举报非法采砂", "visitor": {"anonymous": True}})
    assert c.visitor.name is None and c.visitor.phone is None


def test_group_visit_amounts_and_labels():
    c = make({"category": "劳资/欠薪", "summary": "27名工人被拖欠工资", "visitor": {"party_size": "27"},
              "details": {"employer": "某劳务公司", "amount_owed": "60万", "workers": "27"},
              "referrals": "劳动监察, 12309检察服务中心"})
    assert c.category == "labour" and c.visitor.party_size == 27
    assert c.details == {"employer": "某劳务公司", "amount_owed": 600000, "workers": 27}
    assert c.referrals == ("labour_inspection", "service_centre_12309")


def test_details_must_belong_to_the_category_and_party_size_positive():
    with pytest.raises(ValidationError) as e:
        make({"category": "neighbour", "summary": "噪音", "details": {"employer": "x"}, "visitor": {"party_size": 0}})
    assert e.value.for_field("details.employer") and e.value.for_field("visitor.party_size")


def test_dates_checked():
    with pytest.raises(ValidationError) as e:
        make({"category": "other", "summary": "x", "follow_up_on": "2026-13-01"})
    assert "YYYY-MM-DD" in e.value.for_field("follow_up_on").en
    with pytest.raises(ValidationError) as e:
        make({"category": "other", "summary": "x", "visited_at": "2026-11-20T10:00:00+08:00", "follow_up_on": "2026-11-01"})
    assert e.value.for_field("follow_up_on")


def test_edit_changes_fields_and_moving_category_drops_foreign_details():
    c = make({"category": "labour", "summary": "欠薪", "details": {"employer": "甲公司"}})
    e = apply_edits(c, {"category": "rider", "details.platform": "某外卖平台", "follow_up_on": "2030-01-02"})
    assert e.category == "rider" and e.details == {"platform": "某外卖平台"}
    assert e.follow_up_on == date(2030, 1, 2)
    assert apply_edits(e, {"follow_up_on": ""}).follow_up_on is None
    with pytest.raises(ValidationError):
        apply_edits(c, {"version": "9"})


def test_shapes_people_get_wrong_are_reported_not_crashed():
    with pytest.raises(ValidationError) as e:
        fields_from_input({"category": "other", "summary": "x", "visitor": "张三", "details": "x"}, officer="王")
    assert e.value.for_field("visitor") and e.value.for_field("details")
    f = fields_from_input({"category": "other", "summary": "x", "notes": "已回访",
                           "referrals": "人民调解、法律援助、公安"}, officer="王")
    assert [n.text for n in f["notes"]] == ["已回访"]
    assert f["referrals"] == ("mediation", "legal_aid", "police")
