"""Documents written from reports: sections of sentences and tables (the yearly basic
situation, :mod:`overview.basic_situation`). The framework's part: the structure, a report's
rows as a document table, and the Word writer (:func:`reports.rendering.render_docx`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .numbers import grouped
from .registry import ColumnKind, Report, RowLevel


@dataclass
class Table:
    caption: str
    unit: str
    headers: list[str]
    rows: list[list[str]]
    levels: list[str]

    @property
    def lines(self) -> list[tuple[str, list[str]]]:
        return list(zip(self.levels, self.rows, strict=True))


class Sentence(str):
    """A paragraph's text with the sources of its figures: ``links``, (label, URL) pairs of
    the report tables or register lists the figures were counted from. The page links them;
    the Word document prints the text."""

    links: tuple[tuple[str, str], ...] = ()

    def __new__(cls, text, links=()):
        sentence = super().__new__(cls, text)
        sentence.links = tuple(links)
        return sentence


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Part:
    """A numbered part of a document (一、基本情况, 二、主要特点...): its sections."""

    heading: str
    sections: list[Section]


@dataclass
class Document:
    """A written document made from reports: a title, a heading and numbered sections of
    paragraphs and tables; a page shows it and :func:`reports.rendering.render_docx` writes
    it as a Word document. A document of several parts lists them in ``parts`` (each with
    its heading and sections); one of a single part has its ``heading`` and ``sections``."""

    title: str
    heading: str
    sections: list[Section]
    generated_by: str
    generated_at: object
    parts: list[Part] = field(default_factory=list, kw_only=True)

    def all_parts(self) -> list[Part]:
        return self.parts or [Part(heading=self.heading, sections=self.sections)]

    def text(self) -> str:
        """Everything the page and the document say, as plain text (for search and tests)."""
        parts = [self.title]
        for part in self.all_parts():
            parts.append(part.heading)
            for section in part.sections:
                parts.append(section.heading)
                parts.extend(section.paragraphs)
                for table in section.tables:
                    parts.append(table.caption)
                    parts.extend(" ".join(row) for row in table.rows)
        return "\n".join(parts)


def report_table(report: Report, number: int, keys: list[str] | None = None) -> Table:
    """A report's total and street rows as a document table (numbers with separators)."""
    columns = [c for c in report.columns() if keys is None or c.key in keys]
    rows, levels = [], []
    for row in report.rows():
        if row.level == RowLevel.COMMITTEE:
            continue
        cells = [row.label]
        for column in columns:
            value = row.values.get(column.key)
            if value is None:
                cells.append("")
            elif column.kind in (ColumnKind.MONEY, ColumnKind.AREA, ColumnKind.DECIMAL):
                cells.append(grouped(value, 2))
            elif column.kind == ColumnKind.INTEGER:
                cells.append(grouped(value))
            else:
                cells.append(str(value))
        rows.append(cells)
        levels.append(row.level)
    return Table(
        caption=_("Table %(number)s %(name)s") % {"number": number, "name": report.verbose_name},
        unit=_("Unit: %(unit)s") % {"unit": report.unit},
        headers=[_("Unit")] + [str(c.label) for c in columns],
        rows=rows,
        levels=levels,
    )
