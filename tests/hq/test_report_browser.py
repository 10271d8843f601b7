"""The HTML report in a real browser: Debian's chromium, headless, offline.

The file must render on its own (inline SVG, no network, no script): the screenshot
is not blank and shows the chart colours, and the DOM the browser built holds both
charts with one point per station and week and one bar per category.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from liaison.cli import main
from tests.hq._report_world import END, START, build
from tests.sync._sync_world import AS_OFFICE, PIN

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


class Charts(HTMLParser):
    """Counts elements inside each <svg id=…> of the DOM the browser dumped."""

    def __init__(self) -> None:
        super().__init__()
        self.svg: str | None = None
        self.count: dict[str, Counter] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "svg":
            self.svg = a.get("id") or "?"
            self.count[self.svg] = Counter()
        elif self.svg:
            self.count[self.svg][f"{tag}.{a.get('class') or ''}"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.svg = None


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    world, _ = build(root / "world")
    html = root / "report.html"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LIAISON_PIN", PIN)
        assert main(["hq", "report", "--home", str(world.hq), "--from", START.isoformat(), "--to", END.isoformat(),
                     "--html", str(html), *AS_OFFICE]) == 0
    return html


def test_screenshot_is_not_blank(page: Path):
    png = page.with_name("report.png")
    done = chromium(page.parent, f"--screenshot={png}", "--window-size=1280,1800", page.as_uri())
    assert png.is_file(), done.stderr[-2000:]
    img = Image.open(png).convert("RGB")
    assert img.size == (1280, 1800)
    colours = img.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # text, tables and charts, not one flat colour
    present = {c for _, c in colours}
    # The first two series / bars are drawn in the palette's blue and vermilion.
    assert (0x00, 0x72, 0xB2) in present and (0xD5, 0x5E, 0x00) in present
    print(f"screenshot: {png}")


def test_dom_holds_both_charts(page: Path):
    done = chromium(page.parent, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "<svg" in dom and "各站每周接待量" in dom
    charts = Charts()
    charts.feed(dom)
    weekly, bars = charts.count["weekly-chart"], charts.count["category-chart"]
    assert weekly["polyline.series"] == 2  # one line per station
    assert weekly["circle.point"] == 4  # 2 stations × 2 ISO weeks
    assert bars["rect.bar"] == 4  # labour, rider, relocation, neighbour
    for label in ("劳资/欠薪", "骑手/新就业形态", "动迁/征收", "邻里纠纷", "枫桥远坊", "骑手友好站"):
        assert label in dom
    assert "<script" not in dom and "http://" not in dom.replace('xmlns="http://www.w3.org/2000/svg"', "")
