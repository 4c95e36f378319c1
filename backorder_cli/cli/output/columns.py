"""Tables that stream and fit the window: rows are printed in chunks with the same column
widths (fixed from the first chunk), never built whole; and what must not be cut (order
numbers, SKUs, quantities, money, dates) never is.

Each column says how it may give way when the window is narrow:
- `KEEP` never wraps or shrinks (numbers, SKUs, quantities, money, dates);
- `WORDS` wraps only between words (lists of SKU=QTY, statuses);
- `TEXT` wraps, and shrinks first (names, comments, customers).
Headers wrap between words. When even that does not fit, the table drops its dividers
(columns two spaces apart, as `docker ps` prints them); and when that does not fit either,
every row is shown as a block of "Header  value" lines: narrower than any table, and
nothing is cut.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Final, Literal

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

Kind = Literal["keep", "words", "text"]
KEEP: Final = "keep"
WORDS: Final = "words"
TEXT: Final = "text"

CHUNK = 100  # rows measured and printed at a time
_TEXT_FLOOR = 8  # a name or customer shrinks to this before the table gives up
_BETWEEN = 3  # a column's two padding spaces and its divider (no edge: one less in all)

Cell = str | Text


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = TEXT
    justify: Literal["left", "right"] = "left"


def _plain(value: Cell) -> str:
    return value.plain if isinstance(value, Text) else value


def _longest_word(value: str) -> int:
    return max((cell_len(w) for w in value.split()), default=0)


@dataclass
class _Measure:
    """What a column's cells need: all on one line (`want`); at least (`floor`), and
    before that, for text, its longest word (`word`)."""

    want: int
    floor: int
    word: int


def _measure(columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> list[_Measure]:
    found = []
    for i, column in enumerate(columns):
        cells = [_plain(row[i]) for row in rows]
        longest = max((cell_len(c) for c in cells), default=0)
        head_word = _longest_word(column.header)
        want = max(longest, cell_len(column.header))
        word = max(max((_longest_word(c) for c in cells), default=0), head_word)
        if column.kind == KEEP:
            floor = max(longest, head_word)
        elif column.kind == WORDS:
            floor = word
        else:
            floor = max(min(longest, _TEXT_FLOOR), head_word)
        found.append(_Measure(want, floor, word))
    return found


def _merge(old: list[_Measure], new: list[_Measure]) -> list[_Measure]:
    return [
        _Measure(max(a.want, b.want), max(a.floor, b.floor), max(a.word, b.word))
        for a, b in zip(old, new, strict=True)
    ]


def fit(
    columns: Sequence[Column], measures: list[_Measure], room: int, *, compact: bool = False
) -> list[int] | None:
    """Column widths for a window `room` cells wide: every column as wide as its cells,
    then, the widest first, text wraps between words, lists of words wrap, headers
    wrap, and text shrinks further (long words fold) down to its floor. None when the
    floors alone do not fit: the rows are shown as blocks."""
    widths = [m.want for m in measures]
    space = _space(columns, room, compact=compact)
    stages: list[tuple[str, Callable[[_Measure], int]]] = [
        (TEXT, lambda m: max(m.word, m.floor)),
        (WORDS, lambda m: m.floor),
        (KEEP, lambda m: m.floor),
        (TEXT, lambda m: m.floor),
    ]
    for kind, floor_of in stages:
        while sum(widths) > space:
            candidates = [
                i
                for i, c in enumerate(columns)
                if c.kind == kind and widths[i] > floor_of(measures[i])
            ]
            if not candidates:
                break
            widest = max(candidates, key=lambda i: widths[i])
            widths[widest] -= 1
    return widths if sum(widths) <= space else None


def _space(columns: Sequence[Column], room: int, *, compact: bool = False) -> int:
    """What a window `room` cells wide leaves for the cells, after padding and dividers
    (compact: two spaces between columns, nothing at the edges)."""
    if compact:
        return room - 2 * (len(columns) - 1)
    return room - (_BETWEEN * len(columns) - 1)


class TablePrinter:
    """Prints rows as they come, `CHUNK` at a time, with the widths the first chunk set.
    A later cell that must not be cut and is wider than its column widens the column
    from that chunk on (it is never cut); a later chunk that no longer fits the window
    switches to blocks, for the rest of the listing."""

    def __init__(
        self,
        out: Console,
        columns: Sequence[Column],
        *,
        title: str | None = None,
        footers: Sequence[str] | None = None,
        widest: Sequence[Cell] | None = None,
    ) -> None:
        self.out = out
        self.columns = list(columns)
        self.title = title
        self.footers = footers
        self.room = out.width
        # The widest value of each column where it is known (e.g. the last order
        # number): the first chunk's widths then hold for every later one.
        self.measures = _measure(self.columns, [widest]) if widest else None
        self.widths: list[int] | None = None
        self.compact = False  # no dividers: the table did not fit with them
        self.blocks = False  # one block per row: not even the compact table fit
        self.printed = 0

    def print_rows(self, rows: Iterable[Sequence[Cell]]) -> int:
        """Print every row; the count printed (nothing at all, not even the header, for
        no rows)."""
        chunks = _chunks(rows)
        pending = next(chunks, None)
        while pending is not None:
            following = next(chunks, None)
            self._print_chunk(pending, last=following is None)
            pending = following
        return self.printed

    def _print_chunk(self, rows: list[Sequence[Cell]], *, last: bool) -> None:
        measures = _measure(self.columns, rows)
        self.measures = measures if self.measures is None else _merge(self.measures, measures)
        if self.widths is None or any(
            w < m.floor for w, m in zip(self.widths, self.measures, strict=True)
        ):
            # A listing only ever gets narrower in style: table, compact, blocks.
            widths = None if self.compact else fit(self.columns, self.measures, self.room)
            if widths is None:
                self.compact = True
                widths = fit(self.columns, self.measures, self.room, compact=True)
            if widths is None:
                self.blocks = True
            elif self.widths is not None:
                # Only wider where it still fits: the rows above keep their look.
                wider = [max(a, b) for a, b in zip(widths, self.widths, strict=True)]
                if sum(wider) <= _space(self.columns, self.room, compact=self.compact):
                    widths = wider
            self.widths = widths
        if self.blocks:
            self._print_blocks(rows, last=last)
        else:
            self._print_table(rows, last=last)
        self.printed += len(rows)
        self.out.file.flush()

    def _print_table(self, rows: list[Sequence[Cell]], *, last: bool) -> None:
        """Rows that fit their columns on one line are written as Rich would write them,
        without Rich (ten times faster, for listings of a million rows); the header,
        the footer and rows that wrap are Rich's."""
        assert self.widths is not None
        footer = last and self.footers is not None
        if self.printed == 0:
            self.out.print(self._table(header=True, footer=False))
        pending: list[Sequence[Cell]] = []  # rows that wrap, printed together by Rich
        lines: list[str] = []
        for row in rows:
            line = self._one_line(row)
            if line is None:
                if lines:
                    self._write_lines(lines)
                pending.append(row)
            else:
                if pending:
                    self._print_rows(pending)
                lines.append(line)
        if lines:
            self._write_lines(lines)
        if pending or footer:
            self._print_rows(pending, footer=footer)

    def _one_line(self, row: Sequence[Cell]) -> str | None:
        """The row as Rich would print it, if every cell fits its column; else None."""
        assert self.widths is not None
        cells = []
        for column, width, value in zip(self.columns, self.widths, row, strict=True):
            shown = _plain(value)
            if isinstance(value, Text) and (value.style or value.spans):
                return None  # styled: Rich writes the style
            room = width - cell_len(shown)
            if room < 0:
                return None
            cells.append(" " * room + shown if column.justify == "right" else shown + " " * room)
        if self.compact:
            return "  ".join(cells) + "\n"
        return " " + " │ ".join(cells) + " \n"

    def _write_lines(self, lines: list[str]) -> None:
        self.out.file.write("".join(lines))
        lines.clear()

    def _print_rows(self, rows: list[Sequence[Cell]], *, footer: bool = False) -> None:
        table = self._table(header=False, footer=footer)
        for row in rows:
            table.add_row(*row)
        self.out.print(table)
        rows.clear()

    def _table(self, *, header: bool, footer: bool) -> Table:
        assert self.widths is not None
        table = Table(
            show_edge=False,
            header_style="bold",
            show_header=header,
            show_footer=footer,
            title=self.title if header else None,
            title_justify="left",
        )
        if self.compact:
            table.box = None
            table.pad_edge = False
        footers = self.footers or [""] * len(self.columns)
        for column, width, text in zip(self.columns, self.widths, footers, strict=True):
            table.add_column(
                column.header, footer=text, justify=column.justify, width=width, overflow="fold"
            )
        return table

    def _print_blocks(self, rows: list[Sequence[Cell]], *, last: bool) -> None:
        if self.printed == 0 and self.title:
            self.out.print(Text(self.title, style="italic"))
        first = self.printed == 0
        for row in rows:
            self._print_block(
                [(c.header, v) for c, v in zip(self.columns, row, strict=True)], first=first
            )
            first = False
        if last and self.footers is not None:  # the first footer names the others
            self.out.print()
            self.out.print(Text(self.footers[0], style="bold"))
            pairs = zip((c.header for c in self.columns[1:]), self.footers[1:], strict=True)
            self._print_block(list(pairs), first=True)

    def _print_block(self, pairs: list[tuple[str, Cell]], *, first: bool = False) -> None:
        grid = Table.grid(padding=(0, 2))
        label_width = max(cell_len(c.header) for c in self.columns)
        grid.add_column(style="bold", no_wrap=True, width=label_width)
        grid.add_column(overflow="fold")
        for label, value in pairs:
            if _plain(value):
                grid.add_row(label, value)
        if not first:
            self.out.print()  # a blank line between blocks
        self.out.print(grid)


def _chunks(rows: Iterable[Sequence[Cell]]) -> Iterator[list[Sequence[Cell]]]:
    it = iter(rows)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def print_table(
    out: Console,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Cell]],
    *,
    title: str | None = None,
    footers: Sequence[str] | None = None,
    widest: Sequence[Cell] | None = None,
) -> int:
    """Print `rows` (cells: plain strings we made, or `Text` for data) as a table that
    fits `out`'s width, streamed; the count of rows printed. `widest`: a row of the
    widest values known before the rows come ("" where none is known)."""
    printer = TablePrinter(out, columns, title=title, footers=footers, widest=widest)
    return printer.print_rows(rows)
