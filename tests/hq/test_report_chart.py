"""The HTML report's weekly chart stays readable at a city's scale: a line per station
while each has a colour of its own; past that the busiest stations and the others'
average, said in a note; week labels that do not overprint each other. (Before, the
600 000-record city drew 192 tangled lines, a legend of 192 names and 53 week labels
printed over one another.)"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import pairwise

from liaison.hq.report_html import PALETTE, line_chart


class Svg(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, str | None]] = []
        self.points: list[dict[str, str | None]] = []
        self.labels: list[tuple[float, str]] = []  # week labels under the axis: (x, text)
        self._text: float | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "polyline":
            self.lines.append(a)
        elif tag == "circle":
            self.points.append(a)
        elif tag == "text" and a.get("class") == "week":
            self._text = float(a["x"] or 0)

    def handle_data(self, data):
        if self._text is not None:
            self.labels.append((self._text, data))
            self._text = None


def _weeks(n: int) -> list[str]:
    return [f"2026-W{k:02}" for k in range(1, n + 1)]


def _drawn(weeks, series, names):
    html = line_chart(weeks, series, names)
    svg = Svg()
    svg.feed(html)
    legend = re.findall(r'<span style="color:[^"]+">■ ([^<]+)</span>', html)
    return html, svg, legend


def test_a_district_draws_every_station():
    weeks = _weeks(8)
    series = {f"s{k}": [k + i for i in range(8)] for k in range(len(PALETTE))}
    html, svg, legend = _drawn(weeks, series, {"s0": "枫桥远坊"})
    assert [line["data-station"] for line in svg.lines] == list(series)
    assert len({line["stroke"] for line in svg.lines}) == len(series)  # a colour each
    assert legend[0] == "枫桥远坊" and len(legend) == len(series) and len(svg.points) == 8 * len(series)
    assert [t for _, t in svg.labels] == weeks and 'class="note"' not in html


def test_a_city_draws_its_busiest_stations_and_the_others_average():
    weeks = _weeks(53)
    series = {f"d{k:03}": [(k * 7 + i) % 90 for i in range(53)] for k in range(192)}
    html, svg, legend = _drawn(weeks, series, {})
    busiest = sorted(series, key=lambda s: (-sum(series[s]), s))[:len(PALETTE) - 1]
    assert [line["data-station"] for line in svg.lines] == [*busiest, ""]
    assert len({line["stroke"] for line in svg.lines}) == len(svg.lines)
    assert legend == [*busiest, "其余 186 个站点（平均）"]
    rest = [v for s, v in series.items() if s not in busiest]
    average = [round(sum(c) / len(rest), 1) for c in zip(*rest, strict=True)]
    assert [float(p["data-value"] or 0) for p in svg.points if p["data-station"] == ""] == average
    assert "192 个站点" in html and "接待量最多的 6 个" in html  # the note says what is drawn
    # At most a dozen week labels, far enough apart not to overprint (~55 px a label).
    xs = [x for x, _ in svg.labels]
    assert 6 <= len(xs) <= 13 and min(b - a for a, b in pairwise(xs)) >= 55
    assert svg.labels[0][1] == weeks[0] and svg.labels[-1][1] == weeks[-1]
