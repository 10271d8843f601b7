from datetime import date

from liaison.domain.refs import format_ref, parse_ref
from liaison.domain.search import Query, haystack, name_keys


def test_reference_format_round_trip():
    ref = format_ref("FQYF", date(2026, 11, 28), 7)
    assert ref == "FQYF-20261128-007"
    assert parse_ref(ref) == ("FQYF", date(2026, 11, 28), 7)
    assert parse_ref("fqyf-20261128-007") == ("FQYF", date(2026, 11, 28), 7)
    assert parse_ref("FQYF-20261332-001") is None and parse_ref("nonsense") is None


def test_pinyin_keys_give_full_syllables_and_initials():
    keys = name_keys("张三")
    assert "zhangsan" in keys and "zs" in keys.split()


def _match(q, record, phone=None):
    return Query.parse(q).matches(haystack(record, name_keys(record["visitor"]["name"])), phone)


REC = {"ref": "FQB-20261128-001", "summary": "楼上噪音扰民，多次协商无果", "requests": "希望调解",
       "advice": "", "visitor": {"name": "钱大伟"}, "details": {}, "notes": [{"text": "已约调解员"}]}


def test_chinese_terms_of_one_and_two_characters_match():
    assert _match("噪音", REC) and _match("调", REC) and not _match("欠薪", REC)


def test_phone_tail_matches_only_the_end():
    assert _match("5678", REC, phone="13912345678")
    assert not _match("1234", REC, phone="13912345678")


def test_pinyin_and_initials_and_all_terms_must_match():
    assert _match("qian", REC) and _match("qdw", REC) and _match("QDW", REC)
    assert _match("噪音 调解员", REC) and not _match("噪音 漏水", REC)


def test_narrowing_is_only_claimed_when_safe():
    assert Query.parse("噪音扰").narrows(Query.parse("噪音"))
    assert not Query.parse("噪").narrows(Query.parse("噪音"))
    assert not Query.parse("567").narrows(Query.parse("56"))  # a different phone tail
