"""Charts of figures and of the checks, as server-rendered SVG (no script).

- a series over periods (reading/figure_series.py): a line through the points, the claim's
  own point marked; a value is a dot, a range a bar between its ends, a bound an arrow from
  the bound (open marker for a strict bound: "over 90%" is not a point), an approximate
  value a dot with "≈";
- shares of one whole: horizontal bars, bounds and ranges drawn as such;
- counts by category (the checks' verdicts by rule and by article): stacked bars.

Each chart has a ``<title>`` and ``<desc>``; the page puts a data table beside it, and the
points link to their claims.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from markupsafe import Markup

from claimgraph import wording
from claimgraph.reading.figure_series import Group, Point
from claimgraph.reading.model import Claim, Figure
from claimgraph.web.svg import esc, markup, nice_ticks, number, wrap

Href = Callable[[str], str]
WIDTH = 640
ACCENT, INK, MUTED = "#c2570c", "#17324d", "#8a96a3"
VERDICT_COLOURS = {
    "consistent": "#2e7d32",
    "inconsistent": "#b71c1c",
    "unexplained-residual": "#e65100",
    "needs-context": "#f9a825",
    "unverifiable": "#6a1b9a",
    "method-not-stated": "#5d4037",
    "unsourced": "#546e7a",
}


def _num(value: int | Decimal | None) -> float | None:
    return None if value is None else float(value)


def extent(figure: Figure) -> tuple[float | None, float | None]:
    """The lowest and highest number a figure gives (a value, or a bound's ends)."""
    if figure.value is not None:
        value = float(figure.value)
        return value, value
    return _num(figure.minimum), _num(figure.maximum)


def _head(ident: str, width: int, height: int, title: str, desc: str, css: str) -> list[str]:
    return [
        f'<svg class="chart {css}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="group" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{esc(title)}</title><desc id="{ident}-desc">{esc(desc)}</desc>',
    ]


def _scale_max(points: Sequence[Point], unit: str | None) -> float:
    highest = max((h for p in points for h in extent(p.figure) if h is not None), default=1.0)
    if unit == "percent":
        return 100.0 if highest > 60 else nice_ticks(0, highest)[-1]
    return nice_ticks(0, highest)[-1]


def series_chart(group: Group, current: str, href: Href) -> Markup:
    """A series over periods; the points of claim ``current`` are marked."""
    left, right, top, bottom = 72, 24, 20, 46
    height = 280
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    unit = group.unit.id if group.unit else None
    top_value = _scale_max(group.points, unit)

    def y(v: float) -> float:
        return top + plot_h - v / top_value * plot_h

    step = plot_w / len(group.points)
    xs = [left + step * (i + 0.5) for i in range(len(group.points))]
    ident = f"{group.id}-{esc(current)}"
    parts = _head(
        ident,
        WIDTH,
        height,
        f"{group.title}: series over {len(group.points)} periods",
        f"{group.title}" + (f", {group.place.label}" if group.place else "") + ". "
        f"The point of claim {current} is marked. The data table below gives every value.",
        "series-chart",
    )
    for tick in nice_ticks(0, top_value):
        if tick > top_value:
            break
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y(tick)}" y2="{y(tick)}" class="grid"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4}" text-anchor="end" class="tick">'
            f"{esc(number(tick))}{'%' if unit == 'percent' else ''}</text>"
        )
    values = [(x, extent(p.figure)) for x, p in zip(xs, group.points, strict=True)]
    line = [(x, lo) for x, (lo, hi) in values if lo is not None and lo == hi]
    if len(line) > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x},{y(v)}" for i, (x, v) in enumerate(line))
        parts.append(f'<path d="{path}" class="series-line" fill="none" stroke="{INK}" stroke-width="2"/>')
    for x, point in zip(xs, group.points, strict=True):
        parts.append(_point(x, y, point, point.claim.id == current, href, top, plot_h, unit))
        parts.append(
            f'<text x="{x}" y="{height - bottom + 18}" text-anchor="middle" class="tick">'
            f"{esc(point.label)}</text>"
        )
    parts.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y(0)}" y2="{y(0)}" class="axis"/>')
    parts.append("</svg>")
    return markup(parts)


