"""A report as PDF: its title and period, a chart of its first measure drawn as vector
graphics from the numbers, and its whole table, paginated (the header row on every page), for
any number of rows. Made with reportlab's canvas, page by page, with the standard Helvetica
(no font files, no browser); labels in English or German.

Column widths are measured on the first rows; a cell wider than its column is cut with an
ellipsis (the CSV and XLSX exports hold every value whole).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from itertools import chain, islice
from typing import IO

from babel import Locale
from babel.numbers import format_decimal, parse_pattern
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

PAGE = landscape(A4)
MARGIN = 36.0
FONT, BOLD = "Helvetica", "Helvetica-Bold"
SIZE, ROW = 8.0, 11.0  # table text and line height (points)
PADDING = 4.0
WIDEST_GLYPH = 1.015  # Helvetica's widest glyph (em), bold or not
MEASURED_ROWS = 500  # column widths come from the header and this many rows
CHART_HEIGHT = 190.0
CHART_GROUPS = 40  # a chart shows at most this many groups; the table has them all
INK, RULE, BAR = HexColor("#1f2933"), HexColor("#9aa5b1"), HexColor("#2f6fb0")
STRIPE = Color(0.95, 0.96, 0.97)

WORDS = {
    "en": {
        "period": "Period: {start} to {end} (UTC days, the end excluded)",
        "compared": "Compared with {start} to {end}",
        "page": "Page {number} of",
        "chart_cut": "The chart shows the first {shown} groups; the table has all of them:",
        "rows": "{rows} rows.",
        "empty": "Nothing in this period.",
        "previous": "{measure} (before)",
    },
    "de": {
        "period": "Zeitraum: {start} bis {end} (UTC-Tage, ohne das Ende)",
        "compared": "Verglichen mit {start} bis {end}",
        "page": "Seite {number} von",
        "chart_cut": "Das Diagramm zeigt die ersten {shown} Gruppen; die Tabelle zeigt alle:",
        "rows": "{rows} Zeilen.",
        "empty": "Nichts in diesem Zeitraum.",
        "previous": "{measure} (davor)",
    },
}
# The names of the analysis' measures and dimensions, as people read them.
LABELS = {
    "en": {
        "period": "Period",
        "type": "Request type",
        "category": "Category",
        "channel": "Channel",
        "reason": "Reason",
        "outcome": "Outcome",
        "resolutionCode": "Resolution",
        "segment": "Segment",
        "area": "Area",
        "team": "Team",
        "closed": "Closed",
        "completed": "Completed",
        "unfulfilled": "Unfulfilled",
        "completionRate": "Completion rate",
        "reopenRate": "Reopen rate",
        "firstTouchRate": "First-touch rate",
        "slaCompliance": "SLA compliance",
        "resolutionP50Seconds": "Resolution p50 (s)",
        "resolutionP90Seconds": "Resolution p90 (s)",
        "resolutionBusinessP50Seconds": "Resolution p50, business (s)",
        "resolutionBusinessP90Seconds": "Resolution p90, business (s)",
        "firstResponseP50Seconds": "First response p50 (s)",
        "firstResponseP90Seconds": "First response p90 (s)",
        "firstResponseBusinessP50Seconds": "First response p50, business (s)",
        "firstResponseBusinessP90Seconds": "First response p90, business (s)",
    },
    "de": {
        "period": "Zeitraum",
        "type": "Anliegenart",
        "category": "Kategorie",
        "channel": "Kanal",
        "reason": "Grund",
        "outcome": "Ergebnis",
        "resolutionCode": "Lösung",
        "segment": "Segment",
        "area": "Gebiet",
        "team": "Team",
        "closed": "Abgeschlossen",
        "completed": "Erledigt",
        "unfulfilled": "Nicht erfüllt",
        "completionRate": "Erledigungsquote",
        "reopenRate": "Wiedereröffnungsquote",
        "firstTouchRate": "Quote beim ersten Kontakt",
        "slaCompliance": "SLA-Einhaltung",
        "resolutionP50Seconds": "Lösung p50 (s)",
        "resolutionP90Seconds": "Lösung p90 (s)",
        "resolutionBusinessP50Seconds": "Lösung p50, Geschäftszeit (s)",
        "resolutionBusinessP90Seconds": "Lösung p90, Geschäftszeit (s)",
        "firstResponseP50Seconds": "Erste Antwort p50 (s)",
        "firstResponseP90Seconds": "Erste Antwort p90 (s)",
        "firstResponseBusinessP50Seconds": "Erste Antwort p50, Geschäftszeit (s)",
        "firstResponseBusinessP90Seconds": "Erste Antwort p90, Geschäftszeit (s)",
    },
}
LANGUAGES = tuple(WORDS)
PAGES_FORM, ROWS_FORM = "pages", "rows"  # drawn at the end, shown where placed before


@dataclass(frozen=True)
class Heading:
    """What the PDF says above its table: the title, the period and comparison (``{"from",
    "to"}``), and the chart: ``chart_keys`` (the columns naming a group) and ``chart_measure``
    (the column drawn); no measure, no chart."""

    title: str
    language: str = "en"
    period: dict | None = None
    comparison: dict | None = None
    chart_keys: list[str] = field(default_factory=list)
    chart_measure: str | None = None


def label(column: str, language: str) -> str:
    labels = LABELS.get(language, LABELS["en"])
    if column.endswith("Previous") and column.removesuffix("Previous") in labels:
        measure = labels[column.removesuffix("Previous")]
        return WORDS[language]["previous"].format(measure=measure)
    return labels.get(column, column)


def is_share(column: str) -> bool:
    measure = column.removesuffix("Previous")
    return measure.endswith("Rate") or measure == "slaCompliance"


def write_pdf(file: IO[bytes], columns: list[str], rows: Iterable[list], heading: Heading) -> int:
    """Write the PDF of the table into ``file``; how many rows it holds."""
    language = heading.language if heading.language in WORDS else "en"
    rows = iter(rows)
    first = list(islice(rows, MEASURED_ROWS))
    page = _Pages(Canvas(file, pagesize=PAGE, pageCompression=1), heading.title, language)
    page.canvas.setTitle(heading.title)
    page.canvas.setAuthor("Parley")
    top = _heading(page, heading, language)
    if heading.chart_measure and heading.chart_measure in columns and first:
        top = _chart(page, top, columns, first, heading, language)
    widths = _widths(columns, first, language)
    count = _table(page, top, columns, widths, chain(first, rows), language)
    page.finish(count)
    return count


class _Pages:
    """The canvas and the page it is on: a new page gets its footer."""

    def __init__(self, canvas: Canvas, title: str, language: str):
        self.canvas, self.title, self.language, self.number = canvas, title, language, 1

    def next(self) -> None:
        self._footer()
        self.canvas.showPage()
        self.number += 1

    def finish(self, rows: int) -> None:
        """The last page's footer, then what earlier pages refer to but could not know yet
        (forms drawn where they were placed): the number of pages and of rows."""
        self._footer()
        canvas, words = self.canvas, WORDS[self.language]
        for name, text, size in (
            (PAGES_FORM, str(self.number), 7),
            (ROWS_FORM, words["rows"].format(rows=format_decimal(rows, locale=self.language)), 7),
        ):
            canvas.beginForm(name)
            canvas.setFont(FONT, size)
            canvas.setFillColor(RULE if name == PAGES_FORM else INK)
            canvas.drawString(0, 0, text)
            canvas.endForm()
        canvas.save()

    def _footer(self) -> None:
        canvas = self.canvas
        canvas.setFont(FONT, 7)
        canvas.setFillColor(RULE)
        canvas.drawString(MARGIN, MARGIN / 2, _fit(self.title, PAGE[0] / 2, FONT, 7))
        text = WORDS[self.language]["page"].format(number=self.number)
        right = PAGE[0] - MARGIN - 16  # room for the number of pages, drawn at the end
        canvas.drawRightString(right, MARGIN / 2, text)
        _place(canvas, PAGES_FORM, right + 3, MARGIN / 2)
        canvas.setFillColor(INK)


def _heading(page: _Pages, heading: Heading, language: str) -> float:
    canvas, words = page.canvas, WORDS[language]
    y = PAGE[1] - MARGIN - 14
    canvas.setFont(BOLD, 15)
    canvas.setFillColor(INK)
    canvas.drawString(MARGIN, y, _fit(heading.title, PAGE[0] - 2 * MARGIN, BOLD, 15))
    canvas.setFont(FONT, 9)
    for spec, key in ((heading.period, "period"), (heading.comparison, "compared")):
        if spec:
            y -= 14
            canvas.drawString(MARGIN, y, words[key].format(start=spec["from"], end=spec["to"]))
    return y - 12


def _chart(page, top, columns, rows, heading: Heading, language: str) -> float:
    """Bars (or a line, for periods alone) of the measure per group, with a value axis."""
    canvas, words = page.canvas, WORDS[language]
    at = columns.index(heading.chart_measure)
    keys = [columns.index(key) for key in heading.chart_keys if key in columns]
    groups = [
        (" · ".join(_text(row[k], language) for k in keys) or heading.title, row[at])
        for row in rows
    ]
    shown = groups[:CHART_GROUPS]
    values = [value for _, value in shown if isinstance(value, int | float)]
    share = is_share(heading.chart_measure)
    canvas.setFont(BOLD, 9)
    canvas.drawString(MARGIN, top - 10, label(heading.chart_measure, language))
    bottom, left = top - CHART_HEIGHT, MARGIN + 48
    plot_top, plot_bottom = top - 24, bottom + 40
    width = PAGE[0] - MARGIN - left
    highest = max([*values, 0]) or 1
    if share:
        highest = max(highest, 1.0)
    canvas.setFont(FONT, 7)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    for step in range(5):  # the value axis: 0 to the highest, in four steps
        value = highest * step / 4
        y = plot_bottom + (plot_top - plot_bottom) * step / 4
        canvas.line(left, y, left + width, y)
        canvas.drawRightString(left - 4, y - 2.5, _number(value, share, language))
    slot = width / max(len(shown), 1)

    def height_of(value) -> float:
        return (plot_top - plot_bottom) * (value / highest)

    canvas.setFillColor(BAR)
    canvas.setStrokeColor(BAR)
    if heading.chart_keys == ["period"] and len(shown) > 1:  # a trend: a line
        canvas.setLineWidth(1.5)
        points = [
            (left + slot * (index + 0.5), plot_bottom + height_of(value))
            for index, (_, value) in enumerate(shown)
            if isinstance(value, int | float)
        ]
        path = canvas.beginPath()
        for index, (x, y) in enumerate(points):
            path.lineTo(x, y) if index else path.moveTo(x, y)
        canvas.drawPath(path, stroke=1, fill=0)
        for x, y in points:
            canvas.circle(x, y, 1.8, stroke=0, fill=1)
    else:
        for index, (_, value) in enumerate(shown):
            if isinstance(value, int | float) and value > 0:
                x = left + slot * index + slot * 0.15
                canvas.rect(x, plot_bottom, slot * 0.7, height_of(value), stroke=0, fill=1)
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 6.5)
    for index, (name, _) in enumerate(shown):  # the group labels, slanted to fit
        canvas.saveState()
        canvas.translate(left + slot * (index + 0.5), plot_bottom - 4)
        canvas.rotate(30 if len(shown) > 8 else 0)
        text = _fit(name, 90 if len(shown) > 8 else slot - 2, FONT, 6.5)
        if len(shown) > 8:
            canvas.drawRightString(0, -6, text)
        else:
            canvas.drawCentredString(0, -6, text)
        canvas.restoreState()
    if len(groups) > len(shown):
        canvas.setFont(FONT, 7)
        text = words["chart_cut"].format(shown=len(shown))
        canvas.drawString(MARGIN, bottom + 2, text)
        _place(canvas, ROWS_FORM, MARGIN + stringWidth(text, FONT, 7) + 3, bottom + 2)
    return bottom - 10


def _place(canvas: Canvas, form: str, x: float, y: float) -> None:
    canvas.saveState()
    canvas.translate(x, y)
    canvas.doForm(form)
    canvas.restoreState()


def _widths(columns, rows, language) -> list[float]:
    """Each column's width: its widest text among the header and the first rows, scaled
    down together to fit the page if they are too wide."""
    wanted = []
    for index, column in enumerate(columns):
        texts = [label(column, language)] + [_cell(row[index], column, language) for row in rows]
        widest = max(
            stringWidth(text, BOLD if i == 0 else FONT, SIZE) for i, text in enumerate(texts)
        )
        wanted.append(min(widest, 220.0) + 2 * PADDING + 1)
    room = PAGE[0] - 2 * MARGIN
    total = sum(wanted)
    return wanted if total <= room else [width * room / total for width in wanted]


def _table(page: _Pages, top: float, columns, widths, rows, language) -> int:
    canvas = page.canvas
    lowest = MARGIN + 6
    y = _header(canvas, top, columns, widths, language)
    count = 0
    for row in rows:
        if y - ROW < lowest:
            page.next()
            y = _header(canvas, PAGE[1] - MARGIN, columns, widths, language)
        if count % 2:
            canvas.setFillColor(STRIPE)
            canvas.rect(MARGIN, y - ROW + 2.5, sum(widths), ROW, stroke=0, fill=1)
            canvas.setFillColor(INK)
        canvas.setFont(FONT, SIZE)
        x = MARGIN
        for value, column, width in zip(row, columns, widths, strict=True):
            text = _fit(_cell(value, column, language), width - 2 * PADDING, FONT, SIZE)
            if isinstance(value, int | float) and not isinstance(value, bool):
                canvas.drawRightString(x + width - PADDING, y - ROW + 5, text)
            else:
                canvas.drawString(x + PADDING, y - ROW + 5, text)
            x += width
        y -= ROW
        count += 1
    if not count:
        canvas.setFont(FONT, 9)
        canvas.drawString(MARGIN, y - ROW, WORDS[language]["empty"])
    return count


def _header(canvas: Canvas, top: float, columns, widths, language) -> float:
    canvas.setFont(BOLD, SIZE)
    canvas.setFillColor(INK)
    x = MARGIN
    for column, width in zip(columns, widths, strict=True):
        text = _fit(label(column, language), width - 2 * PADDING, BOLD, SIZE)
        canvas.drawString(x + PADDING, top - ROW + 4, text)
        x += width
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, top - ROW + 1, MARGIN + sum(widths), top - ROW + 1)
    return top - ROW - 1


def _cell(value, column: str, language: str) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value, is_share(column), language)
    return _text(value, language)


def _text(value, _language: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _number(value, share: bool, language: str) -> str:
    """A number the language's way (100.0% and 1,234.5 in English; 100,0 % and 1.234,5 in
    German): shares with one decimal, other fractions rounded to one."""
    locale, percent, decimal, whole = _patterns(language)
    if share:
        return percent.apply(value, locale)
    if isinstance(value, float) and not value.is_integer():
        return decimal.apply(round(value, 1), locale)
    return whole.apply(value, locale)


@cache
def _patterns(language: str):
    """The locale and its number patterns, parsed once (babel would parse them per number)."""
    locale = Locale.parse(language)
    percent = locale.percent_formats[None].pattern.replace("#,##0", "#,##0.0", 1)
    return locale, parse_pattern(percent), parse_pattern("#,##0.0"), parse_pattern("#,##0")


def _fit(text: str, room: float, font: str, size: float) -> str:
    """``text``, cut with an ellipsis to fit ``room`` points."""
    if len(text) * size * WIDEST_GLYPH <= room:  # fits whatever its letters: not measured
        return text
    if stringWidth(text, font, size) <= room:
        return text
    while text and stringWidth(text + "…", font, size) > room:
        text = text[: max(len(text) * 3 // 4, len(text) - 8) if len(text) > 40 else -1]
    return text + "…" if text else ""
