"""The A4 posters (SVG through Cairo, PNG) and `liaison qr`, decoded by zxing-cpp."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from liaison.cli import main
from liaison.demo_data import SCENARIO_IDS, scenarios
from liaison.domain.intake import fields_from_input
from liaison.profiles import get_station, office_for
from liaison.qr import png as png_mod
from liaison.qr.payloads import POSTER_MAX_VERSION, receipt_payload, service_payload
from liaison.qr.poster import PAGE_H, layout, svg
from liaison.store import Store
from tests.qr.qr_raster import decode, png_to_image, svg_to_image, text_to_image

STATIONS = ("fengqiao-yuanfang", "fengqiao-ban", "rider-friendly")
TODAY = date(2026, 11, 28)
FONT = png_mod.find_cjk_font()
# Without a CJK font the PNG cannot show Chinese; the code in it still must decode,
# so draw with DejaVu then (boxes for text) rather than skip the check.
DEJAVU = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0)


def profile(sid):
    s = get_station(sid)
    return s, office_for(s)


@pytest.mark.parametrize("sid", STATIONS)
def test_svg_poster_decodes_and_carries_the_list(sid):
    st, office = profile(sid)
    p = service_payload(st, office, POSTER_MAX_VERSION)
    lay = layout(st, office, p, TODAY)
    text = svg(lay)
    assert decode(svg_to_image(text)) == [p.text]
    for s in st.services:
        assert s.title in text and s.line in text
    assert "清单日期：2026-11-28" in text and "12309" in text
    assert all(t.y < PAGE_H - 10 for t in lay.texts), "the text runs off the A4 page"


@pytest.mark.parametrize("sid", STATIONS)
def test_png_poster_decodes(sid):
    st, office = profile(sid)
    p = service_payload(st, office, POSTER_MAX_VERSION)
    data = png_mod.png(layout(st, office, p, TODAY), FONT or DEJAVU)
    img = png_to_image(data)
    assert img.size == (1654, 2339)  # A4 at 200 dpi
    assert decode(img) == [p.text]


def test_png_without_cjk_font_refuses_clearly(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(png_mod, "find_cjk_font", lambda: None)
    out = tmp_path / "poster.png"
    assert main(["qr", "--station", "fengqiao-ban", "--png", str(out)]) == 6
    err = capsys.readouterr().err
    assert "fonts-noto-cjk" in err and "--svg" in err and not out.exists()


@pytest.mark.parametrize("sid", STATIONS)
def test_cli_terminal_prints_a_code_that_decodes(sid, capsys):
    assert main(["qr", "--station", sid, "--terminal"]) == 0
    out = capsys.readouterr().out
    assert "\x1b[" not in out  # not a terminal: plain glyphs
    assert decode(text_to_image(out)) == [service_payload(*profile(sid)).text]


@pytest.mark.parametrize("sid", STATIONS)
def test_cli_posters(sid, tmp_path, capsys):
    p = service_payload(*profile(sid), POSTER_MAX_VERSION)
    assert main(["qr", "--station", sid, "--svg", str(tmp_path / "p.svg")]) == 0
    assert decode(svg_to_image((tmp_path / "p.svg").read_text("utf-8"))) == [p.text]
    if FONT:
        assert main(["qr", "--station", sid, "--png", str(tmp_path / "p.png")]) == 0
        assert decode(png_to_image((tmp_path / "p.png").read_bytes())) == [p.text]


@pytest.fixture
def s1(home: Path):
    store = Store.open(home)
    _, mapping = scenarios(TODAY)[SCENARIO_IDS.index("S1")]
    c = store.create(fields_from_input(mapping, officer="王检察官"))
    store.close()
    return c


def test_cli_receipt_by_ref_and_id(home, s1, tmp_path, capsys):
    st, office = profile(s1.station)
    p = receipt_payload(s1, st, office)
    for key in (s1.ref, s1.id):
        assert main(["--home", str(home), "qr", "--receipt", key]) == 0
        assert decode(text_to_image(capsys.readouterr().out)) == [p.text]
    assert main(["qr", "--home", str(home), "--receipt", s1.ref, "--svg", str(tmp_path / "r.svg")]) == 0
    sheet = (tmp_path / "r.svg").read_text("utf-8")
    assert decode(svg_to_image(sheet)) == [p.text]
    for secret in ("陈秀英", "13800001234", "亭子间"):
        assert secret not in sheet
    if FONT:
        assert main(["qr", "--home", str(home), "--receipt", s1.ref, "--png", str(tmp_path / "r.png")]) == 0
        assert decode(png_to_image((tmp_path / "r.png").read_bytes())) == [p.text]


def test_cli_receipt_unknown_and_station_default(home, capsys):
    assert main(["qr", "--home", str(home), "--receipt", "FQYF-20260101-999"]) == 3
    assert main(["qr", "--home", str(home)]) == 0  # the data folder's station
    assert decode(text_to_image(capsys.readouterr().out)) == [service_payload(*profile("fengqiao-yuanfang")).text]