def _point(
    x: float,
    y: Callable[[float], float],
    point: Point,
    mine: bool,
    href: Href,
    top: int,
    plot_h: int,
    unit: str | None,
) -> str:
    f = point.figure
    colour = ACCENT if mine else INK
    r = 7 if mine else 5
    lo, hi = extent(f)
    shapes: list[str] = []
    if f.value is not None:
        shapes.append(f'<circle cx="{x}" cy="{y(float(f.value))}" r="{r}" fill="{colour}" class="value"/>')
        label_y = y(float(f.value)) - r - 6
    elif lo is not None and hi is not None:  # a range: a bar between its ends
        shapes.append(
            f'<rect x="{x - r}" y="{y(hi)}" width="{2 * r}" height="{max(y(lo) - y(hi), 2)}" '
            f'fill="{colour}" fill-opacity=".35" stroke="{colour}" class="range"/>'
        )
        label_y = y(hi) - 8
    else:  # a bound: a marker at the bound and an arrow towards the open side
        bound = lo if lo is not None else hi
        assert bound is not None
        upward = lo is not None
        strict = (f.min_inclusive is False) if upward else (f.max_inclusive is False)
        end = top if upward else top + plot_h
        fill = "#fff" if strict else colour
        shapes.append(
            f'<line x1="{x}" x2="{x}" y1="{y(bound)}" y2="{end + (6 if upward else -6)}" stroke="{colour}" '
            f'stroke-width="2" stroke-dasharray="4 3" class="bound"/>'
            f'<path d="M{x - 6},{end + (10 if upward else -10)} L{x},{end} '
            f'L{x + 6},{end + (10 if upward else -10)}" '
            f'fill="none" stroke="{colour}" stroke-width="2"/>'
            f'<circle cx="{x}" cy="{y(bound)}" r="{r}" fill="{fill}" stroke="{colour}" '
            f'stroke-width="2" class="bound-mark"/>'
        )
        label_y = y(bound) + (r + 16 if upward else -r - 6)
    text = ("this claim: " if mine else "") + f.text
    shapes.append(
        f'<text x="{x}" y="{label_y}" text-anchor="middle" class="point-label{" mine" if mine else ""}">'
        f"{esc(text)}</text>"
    )
    title = f"{point.label}: {f.text} (claim {point.claim.id})"
    return f'<a href="{esc(href(point.claim.iri))}"><title>{esc(title)}</title>{"".join(shapes)}</a>'


def shares_chart(group: Group, current: str | None, href: Href) -> Markup:
    """Shares of one whole as horizontal bars, from 0 to 100%."""
    label_w, right, row, top = 230, 90, 34, 10
    height = top + row * len(group.points) + 30
    plot_w = WIDTH - label_w - right

    def x(v: float) -> float:
        return label_w + v / 100 * plot_w

    ident = f"{group.id}-{esc(current or 'all')}"
    note = f" {group.share_note}" if group.share_note else ""
    parts = _head(
        ident,
        WIDTH,
        height,
        f"{group.title}: shares" + (f" of {group.population.label}" if group.population else ""),
        f"Each bar is one share, as a percentage, from 0 to 100%.{note} The data table below gives "
        f"every value.",
        "shares-chart",
    )
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{x(tick)}" x2="{x(tick)}" y1="{top}" y2="{height - 24}" class="grid"/>'
            f'<text x="{x(tick)}" y="{height - 8}" text-anchor="middle" class="tick">{tick}%</text>'
        )
    for i, point in enumerate(group.points):
        f, mine = point.figure, point.claim.id == current
        colour = ACCENT if mine else INK
        y0 = top + i * row + 6
        lo, hi = extent(f)
        shapes = []
        for n, line in enumerate(wrap(point.label, 32, 2)):
            shapes.append(
                f'<text x="{label_w - 8}" y="{y0 + 10 + n * 13}" text-anchor="end" '
                f'class="bar-label">{esc(line)}</text>'
            )
        if f.value is not None:
            shapes.append(
                f'<rect x="{x(0)}" y="{y0}" width="{x(float(f.value)) - x(0)}" height="20" '
                f'fill="{colour}" class="bar"/>'
            )
            end = x(float(f.value))
        elif lo is not None and hi is not None:
            shapes.append(
                f'<rect x="{x(lo)}" y="{y0}" width="{max(x(hi) - x(lo), 2)}" height="20" '
                f'fill="{colour}" fill-opacity=".35" stroke="{colour}" class="range"/>'
            )
            end = x(hi)
        else:
            bound = lo if lo is not None else hi
            assert bound is not None
            shapes.append(
                f'<rect x="{x(bound) if lo is not None else x(0)}" y="{y0}" '
                f'width="{(x(100) - x(bound)) if lo is not None else (x(bound) - x(0))}" '
                f'height="20" fill="url(#{ident}-hatch)" stroke="{colour}" '
                'stroke-dasharray="4 3" class="bound"/>'
            )
            end = x(100) if lo is not None else x(bound)
        shapes.append(
            f'<text x="{end + 6}" y="{y0 + 15}" '
            f'class="bar-value{" mine" if mine else ""}">{esc(f.text)}</text>'
        )
        title = f"{point.label}: {f.text} (claim {point.claim.id})"
        parts.append(
            f'<a href="{esc(href(point.claim.iri))}"><title>{esc(title)}</title>{"".join(shapes)}</a>'
        )
    parts.insert(
        2,
        f'<defs><pattern id="{ident}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" '
        f'stroke-width="2"/></pattern></defs>',
    )
    parts.append("</svg>")
    return markup(parts)


