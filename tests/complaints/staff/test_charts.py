"""The dashboard's SVG charts: labels that fit under their bars, every text escaped."""

from __future__ import annotations

import re

from complaints.staff.charts import (
    _CHAR_PX,
    _LABEL_LINES,
    LEFT,
    RIGHT,
    WIDTH,
    _label_lines,
    _nice_max,
    bar_chart,
)

STATUSES = ["New", "Acknowledged", "Response sent, awaiting customer", "Escalated (formal)"]


def label_lines(svg: str) -> list[list[str]]:
    """The lines of each x-axis label, as drawn."""
    return [
        re.findall(r"<tspan[^>]*>([^<]*)</tspan>", text)
        for text in re.findall(r"<text [^>]*><title>.*?</text>", svg)
    ]


def drawn_size(svg: str) -> int:
    (size,) = set(re.findall(r'font-size="(\d+)" fill="#0b0c0c"><title>', svg))
    return int(size)


def test_a_long_status_name_wraps_under_its_own_bar_instead_of_running_into_the_next():
    svg = bar_chart("open-status", "Open complaints by status", STATUSES, [("Open", [4, 6, 1, 2])])
    drawn = label_lines(svg)
    assert drawn[2] == ["Response sent,", "awaiting customer"]
    assert [" ".join(lines) for lines in drawn] == STATUSES  # nothing cut
    slot = (WIDTH - LEFT - RIGHT) / len(STATUSES)
    per_char = _CHAR_PX * drawn_size(svg) / 11
    assert all(len(line) * per_char <= slot for lines in drawn for line in lines)
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


def test_six_bars_get_smaller_labels_that_fit_whole_and_short_labels_keep_the_usual_size():
    six = ["New", "Acknowledged", "Investigating", "Response sent, awaiting customer",
           "Escalated (formal)", "Final response sent"]  # fmt: skip
    svg = bar_chart("open-status", "Open", six, [("Open", [1, 2, 3, 4, 5, 6])])
    assert drawn_size(svg) == 9
    drawn = [" ".join(lines) for lines in label_lines(svg)]
    # every word whole; the one too long for two lines even then is cut, whole in its tooltip
    assert drawn[:3] + drawn[4:] == six[:3] + six[4:]
    assert drawn[3].startswith("Response sent,") and drawn[3].endswith("…")
    assert drawn_size(bar_chart("x", "t", ["New", "Closed"], [("s", [1, 2])])) == 11


def test_the_y_axis_of_a_million_scale_figure_has_round_ticks_with_separators():
    # 84,887 open complaints (the bench database): 0 to 100,000 in steps of 25,000
    assert _nice_max(84_887) == 100_000
    svg = bar_chart("open-status", "Open", STATUSES, [("Open", [84_887, 10, 3, 1])])
    ticks = re.findall(r'text-anchor="end" font-size="11" fill="#0b0c0c">([^<]*)</text>', svg)
    assert ticks == ["0", "25,000", "50,000", "75,000", "100,000"]


def test_small_counts_keep_whole_number_ticks():
    assert [_nice_max(v) for v in (1, 3, 7, 9, 17, 41, 99, 170)] == [4, 4, 8, 20, 20, 80, 100, 200]
