"""Issue 11: one validation for every way in, with bounds a court clerk would accept,
and old records (stored before a rule existed) that still open, edit and delete."""

from datetime import date, timedelta

import pytest

from liaison.domain.consultation import Consultation
from liaison.domain.intake import apply_edits, fields_from_input, new_consultation
from liaison.domain.timeutil import now, parse_date, parse_datetime
from liaison.domain.validation import (
    MAX_CLUE_NOTE,
    MAX_DETAIL,
    MAX_NAME,
    MAX_NOTE,
    MAX_TEXT,
    ValidationError,
    safe_text,
    validate,
)

OK = {"category": "other", "summary": "咨询"}


def refused(data, **kw) -> dict[str, str]:
    with pytest.raises(ValidationError) as e:
        fields_from_input({**OK, **data}, officer="王", **kw)
    return {err.field: err.en for err in e.value.errors}


def test_visit_dates_from_2000_to_one_day_ahead():
    assert "visited_at" in refused({"visited_at": "0001-01-01T00:00:00"})
    assert "visited_at" in refused({"visited_at": "1999-12-31T23:59:00"})
    assert "visited_at" in refused({"visited_at": (now() + timedelta(days=2)).isoformat()})
    fields_from_input({**OK, "visited_at": "2000-01-01T00:00:00"}, officer="王")


def test_follow_ups_within_five_years_of_the_visit_and_no_overflow():
    assert "follow_up_on" in refused({"follow_up_on": "+99999999w"})
    assert "follow_up_on" in refused({"follow_up_on": (date.today() + timedelta(days=6 * 365)).isoformat()})
    assert "follow_up_on" in refused({"follow_up_on": "9999-12-31"})
    fields_from_input({**OK, "follow_up_on": "+4w"}, officer="王")


@pytest.mark.parametrize("size", [1e30, 0, 10_001, True, 2.5, "1e30", "inf", "nan", [3]])
def test_party_size_whole_number_1_to_10000(size):
    assert "visitor.party_size" in refused({"visitor": {"party_size": size}})


def test_party_size_from_csv_text_still_accepted():
    assert fields_from_input({**OK, "visitor": {"party_size": "27"}}, officer="王")["visitor"].party_size == 27


@pytest.mark.parametrize("data, field", [
    ({"summary": ["a", "b"]}, "summary"),
    ({"requests": {"x": 1}}, "requests"),
    ({"notes": 5}, "notes"),
    ({"notes": {"a": 1}}, "notes"),
    ({"notes": [{"text": ["x"]}]}, "notes"),
    ({"visitor": {"name": ["张", "三"], "consent": True}}, "visitor.name"),
    ({"visited_at": 20261103}, "visited_at"),
    ({"follow_up_on": ["2026-11-03"]}, "follow_up_on"),
    ({"category": ["other"]}, "category"),
    ({"clue": {"flag": True, "note": ["x"]}}, "clue.note"),
])
def test_exact_types_never_stringified(data, field):
    assert field in refused(data)


def test_a_station_other_than_this_one_is_refused():
    assert "station" in refused({"station": "rider-friendly"}, station="fengqiao-yuanfang")
    fields_from_input({**OK, "station": "fengqiao-yuanfang"}, officer="王", station="fengqiao-yuanfang")


@pytest.mark.parametrize("data, field", [
    ({"summary": "x" * (MAX_TEXT + 1)}, "summary"),
    ({"advice": "x" * (MAX_TEXT + 1)}, "advice"),
    ({"notes": ["x" * (MAX_NOTE + 1)]}, "notes"),
    ({"notes": ["x" * 5_000_000]}, "notes"),
    ({"clue": {"flag": True, "note": "x" * (MAX_CLUE_NOTE + 1)}}, "clue.note"),
    ({"visitor": {"name": "张" * (MAX_NAME + 1), "consent": True}}, "visitor.name"),
    ({"category": "labour", "details": {"employer": "x" * (MAX_DETAIL + 1)}}, "details.employer"),
])
def test_every_free_text_field_has_a_length_limit(data, field):
    assert field in refused(data)


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[2J", "\x85", "\u202e", "\u2066", "\u200f", "\u061c", "\ud800"])
def test_control_and_bidi_characters_refused(bad):
    assert "summary" in refused({"summary": f"事{bad}由"})
    assert "visitor.name" in refused({"visitor": {"name": f"张{bad}三", "consent": True}})


def test_tab_and_newline_kept_in_text_but_newline_refused_in_a_name():
    fields_from_input({**OK, "summary": "第一行\n第二行\t完"}, officer="王")
    assert "visitor.name" in refused({"visitor": {"name": "张\n三", "consent": True}})


def test_every_error_reported_at_once():
    got = refused({"visited_at": "0001-01-01T00:00:00", "summary": ["a"], "notes": 5, "colour": "red",
                   "visitor": {"party_size": 1e30, "name": "\x1b]0;x\x07", "consent": True},
                   "follow_up_on": "+99999999w"}, station="fengqiao-yuanfang")
    assert {"visited_at", "summary", "notes", "colour", "visitor.party_size", "visitor.name", "follow_up_on"} <= set(got)


@pytest.mark.parametrize("text", ["2026/11/3", "2026-11-03", "2026年11月3日", "2026.11.3", "2026/11/03"])
def test_csv_dates_in_the_forms_excel_and_people_write(text):
    assert parse_date(text) == date(2026, 11, 3)
    assert parse_datetime(text).date() == date(2026, 11, 3)


@pytest.mark.parametrize("text", ["2026/11/3 9:30", "2026-11-03 09:30", "2026年11月3日 09:30", "2026.11.3 9:30:00"])
def test_csv_date_times(text):
    got = parse_datetime(text)
    assert (got.date(), got.hour, got.minute) == (date(2026, 11, 3), 9, 30)


# -- old data ----------------------------------------------------------------------

def _old(**changes) -> Consultation:
    """A record as stored before the rules: read back the way the store reads it."""
    c = new_consultation(fields_from_input(OK, officer="王"), station="fengqiao-yuanfang", ref="FQYF-20261103-001")
    d = c.to_dict()
    d.update(changes)
    return Consultation.from_dict(d)


def test_a_year_one_record_reads_and_writes_back_unchanged():
    c = _old(visited_at="0001-01-01T00:00:00+08:05:43", summary="坏\x00数据")
    assert c.visited_at.year == 1
    assert Consultation.from_dict(c.to_dict()).to_dict() == c.to_dict()


def test_an_old_record_can_be_edited_in_the_fields_it_has_right_and_deleted():
    c = _old(visited_at="0001-01-01T00:00:00+08:00", summary="坏\x00数据",
             notes=[{"at": "2026-11-03T09:00:00+08:00", "officer": "王", "text": "x" * (MAX_NOTE + 5)}])
    edited = apply_edits(c, {"status": "closed"})  # untouched old values are not refused
    validate(edited)
    with pytest.raises(ValidationError) as e:
        apply_edits(c, {"summary": "仍有\x1b坏字符"})  # what the edit types is checked
    assert e.value.for_field("summary")
    fixed = apply_edits(c, {"summary": "已改正", "visited_at": "2026-11-03T09:00"})
    assert fixed.summary == "已改正" and fixed.visited_at.year == 2026
    validate(c.evolve(deleted=True))


def test_safe_text_shows_control_characters_harmlessly():
    assert safe_text("a\x00b\x1b[2Jc\u202ed") == "a\ufffdb\ufffd[2Jc\ufffdd"
    assert safe_text("行一\n行二\t") == "行一\n行二\t"
    assert safe_text("\ud800") == "\ufffd"
