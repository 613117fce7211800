"""Server-rendered SVG charts for the dashboard and the PDF summary: no JavaScript, no CDN.

Only SVG presentation attributes (fill, stroke, font-size), never a style attribute, so a strict
Content-Security-Policy holds. Each chart is an image with a title and description; the page
puts the same figures beside it as a table, which is what screen readers read.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe (Okabe–Ito), dark enough against white for lines and bars.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 16, 40  # LEFT: room for "100,000"


def _nice_max(value: float) -> float:
    """The top of the y axis: four equal steps of 1, 2, 2.5 or 5 times a power of ten, the
    smallest that reaches `value` (84,887 open complaints: 100,000 in steps of 25,000)."""
    if value <= 0:
        return 4
    power = 10 ** max(0, math.floor(math.log10(value / 4)))
    while True:
        for step in (1, 2, 2.5, 5) if power > 1 else (1, 2, 5):  # whole-number ticks
            if value <= step * power * 4:
                return step * power * 4
        power *= 10


def _tick(value: float) -> str:
    """A y-axis value as people write it: 25,000 not 25000.0 or 2.5e+04."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def _axis(y_max: float, suffix: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for i in range(5):
        value = y_max * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#0b0c0c">{_tick(value)}{escape(suffix)}</text>'
        )
    return parts


def _frame(chart_id: str, title: str, description: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every interpolated text is escaped above or below
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>'
        + "".join(body)
        + "</svg>"
    )


# About how wide one character of an 11-pixel label is, and how many lines fit below the axis.
_CHAR_PX = 6.2
_LABEL_LINES = 2
_LABEL_SIZES = (11, 9)  # a smaller size when a word would not fit its bar at the first


def _chars(width: float, size: int) -> int:
    return max(4, int(width // (_CHAR_PX * size / 11)))


def _wrap(label: str, chars: int) -> list[str]:
    """`label` in lines of at most `chars`, words never split (a word longer stays whole)."""
    return textwrap.wrap(label, chars, break_long_words=False, break_on_hyphens=False)


def _label_lines(label: str, width: float, *, size: int = 11) -> list[str]:
    """`label` in lines that fit `width` pixels at `size`, at most _LABEL_LINES (the last cut
    with an ellipsis if it still does not fit): "Response sent, awaiting customer" under a
    narrow bar must not run into its neighbours' labels."""
    chars = _chars(width, size)
    lines = _wrap(label, chars) or [""]
    if len(lines) > _LABEL_LINES:
        lines = lines[: _LABEL_LINES - 1] + [" ".join(lines[_LABEL_LINES - 1 :])]
    return [line if len(line) <= chars else line[: chars - 1] + "…" for line in lines]


def _label_size(labels: Sequence[str], width: float) -> int:
    """The largest of _LABEL_SIZES at which every label fits its bar uncut (else the smallest)."""
    for size in _LABEL_SIZES:
        chars = _chars(width, size)
        if all(
            len(lines := _wrap(label, chars)) <= _LABEL_LINES
            and all(len(line) <= chars for line in lines)
            for label in labels
        ):
            return size
    return _LABEL_SIZES[-1]


def _x_labels(labels: Sequence[str], x_of) -> list[str]:
    every = max(1, len(labels) // 8)
    width = (WIDTH - LEFT - RIGHT) / max(len(labels), 1) * every - 4
    shown = [(i, label) for i, label in enumerate(labels) if i % every == 0]
    size = _label_size([label for _, label in shown], width)
    parts = []
    for i, label in shown:
        x = f"{x_of(i):.1f}"
        lines = "".join(
            f'<tspan x="{x}" dy="{0 if n == 0 else size + 2}">{escape(line)}</tspan>'
            for n, line in enumerate(_label_lines(label, width, size=size))
        )
        parts.append(
            f'<text x="{x}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="{size}" fill="#0b0c0c"><title>{escape(label)}</title>{lines}</text>'
        )
    return parts


def _legend(names: Sequence[str]) -> list[str]:
    parts = []
    for i, name in enumerate(names):
        y = TOP + 14 + i * 18
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<rect x="{WIDTH - RIGHT + 12}" y="{y - 9}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{WIDTH - RIGHT + 30}" y="{y + 1}" font-size="12" '
            f'fill="#0b0c0c">{escape(name)}</text>'
        )
    return parts


def line_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    y_max: float | None = None,
    suffix: str = "",
) -> SafeString:
    """One line per series over the x labels; a None value breaks the line (no data)."""
    top = y_max or _nice_max(max((v for _, vs in series for v in vs if v is not None), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(i: int) -> float:
        return LEFT + (plot_w * i / (len(labels) - 1) if len(labels) > 1 else plot_w / 2)

    def y_of(v: float) -> float:
        return TOP + plot_h - plot_h * min(v, top) / top

    body = _axis(top, suffix) + _x_labels(labels, x_of)
    for n, (_, values) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = [(x_of(i), y_of(v)) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points]
    body += _legend([name for name, _ in series])
    description = f"Line chart of {len(series)} series over {len(labels)} periods."
    return _frame(chart_id, title, description, body)


def bar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    suffix: str = "",
) -> SafeString:
    """Stacked vertical bars: one bar per label, one colour per series."""
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    top = _nice_max(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar = max(slot * 0.7, 1)

    def x_of(i: int) -> float:
        return LEFT + slot * i + slot / 2

    body = _axis(top, suffix) + _x_labels(labels, x_of)
    for i in range(len(labels)):
        base = TOP + plot_h
        for n, (_, values) in enumerate(series):
            h = plot_h * values[i] / top
            if h <= 0:
                continue
            base -= h
            body.append(
                f'<rect x="{x_of(i) - bar / 2:.1f}" y="{base:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[n % len(PALETTE)]}"/>'
            )
    if len(series) > 1:
        body += _legend([name for name, _ in series])
    description = f"Bar chart over {len(labels)} bars."
    return _frame(chart_id, title, description, body)
