"""The Markdown export, read by the real Pandoc, gives back exactly the text export.

Pandoc reads much of plain prose as markup: "1956. " at a paragraph's start as an
ordered list, ``--`` and ``---`` as dashes, ``...`` as an ellipsis, straight quotes as
curly ones, entities, ``*``, ``[``, ``$``, ``@`` … The export escapes all of it, separates
paragraphs with blank lines and quotes the front matter; these tests run ``pandoc``
(CI installs it) on the 1956 book and on a text written to trip it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bookbuild.cli import main
from conftest import BOOKS, REPO, VALID

# what prose must never become
FORBIDDEN = {"OrderedList", "HorizontalRule", "CodeBlock", "BlockQuote", "DefinitionList",
             "RawBlock", "RawInline", "Math", "Cite", "Quoted", "Superscript", "Subscript",
             "Strikeout", "Image", "LineBlock", "SmallCaps", "Underline"}

TRICKY = """\
1956. október 23-án kezdődött.

--- ez nem vonal, -- ez sem kötőjel... és ... sem három pont.

- nem lista, + sem ez, : nem definíció, % nem cím

a) nem lista; (1) sem ez; IV. Béla sem; i. sz.

&amp; &#60; &lt;b&gt; $x$ ~alsó~ ^felső^ @hivatkozás \\*csillag\\* \\[zárójel\\] | sor |

"idézet" és 'aposztróf' és `kód` és #címke és \\\\ visszaper és 2 > 1

== nem cím ==
"""


def pandoc(markdown: str, to: str) -> str:
    done = subprocess.run(["pandoc", "-f", "markdown", "-t", to, "--wrap=none"],
                          input=markdown.encode(), capture_output=True, check=True)
    return done.stdout.decode()


def element_types(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if "t" in node:
            found.add(node["t"])
        for value in node.values():
            found |= element_types(value)
    elif isinstance(node, list):
        for value in node:
            found |= element_types(value)
    return found


def export(project: Path, fmt: str) -> str:
    result = CliRunner().invoke(main, ["export", "--format", fmt, str(project)])
    assert result.exit_code == 0, result.output
    return result.output


def expected_lines(text: str) -> list[str]:
    """The text export's lines as Pandoc's plain writer prints the same book: no title
    (it is metadata), notes as ``[n] text`` after the running text."""
    lines = [line for line in text.splitlines() if line.strip()][2:]
    notes_at = len(lines)
    while notes_at > 0 and re.match(r"\d+\. ", lines[notes_at - 1]):
        notes_at -= 1
    if notes_at < len(lines):  # the notes' heading, then "n. text" lines
        lines = lines[: notes_at - 1] + [re.sub(r"\A(\d+)\. ", r"[\1] ", n)
                                         for n in lines[notes_at:]]
    return lines


def is_figure(block: dict[str, object]) -> bool:
    """Pandoc's implicit figure: a paragraph holding one image and nothing else."""
    content = block.get("c")
    return block.get("t") == "Para" and isinstance(content, list) and len(content) == 1 \
        and content[0].get("t") == "Image"


def assert_reads_back(project: Path) -> None:
    markdown = export(project, "markdown")
    blocks = json.loads(pandoc(markdown, "json"))["blocks"]
    types = element_types([b for b in blocks if not is_figure(b)])
    assert not types & FORBIDDEN, types & FORBIDDEN
    captions = {f"[{f['label']}: {f['caption']}" for f in json.loads(export(project, "json"))
                ["figures"]}
    plain = [re.sub(r" \(→ .*\)\Z", "", line)  # a demand's events, only in the Markdown
             for line in pandoc(markdown, "plain").splitlines() if line.strip()]
    # Pandoc's plain text shows a figure as its caption in brackets
    plain = [line[1:-1] if any(line.startswith(c) for c in captions) and line.endswith("]")
             else line for line in plain]
    position = 0
    for line in expected_lines(export(project, "text")):
        assert line in plain[position:], f"not in Pandoc's text (in order): {line!r}"
        position = plain.index(line, position) + 1


@pytest.fixture
def tricky(tmp_path: Path) -> Path:
    project = tmp_path / "book"
    shutil.copytree(VALID, project)
    chronology = project / "manuscript" / "chronology.yaml"
    text = chronology.read_text(encoding="utf-8")
    block = "".join(f"    {line}\n" if line else "\n" for line in TRICKY.splitlines())
    text = text.replace("  text: >-\n    [Hruscsov](@hruscsov) beszédet mondott",
                        "  text: |-\n" + block + "\n    [Hruscsov](@hruscsov) beszédet mondott")
    chronology.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 0, result.output
    return project


