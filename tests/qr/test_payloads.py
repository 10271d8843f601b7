"""Payloads and the terminal rendering of every station's code, decoded by zxing-cpp."""

from __future__ import annotations

from datetime import date

import pytest

from liaison.demo_data import SCENARIO_IDS, scenarios
from liaison.domain.intake import fields_from_input
from liaison.domain.vocab import CATEGORIES, REFERRALS, STATUSES
from liaison.profiles import get_station, load_all, office_for
from liaison.qr.payloads import (
    SCREEN_MAX_VERSION,
    PayloadTooLong,
    fit,
    receipt_payload,
    receipt_text,
    service_payload,
    service_text,
)
from liaison.qr.render import QUIET, half_block_lines, matrix, terminal_text, text_size
from tests.qr.qr_raster import decode, text_to_image

STATIONS = ("fengqiao-yuanfang", "fengqiao-ban", "rider-friendly")
TODAY = date(2026, 11, 28)


def profile(sid):
    s = get_station(sid)
    return s, office_for(s)


def test_all_stations_are_covered():
    assert sorted(load_all()[0]) == sorted(STATIONS)


@pytest.mark.parametrize("sid", STATIONS)
def test_service_text_has_name_services_hours_hotline(sid):
    st, office = profile(sid)
    text = service_text(st, office)
    lines = text.splitlines()
    assert lines[0].startswith(st.name)
    for s in st.services:
        assert any(line.endswith(s.title) for line in lines), s.title
    assert st.hours in text and "12309" in text


@pytest.mark.parametrize("sid", STATIONS)
def test_service_payload_fits_the_screen(sid):
    st, office = profile(sid)
    p = service_payload(st, office)
    assert p.version <= SCREEN_MAX_VERSION
    assert p.kind == ("url" if st.url else "services")
    # Without the url, the text form must still fit (the profile may drop its url).
    assert fit("services", service_text(st, office)).version <= SCREEN_MAX_VERSION


def test_too_long_says_so_and_suggests_url_or_poster():
    with pytest.raises(PayloadTooLong) as e:
        fit("services", "法律咨询" * 200)
    assert "url" in e.value.zh and "海报" in e.value.zh and "poster" in e.value.en


