"""The dashboard's SVG charts: labels that fit under their bars, every text escaped."""

from __future__ import annotations

import re

from complaints.staff.charts import _CHAR_PX, _LABEL_LINES, _label_lines, bar_chart

STATUSES = ["New", "Acknowledged", "Response sent, awaiting customer", "Escalated (formal)"]


def label_lines(svg: str) -> list[list[str]]:
    """The lines of each x-axis label, as drawn."""
    return [
        re.findall(r"<tspan[^>]*>([^<]*)</tspan>", text)
        for text in re.findall(r"<text [^>]*><title>.*?</text>", svg)
    ]


def test_a_long_status_name_wraps_under_its_own_bar_instead_of_running_into_the_next():
    svg = bar_chart("open-status", "Open complaints by status", STATUSES, [("Open", [4, 6, 1, 2])])
    drawn = label_lines(svg)
    assert drawn == [
        ["New"],
        ["Acknowledged"],
        ["Response sent,", "awaiting customer"],
        ["Escalated", "(formal)"],
    ]
    slot = (640 - 48 - 150) / len(STATUSES)
    assert all(len(line) * _CHAR_PX <= slot for lines in drawn for line in lines)
    # the whole name stays there for a pointer's tooltip
    assert "<title>Response sent, awaiting customer</title>" in svg


def test_a_label_too_long_for_two_lines_is_cut_with_an_ellipsis():
    lines = _label_lines("Response sent, awaiting customer", 70)
    assert len(lines) == _LABEL_LINES
    assert lines[-1].endswith("…")
    assert all(len(line) <= 70 // _CHAR_PX for line in lines)


def test_labels_are_escaped():
    svg = bar_chart("x", "t", ["<b>&"], [("s", [1])])
    assert "<b>&" not in svg
    assert "&lt;b&gt;&amp;" in svg
