"""Small SVG charts drawn on the server: no JavaScript, no CDN, nothing the CSP must allow.

Every label goes through html.escape (a chart may show a citizen's message); colours are SVG
presentation attributes, which the console's CSP (style-src 'self') permits.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

PALETTE = ("#1f6feb", "#e8590c", "#2f9e44", "#ae3ec9", "#f59f00", "#0c8599", "#c2255c",
           "#5c7cfa")
WIDTH = 720


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _svg(height: int, title: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(body)}</svg>')


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 11) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="#333">{escape(text)}</text>')


def stacked_days(days: list[str], series: dict[str, list[int]], title: str) -> Markup:
    """One bar per day, stacked by channel, with the largest day's total on the axis."""
    height, left, bottom, top = 200, 40, 24, 10
    plot_h = height - bottom - top
    totals = [sum(values[i] for values in series.values()) for i in range(len(days))]
    peak = max(totals, default=0) or 1
    step = (WIDTH - left - 10) / max(len(days), 1)
    bar = max(step * 0.8, 1)
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - 10}" y2="{top + plot_h}" '
            'stroke="#999"/>', _text(left - 4, top + 8, str(peak), "end"),
            _text(left - 4, top + plot_h, "0", "end")]
    for index, day in enumerate(days):
        y = top + plot_h
        for number, values in enumerate(series.values()):
            h = values[index] / peak * plot_h
            if h > 0:
                y -= h
                body.append(f'<rect x="{left + index * step:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                            f'height="{h:.1f}" fill="{colour(number)}"><title>{escape(day)}: '
                            f'{values[index]}</title></rect>')
    if days:
        body.append(_text(left, height - 6, days[0]))
        body.append(_text(WIDTH - 10, height - 6, days[-1], "end"))
    return _svg(height, title, body)


def horizontal_bars(items: list[tuple[str, float]], title: str, value_format: str = "{:g}",
                    scale: float | None = None) -> Markup:
    """Labelled horizontal bars, longest first as given; `scale` fixes the full length."""
    row, label_w = 22, 260
    height = max(len(items), 1) * row + 6
    peak = scale or max((v for _, v in items), default=0) or 1
    body = []
    for index, (label, value) in enumerate(items):
        y = 3 + index * row
        short = label if len(label) <= 40 else label[:39] + "…"
        width = max(value / peak * (WIDTH - label_w - 70), 0)
        body.append(_text(label_w - 6, y + 15, short, "end"))
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row - 6}" '
                    f'fill="{colour(index if scale else 0)}"><title>{escape(label)}</title>'
                    '</rect>')
        body.append(_text(label_w + width + 6, y + 15, value_format.format(value)))
    return _svg(height, title, body)


def share_bar(shares: list[tuple[str, int]], title: str) -> Markup:
    """One bar split by share, with a legend of label, count and percent."""
    total = sum(v for _, v in shares) or 1
    body, x = [], 0.0
    for index, (_label, value) in enumerate(shares):
        width = value / total * WIDTH
        if width > 0:
            body.append(f'<rect x="{x:.1f}" y="0" width="{width:.1f}" height="28" '
                        f'fill="{colour(index)}"/>')
        x += width
    for index, (label, value) in enumerate(shares):
        y = 48 + index * 20
        body.append(f'<rect x="0" y="{y - 11}" width="12" height="12" fill="{colour(index)}"/>')
        body.append(_text(18, y, f"{label}: {value} ({value / total:.0%})"))
    return _svg(48 + len(shares) * 20, title, body)


def legend(labels: list[str], empty_label: str) -> Markup:
    """Colour keys for the series of a stacked chart, in series order."""
    body, x = [], 0
    for index, label in enumerate(labels):
        text = label or empty_label
        body.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour(index)}"/>')
        body.append(_text(x + 16, 15, text))
        x += 30 + 7 * len(text)
    return _svg(20, "Chú giải", body)