def test_the_1956_book_reads_back_through_pandoc() -> None:
    assert_reads_back(REPO)


def test_figures_read_back_through_pandoc_as_figures() -> None:
    """Each figure is an implicit figure where it stands: the image alone in its paragraph,
    its id, its alt text, the label, caption and credit as the caption, the path inside
    the project; the text Pandoc gives back is the text export's."""
    project = BOOKS / "gdansk-1980"
    markdown = export(project, "markdown")
    blocks = json.loads(pandoc(markdown, "json"))["blocks"]
    figures = json.loads(export(project, "json"))["figures"]
    found = [b["c"][0]["c"] for b in blocks if is_figure(b)]
    assert len(found) == len(figures) == 2
    for (attr, _caption, (path, _title)), figure in zip(found, figures, strict=True):
        assert attr[0] == f"fig-{figure['id']}"
        assert ["alt", figure["alt"]] in attr[2]
        assert path == f"manuscript/{figure['file']}" and (project / path).is_file()
    html_out = pandoc(markdown, "html")
    assert html_out.count("<figure>") == 2 and "aria-hidden" not in html_out
    assert_reads_back(project)
    text = export(project, "text")
    assert "Figure\u00a01: The coast from Gdynia to Gdańsk. – Map by the editors, CC BY 4.0" \
        in text


def test_prose_that_looks_like_markup_reads_back_through_pandoc(tricky: Path) -> None:
    assert_reads_back(tricky)
    text = export(tricky, "text")
    assert "1956. október" in text and "&lt;b&gt;" in text  # and no ordered list (above)


def test_an_events_paragraphs_stay_paragraphs(tricky: Path) -> None:
    blocks = json.loads(pandoc(export(tricky, "markdown"), "json"))["blocks"]
    heading = next(i for i, b in enumerate(blocks) if b["t"] == "Header"
                   and b["c"][1][0] == "elozmeny")
    paragraphs = [b for b in blocks[heading + 1 : heading + 10] if b["t"] == "Para"]
    assert len(paragraphs) >= 8  # eight paragraphs above and the original one


def test_front_matter_values_are_quoted_and_escaped(tricky: Path) -> None:
    book = tricky / "manuscript" / "book.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace(
        "title: Próbakönyv", "title: '1956. \\*Próba\\*: könyv # \\[1\\] $x$ @a ~b~ & -- ...'"),
        encoding="utf-8")
    markdown = export(tricky, "markdown")
    meta = json.loads(pandoc(markdown, "json"))["meta"]
    assert element_types(meta["title"]) <= {"MetaInlines", "Str", "Space"}, meta["title"]
    standalone = subprocess.run(["pandoc", "-s", "-f", "markdown", "-t", "plain"],
                                input=markdown.encode(), capture_output=True, check=True)
    title = export(tricky, "text").splitlines()[0]
    assert title.startswith("1956. *Próba*: könyv # [1] $x$ @a ~b~ &")
    assert standalone.stdout.decode().splitlines()[0] == title


ENGLISH_TRICKY = ("He said \"No. 5 is 'closed'\" and Dr. Smith agreed; e.g. on Aug. 14 "
                  "Mr. Wałęsa spoke (vs. the director, cf. p. 3).")


def test_english_quotes_and_abbreviations_read_back_as_they_are(tmp_path: Path) -> None:
    """Pandoc's smart extension reads “…” and ‘…’ as quotes of its own and puts a no-break
    space after "No.", "Dr.", "vs." …: the export keeps both as the text has them."""
    project = tmp_path / "book"
    shutil.copytree(BOOKS / "gdansk-1980", project)
    chronology = project / "manuscript" / "chronology.yaml"
    text = chronology.read_text(encoding="utf-8")
    chronology.write_text(text.replace("  text: >-\n", f"  text: |-\n    {ENGLISH_TRICKY}\n\n",
                                       1), encoding="utf-8")
    markdown = export(project, "markdown")
    blocks = json.loads(pandoc(markdown, "json"))["blocks"]
    assert "Quoted" not in element_types([b for b in blocks if not is_figure(b)])
    line = next(t for t in export(project, "text").splitlines() if t.startswith("He said"))
    assert "\u201cNo. 5 is \u2018closed\u2019\u201d and Dr. Smith agreed" in line
    assert line in pandoc(markdown, "plain").splitlines()
    assert_reads_back(project)