def stacked_bars(
    ident: str,
    title: str,
    rows: Sequence[tuple[str, str | None, dict[str, int]]],
    order: Sequence[tuple[str, str]],
) -> Markup:
    """Horizontal stacked bars: a row per (label, link, counts by key), segments in ``order`` (key, label)."""
    label_w, right, row = 220, 50, 28
    top = 34 + 18 * _legend_lines(rows, order)
    height = top + row * len(rows) + 28
    plot_w = WIDTH - label_w - right
    most = max((sum(c.values()) for _, _, c in rows), default=1) or 1
    ticks = [t for t in nice_ticks(0, most) if t <= nice_ticks(0, most)[-1]]
    scale = plot_w / ticks[-1]
    parts = _head(
        ident, WIDTH, height, title, "Counts of verdicts; the table below gives every number.", "count-chart"
    )
    legend_x, legend_y = 8.0, 6
    for key, label in order:
        if not any(c.get(key) for _, _, c in rows):
            continue
        wide = 24 + 6.0 * len(label)
        if legend_x + wide > WIDTH:
            legend_x, legend_y = 8.0, legend_y + 18
        parts.append(
            f'<rect x="{legend_x}" y="{legend_y}" width="12" height="12" '
            f'fill="{VERDICT_COLOURS.get(key, MUTED)}"/>'
            f'<text x="{legend_x + 16}" y="{legend_y + 10}" class="tick">{esc(label)}</text>'
        )
        legend_x += wide
    for tick in ticks:
        x = label_w + tick * scale
        parts.append(
            f'<line x1="{x}" x2="{x}" y1="{top}" y2="{height - 22}" class="grid"/>'
            f'<text x="{x}" y="{height - 6}" text-anchor="middle" class="tick">{esc(number(tick))}</text>'
        )
    for i, (label, link, counts) in enumerate(rows):
        y0 = top + i * row + 4
        x = float(label_w)
        shapes = [
            f'<text x="{label_w - 8}" y="{y0 + 14}" text-anchor="end" '
            f'class="bar-label">{esc(wrap(label, 34, 1)[0])}</text>'
        ]
        for key, name in order:
            count = counts.get(key, 0)
            if not count:
                continue
            shapes.append(
                f'<rect x="{x}" y="{y0}" width="{count * scale}" height="18" '
                f'fill="{VERDICT_COLOURS.get(key, MUTED)}">'
                f"<title>{esc(label)}: {count} {esc(name)}</title></rect>"
            )
            x += count * scale
        shapes.append(f'<text x="{x + 5}" y="{y0 + 14}" class="bar-value">{sum(counts.values())}</text>')
        body = "".join(shapes)
        parts.append(f'<a href="{esc(link)}">{body}</a>' if link else f"<g>{body}</g>")
    parts.append("</svg>")
    return markup(parts)


def _legend_lines(
    rows: Sequence[tuple[str, str | None, dict[str, int]]], order: Sequence[tuple[str, str]]
) -> int:
    x, lines = 8.0, 0
    for key, label in order:
        if any(c.get(key) for _, _, c in rows):
            wide = 24 + 6.0 * len(label)
            if x + wide > WIDTH:
                x, lines = 8.0, lines + 1
            x += wide
    return lines


CountRows = list[tuple[str, str | None, dict[str, int]]]


def verdicts_by_rule(rules: Sequence[tuple[str, str, dict[str, int]]]) -> CountRows:
    """Rows of the overview by rule: (title, link to its section, counts by verdict)."""
    return [(title, f"#{rule_id}", counts) for rule_id, title, counts in rules]


def verdicts_by_article(claims: Sequence[Claim], labels: dict[str, str], href: Href) -> CountRows:
    """Rows of the overview by article: every review of its claims, counted by verdict."""
    counts: dict[str, dict[str, int]] = {}
    for claim in claims:
        row = counts.setdefault(claim.article, {})
        for review in claim.reviews:
            row[review.verdict.id] = row.get(review.verdict.id, 0) + 1
    return [
        (labels.get(iri) or f"article: {wording.humanise(wording.local_name(iri))}", href(iri), row)
        for iri, row in sorted(counts.items())
    ]
