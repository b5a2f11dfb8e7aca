"""Saddle-stitch imposition: the page order, and real PDFs made with WeasyPrint."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any, cast

import pytest
from pypdf import PdfReader, PdfWriter

from bookbuild.builders.impose import (
    A4_LANDSCAPE,
    A5_PORTRAIT,
    ImpositionError,
    impose_saddle_stitch,
    saddle_stitch_order,
)
from pdftext import Run, halves, text_runs

# ---------------------------------------------------------------------------
# The order, written out by hand in 1-based page numbers; None is a blank.
# Each sheet: ((front-left, front-right), (back-left, back-right)).

EXPECTED_ORDER: dict[int, list[Any]] = {
    1: [((None, 1), (None, None))],
    4: [((4, 1), (2, 3))],
    8: [
        ((8, 1), (2, 7)),
        ((6, 3), (4, 5)),
    ],
    9: [
        ((None, 1), (2, None)),
        ((None, 3), (4, 9)),
        ((8, 5), (6, 7)),
    ],
    12: [
        ((12, 1), (2, 11)),
        ((10, 3), (4, 9)),
        ((8, 5), (6, 7)),
    ],
}


def zero_based(table: list[Any]) -> list[Any]:
    def idx(n: int | None) -> int | None:
        return None if n is None else n - 1

    return [((idx(fl), idx(fr)), (idx(bl), idx(br))) for (fl, fr), (bl, br) in table]


@pytest.mark.parametrize("count", sorted(EXPECTED_ORDER))
def test_order_matches_hand_written_table(count: int) -> None:
    assert saddle_stitch_order(count) == zero_based(EXPECTED_ORDER[count])


def test_order_of_no_pages_is_no_sheets() -> None:
    assert saddle_stitch_order(0) == []


def test_order_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        saddle_stitch_order(-1)


@pytest.mark.parametrize("count", range(1, 41))
def test_folded_sheets_read_in_order(count: int) -> None:
    sheets = saddle_stitch_order(count)
    assert len(sheets) == -(-count // 4)
    # Stacked and folded: the first halves of the sheets, outermost first, are
    # front-right then back-left; the second halves, innermost first, are
    # back-right then front-left.
    first = [p for (_, fr), (bl, _) in sheets for p in (fr, bl)]
    second = [p for (fl, _), (_, br) in reversed(sheets) for p in (br, fl)]
    reading = first + second
    assert reading == [*range(count), *[None] * (len(reading) - count)]


# ---------------------------------------------------------------------------
# Real PDFs.

SHEET_W, SHEET_H = 841.89, 595.28
TOLERANCE = 0.5

PAGE_CSS = """
@page { size: %(size)s; margin: 0 }
body { margin: 0; font-family: "DejaVu Sans", sans-serif }
.page { position: relative; height: %(height)s }
.page + .page { break-before: page }
.num { margin: 0; padding-top: 40mm; text-align: center; font-size: 72pt }
.tl { position: absolute; left: 10mm; top: 10mm; font-size: 9pt }
.br { position: absolute; right: 10mm; bottom: 10mm; font-size: 9pt }
"""


@cache
def booklet(count: int, size: str = "A5", height: str = "200mm") -> bytes:
    """A ``count``-page PDF: page n shows "n" big, and corner marks "TL" and "BR"."""
    import weasyprint

    pages = "".join(
        f'<div class="page"><span class="tl">TL</span><p class="num">{n}</p>'
        f'<span class="br">BR</span></div>'
        for n in range(1, count + 1)
    )
    html = (
        "<html><head><meta charset='utf-8'><title>Próbafüzet</title>"
        "<meta name='author' content='Kovács Éva'>"
        "<meta name='keywords' content='történelem, kronológia'>"
        f"<style>{PAGE_CSS % {'size': size, 'height': height}}</style></head>"
        f"<body>{pages}</body></html>"
    )
    data = cast(bytes, weasyprint.HTML(string=html).write_pdf())
    assert len(PdfReader(io.BytesIO(data)).pages) == count
    return data


@cache
def imposed(count: int) -> bytes:
    return impose_saddle_stitch(booklet(count))


def numbers(texts: list[str]) -> list[str]:
    return [t for t in texts if t.isdigit()]


def find(runs: list[Run], text: str) -> tuple[float, float]:
    hits = [(x, y) for t, x, y in runs if t == text]
    assert len(hits) == 1, (text, runs)
    return hits[0]


def test_paper_sizes() -> None:
    a4_landscape, a5_portrait = A4_LANDSCAPE, A5_PORTRAIT
    assert a4_landscape == pytest.approx((841.89, 595.28), abs=0.01)
    assert a5_portrait == pytest.approx((419.53, 595.28), abs=0.01)


@pytest.mark.slow
@pytest.mark.parametrize("count", [1, 4, 8, 9])
def test_sheet_count_and_size(count: int) -> None:
    reader = PdfReader(io.BytesIO(imposed(count)))
    assert len(reader.pages) == 2 * -(-count // 4)
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(SHEET_W, abs=TOLERANCE)
        assert float(page.mediabox.height) == pytest.approx(SHEET_H, abs=TOLERANCE)
        assert page.rotation == 0


@pytest.mark.slow
@pytest.mark.parametrize("count", [1, 4, 8, 9])
def test_each_half_holds_the_expected_page(count: int) -> None:
    reader = PdfReader(io.BytesIO(imposed(count)))
    sides = [pair for sheet in EXPECTED_ORDER[count] for pair in sheet]
    assert len(reader.pages) == len(sides)
    for number, (page, (left, right)) in enumerate(zip(reader.pages, sides, strict=True)):
        got_left, got_right = halves(page)
        where = f"side {number} of {count} pages"
        for got, want in ((got_left, left), (got_right, right)):
            if want is None:
                assert got == [], where  # a blank: nothing at all
            else:
                assert numbers(got) == [str(want)], where
                assert sorted(t for t in got if not t.isdigit()) == ["BR", "TL"], where


@pytest.mark.slow
def test_a5_pages_are_placed_one_to_one_and_upright() -> None:
    source = PdfReader(io.BytesIO(booklet(4))).pages[0]
    src_tl, src_br = find(text_runs(source), "TL"), find(text_runs(source), "BR")
    # Page 1 is the right half of the first side.
    runs = text_runs(PdfReader(io.BytesIO(imposed(4))).pages[0])
    runs = [r for r in runs if r[1] >= SHEET_W / 2]
    tl, br = find(runs, "TL"), find(runs, "BR")
    assert br[0] - tl[0] == pytest.approx(src_br[0] - src_tl[0], abs=0.01)
    assert br[1] - tl[1] == pytest.approx(src_br[1] - src_tl[1], abs=0.01)
    gutter = (SHEET_W / 2 - A5_PORTRAIT[0]) / 2  # A5 is a little narrower than half A4
    assert tl[0] - src_tl[0] == pytest.approx(SHEET_W / 2 + gutter, abs=0.05)
    assert tl[1] == pytest.approx(src_tl[1], abs=0.05)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("size", "box"),
    [
        ("letter", "260mm"),  # wider than A5: fills the width, centred vertically
        ("100mm 250mm", "240mm"),  # narrower: fills the height, centred horizontally
    ],
)
def test_other_page_sizes_are_scaled_uniformly_and_centred(size: str, box: str) -> None:
    data = booklet(2, size, box)
    source = PdfReader(io.BytesIO(data)).pages[1]
    width, height = float(source.mediabox.width), float(source.mediabox.height)
    assert abs(width - A5_PORTRAIT[0]) > 10
    src_tl, src_br = find(text_runs(source), "TL"), find(text_runs(source), "BR")

    # Two pages: the first side holds (blank, 1), the second (2, blank).
    page = PdfReader(io.BytesIO(impose_saddle_stitch(data))).pages[1]
    left, right = halves(page)
    assert numbers(left) == ["2"]
    assert right == []
    runs = text_runs(page)
    tl, br = find(runs, "TL"), find(runs, "BR")
    scale_x = (br[0] - tl[0]) / (src_br[0] - src_tl[0])
    scale_y = (br[1] - tl[1]) / (src_br[1] - src_tl[1])
    expected = min(SHEET_W / 2 / width, SHEET_H / height)
    assert scale_x == pytest.approx(expected, rel=1e-4)
    assert scale_y == pytest.approx(expected, rel=1e-4)
    # Where the page's lower-left corner went: centred in the left half.
    origin_x, origin_y = tl[0] - expected * src_tl[0], tl[1] - expected * src_tl[1]
    assert origin_x == pytest.approx((SHEET_W / 2 - expected * width) / 2, abs=0.05)
    assert origin_y == pytest.approx((SHEET_H - expected * height) / 2, abs=0.05)


@pytest.mark.slow
def test_rotated_pages_are_placed_as_displayed() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(booklet(4)))
    for page in writer.pages:
        page.rotate(90)  # shown turned clockwise: landscape, TL at the top right
    buffer = io.BytesIO()
    writer.write(buffer)

    page = PdfReader(io.BytesIO(impose_saddle_stitch(buffer.getvalue()))).pages[0]
    left, right = halves(page)
    assert numbers(left) == ["4"]
    assert numbers(right) == ["1"]
    runs = [r for r in text_runs(page) if r[1] >= SHEET_W / 2]
    tl, br = find(runs, "TL"), find(runs, "BR")
    assert tl[0] > br[0]
    assert tl[1] > br[1]
    assert all(SHEET_W / 2 <= x <= SHEET_W and 0 <= y <= SHEET_H for _, x, y in runs)


@pytest.mark.slow
def test_output_is_deterministic() -> None:
    data = booklet(9)
    first = impose_saddle_stitch(data)
    assert impose_saddle_stitch(data) == first
    reader = PdfReader(io.BytesIO(first))
    assert "/ID" not in reader.trailer
    info: dict[str, Any] = dict(reader.metadata or {})
    assert "/CreationDate" not in info
    assert "/ModDate" not in info


@pytest.mark.slow
def test_path_and_bytes_give_the_same_pdf(tmp_path: Path) -> None:
    path = tmp_path / "booklet.pdf"
    path.write_bytes(booklet(8))
    assert impose_saddle_stitch(path) == imposed(8)


@pytest.mark.slow
def test_metadata_is_kept() -> None:
    source = PdfReader(io.BytesIO(booklet(4))).metadata
    assert source is not None
    info = PdfReader(io.BytesIO(imposed(4))).metadata
    assert info is not None
    assert info.title == "Próbafüzet"
    assert info.author == "Kovács Éva"
    for key in ("/Title", "/Author", "/Keywords", "/Producer"):
        if key in source:
            assert info[key] == source[key]


@pytest.mark.slow
def test_title_can_be_replaced() -> None:
    out = impose_saddle_stitch(booklet(4), title="Próbafüzet (nyomtatáshoz)")
    info = PdfReader(io.BytesIO(out)).metadata
    assert info is not None
    assert info.title == "Próbafüzet (nyomtatáshoz)"
    assert info.author == "Kovács Éva"


def embedded_font_files(data: bytes) -> int:
    reader = PdfReader(io.BytesIO(data))
    seen: set[int] = set()
    for page in reader.pages:
        stack: list[Any] = [page]
        visited: set[int] = set()
        while stack:
            obj = stack.pop()
            ref = getattr(obj, "indirect_reference", None)
            if ref is not None:
                if ref.idnum in visited:
                    continue
                visited.add(ref.idnum)
            obj = obj.get_object()
            if isinstance(obj, dict):
                for key, value in obj.items():
                    if key in ("/FontFile", "/FontFile2", "/FontFile3"):
                        seen.add(value.idnum)
                    elif key not in ("/Parent", "/P"):
                        stack.append(value)
            elif isinstance(obj, list):
                stack.extend(obj)
    return len(seen)


@pytest.mark.slow
def test_fonts_are_shared_not_copied_per_sheet() -> None:
    data = booklet(24)
    out = impose_saddle_stitch(data)
    assert embedded_font_files(data) >= 1
    assert embedded_font_files(out) == embedded_font_files(data)
    assert len(out) < 2 * len(data)


def test_garbage_is_rejected() -> None:
    with pytest.raises(ImpositionError):
        impose_saddle_stitch(b"this is not a PDF")