@pytest.mark.parametrize("sid", STATIONS)
def test_matrix_has_the_quiet_zone(sid):
    p = service_payload(*profile(sid))
    m = matrix(p)
    n = p.modules + 2 * QUIET
    assert len(m) == n and all(len(r) == n for r in m)
    for i in range(QUIET):
        assert not any(m[i]) and not any(m[-1 - i]) and not any(r[i] or r[-1 - i] for r in m)
    assert text_size(p) == (n, (n + 1) // 2) == (len(half_block_lines(m)[0]), len(half_block_lines(m)))


@pytest.mark.parametrize("sid", STATIONS)
@pytest.mark.parametrize("text_form", [False, True])
def test_terminal_rendering_decodes_to_the_payload(sid, text_form):
    st, office = profile(sid)
    p = fit("services", service_text(st, office)) if text_form else service_payload(st, office)
    out = terminal_text(p, colour=False)
    assert decode(text_to_image(out)) == [p.text]


def test_coloured_terminal_output_is_black_on_white():
    p = service_payload(*profile("fengqiao-ban"))
    out = terminal_text(p, colour=True)
    lines = out.splitlines()
    assert all(line.startswith("\x1b[38;5;16;48;5;231m") and line.endswith("\x1b[0m") for line in lines)
    plain = "\n".join(line[len("\x1b[38;5;16;48;5;231m"):-len("\x1b[0m")] for line in lines)
    assert decode(text_to_image(plain)) == [p.text]
    # The same glyphs in a dark theme's colours (light on dark) must NOT be what we rely on.
    assert decode(text_to_image(plain, fg=(255, 255, 255), bg=(0, 0, 0))) == []


def test_receipt_has_no_name_phone_or_story(store):
    _, mapping = scenarios(TODAY)[SCENARIO_IDS.index("S1")]
    c = store.create(fields_from_input(mapping, officer="王检察官"))
    st, office = profile(c.station)
    text = receipt_text(c, st, office)
    for secret in ("陈秀英", "13800001234", "陈阿姨", "亭子间", "228街坊旧改地块", "行政复议"):
        assert secret not in text
    for needle in (c.ref, c.visited_at.strftime("%Y-%m-%d"), "动迁/征收", "已转介",
                   c.follow_up_on.isoformat(), st.contacts[0].phone, "12309"):
        assert needle in text
    # Nothing of the record's free text, in pieces of 4 characters or more, either
    # (beyond the fixed vocabulary: the referral 行政争议化解 shares words with it).
    story = c.summary + c.requests + c.advice + "".join(n.text for n in c.notes) + "".join(map(str, c.details.values()))
    vocab = "".join(zh for table in (CATEGORIES, REFERRALS, STATUSES) for zh, _ in table.values())
    pieces = {story[i:i + 4] for i in range(len(story) - 3)}
    assert not [p for p in pieces if p in text and p not in vocab]
    p = receipt_payload(c, st, office)
    assert decode(text_to_image(terminal_text(p, colour=False))) == [text]


# -- issue 13: codes that fit an 80×24 terminal (version 5 with its quiet zone) ------
from liaison.demo_data import DEMO_OFFICERS  # noqa: E402
from liaison.qr.payloads import receipt_texts, service_texts  # noqa: E402
from liaison.qr.render import max_version_for  # noqa: E402

TERMINAL_80x24 = 5


def test_an_80x24_window_holds_a_version_5_code():
    assert max_version_for(80 - 28, 24 - 1) == TERMINAL_80x24  # beside the caption, above the key bar
    assert max_version_for(80, 24) == TERMINAL_80x24  # the resident view


@pytest.mark.parametrize("sid", STATIONS)
def test_the_service_list_fits_80x24_and_the_poster_keeps_it_all(sid):
    st, office = profile(sid)
    p = service_payload(st, office, TERMINAL_80x24)
    assert p.version <= TERMINAL_80x24
    if st.url:
        assert p.text == st.url
    else:
        assert st.short_name in p.text and st.contacts[0].phone in p.text and "12309" in p.text
        assert st.services[0].title in p.text
    assert decode(text_to_image(terminal_text(p, colour=False))) == [p.text]
    # With room (the poster), the full list with every title.
    assert service_texts(st, office)[0] == service_text(st, office)


@pytest.mark.parametrize("i", range(len(SCENARIO_IDS)))
def test_every_scenario_receipt_fits_80x24_and_names_the_officer(store, i):
    sid, mapping = scenarios(TODAY)[i]
    c = store.create(fields_from_input(mapping, officer=DEMO_OFFICERS[sid]))
    st, office = profile(sid)
    p = receipt_payload(c, st, office, TERMINAL_80x24)
    assert p.version <= TERMINAL_80x24
    for needle in (c.ref, f"{c.visited_at:%Y-%m-%d}", c.officer, st.contacts[0].phone, "12309"):
        assert needle in p.text
    assert decode(text_to_image(terminal_text(p, colour=False))) == [p.text]


def test_the_receipt_names_the_officer_who_took_the_visit_not_the_first_contact(store):
    _, mapping = scenarios(TODAY)[SCENARIO_IDS.index("S1")]
    c = store.create(fields_from_input(mapping, officer="欧阳检察官"))  # the scenario names its officer
    st, office = profile(c.station)
    assert c.officer and st.contacts[0].name != c.officer  # 王检察官 took it; the profile lists 陈检察官 first
    for text in receipt_texts(c, st, office):
        assert c.officer in text and st.contacts[0].name not in text


def test_a_fraud_receipt_carries_the_urgent_steps_when_money_left_within_72_hours(store):
    """Issue 13: the money left a day before the visit, so the receipt a resident keeps
    tells them to call 110 / 96110 and ask the bank for an emergency stop-payment — in
    the code an 80×24 terminal shows too. Two weeks before: no such steps."""
    base = {"category": "fraud", "summary": "冒充客服要求转账退款", "visited_at": "2026-11-20T10:00:00+08:00",
            "visitor": {"anonymous": True}}
    recent = store.create(fields_from_input({**base, "details": {"amount_lost": "38000", "paid_at": "2026-11-19"}},
                                            officer="王检察官"))
    old = store.create(fields_from_input({**base, "details": {"amount_lost": "500", "paid_at": "2026-11-06"}},
                                         officer="王检察官"))
    st, office = profile(recent.station)
    full = receipt_texts(recent, st, office)[0]
    assert "96110" in full and "紧急止付" in full and "110" in full
    p = receipt_payload(recent, st, office, TERMINAL_80x24)
    assert "96110" in p.text and "紧急止付" in p.text and recent.ref in p.text
    assert decode(text_to_image(terminal_text(p, colour=False))) == [p.text]
    assert all("96110" not in t for t in receipt_texts(old, st, office))
