"""The inline syntax: mentions keep their words, problems are located, nothing crashes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bookbuild.manuscript.markup import parse_rich_text, plain_text, unmarked_text
from bookbuild.manuscript.model import Correction, CorrectionKind, Emphasis, Link, Mention, NoteRef


def parse(text: str):  # type: ignore[no-untyped-def]
    rich, problems = parse_rich_text(text)
    return rich, [(p.offset, p.message) for p in problems]


def test_mention_keeps_the_inflected_form() -> None:
    rich, problems = parse("Többen [Nagy Imrét](@nagy-imre) akarták hallani.")
    assert problems == []
    mention = next(n for n in rich.inlines() if isinstance(n, Mention))
    assert mention.entity_ids == ("nagy-imre",)
    assert plain_text(rich.paragraphs[0].children) == "Többen Nagy Imrét akarták hallani."


def test_one_mention_may_name_several_entities() -> None:
    rich, _ = parse("a [Bem-szoborhoz](@bem-szobor,bem-jozsef) vonultak")
    mention = next(n for n in rich.inlines() if isinstance(n, Mention))
    assert mention.entity_ids == ("bem-szobor", "bem-jozsef")


def test_corrections_print_the_new_and_remember_the_old() -> None:
    rich, problems = parse("Regnum {~~Marinum~>Marianum~~}[^m] helyén {++.++}[^p] x {--”--}[^q]")
    assert problems == []
    kinds = [(n.kind, n.original, n.corrected, n.note_id)
             for n in rich.inlines() if isinstance(n, Correction)]
    assert kinds == [(CorrectionKind.SUBSTITUTE, "Marinum", "Marianum", "m"),
                     (CorrectionKind.INSERT, "", ".", "p"),
                     (CorrectionKind.DELETE, "”", "", "q")]
    children = rich.paragraphs[0].children
    assert plain_text(children) == "Regnum Marianum helyén [.] x "  # insertions in brackets
    assert plain_text(children, source=True) == "Regnum Marinum helyén  x ”"


def test_a_correction_needs_a_note() -> None:
    _, problems = parse("{~~a~>b~~} szöveg")
    assert problems == [(0, "an editorial correction must be followed by a note reference")]


def test_emphasis_links_and_notes() -> None:
    rich, problems = parse("*dőlt* és **erős** [itt](https://example.org)[^n1]")
    assert problems == []
    nodes = list(rich.inlines())
    assert any(isinstance(n, Emphasis) and not n.strong for n in nodes)
    assert any(isinstance(n, Emphasis) and n.strong for n in nodes)
    assert any(isinstance(n, Link) and n.href == "https://example.org" for n in nodes)
    assert any(isinstance(n, NoteRef) and n.note_id == "n1" for n in nodes)


def test_problems_point_at_their_offset() -> None:
    text = "Jó [Nagy Imrét(@nagy-imre) és <b>x</b> meg *félig"
    _, problems = parse(text)
    offsets: dict[str, int] = {}
    for offset, message in problems:
        offsets.setdefault(message.split(":")[0], offset)
    assert offsets["unclosed mention or link markup"] == text.index("[")
    assert offsets["raw HTML is not allowed in the text"] == text.index("<b>")
    assert offsets["unclosed emphasis '*'"] == text.index("*")


def test_dangerous_link_targets_are_refused() -> None:
    for target in ("javascript:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd"):
        rich, problems = parse(f"[katt]({target})")
        assert problems and "is not allowed" in problems[0][1]
        assert not any(isinstance(n, Link) for n in rich.inlines())


def test_folded_paragraphs_and_blank_line_paragraphs() -> None:
    folded, _ = parse_rich_text("Első.\nMásodik.", folded=True)
    literal, _ = parse_rich_text("Első\nsor.\n\nMásodik.")
    assert len(folded.paragraphs) == 2
    assert len(literal.paragraphs) == 2
    assert plain_text(literal.paragraphs[0].children) == "Első sor."


def test_unmarked_text_blanks_markup_and_keeps_offsets() -> None:
    text = "[Rákosival](@rakosi) és Gerővel [^n]"
    blanked = unmarked_text(text)
    assert len(blanked) == len(text)
    assert "Rákosi" not in blanked and blanked.index("Gerővel") == text.index("Gerővel")


markup_pieces = st.sampled_from(["[", "]", "(", ")", "@", "*", "**", "{~~", "~>", "~~}", "{++",
                                 "++}", "{--", "--}", "[^", "<", ">", "\\", "\n", "\n\n", " ",
                                 "a", "Ő", "ű", "„", "”", "-", "x-y", "(@a)", "(#e)"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(markup_pieces, st.text(max_size=5)), max_size=40))
def test_any_text_parses_to_nodes_or_located_problems(pieces: list[str]) -> None:
    text = "".join(pieces)
    rich, problems = parse_rich_text(text)
    for problem in problems:
        assert 0 <= problem.offset <= len(text)
        assert problem.message
    for paragraph in rich.paragraphs:
        plain_text(paragraph.children)  # every node is printable


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="[]()*{}\\<>~^@#`_!+-.|\"'"),
               max_size=60))
def test_plain_text_round_trips(text: str) -> None:
    rich, problems = parse_rich_text(text)
    assert problems == []
    assert " ".join(plain_text(p.children) for p in rich.paragraphs).split() == text.split()


def test_a_backslash_before_a_letter_marks_a_word_that_is_no_mention() -> None:
    """``\\Berliner``: printed without the backslash, and hidden from the look for
    unmarked mentions (the German compound is no mention of Berlin)."""
    rich, problems = parse(r"die \Berliner Führung und \Stalinismus, \\ und \* bleiben")
    assert problems == []
    assert plain_text(rich.paragraphs[0].children) == \
        r"die Berliner Führung und Stalinismus, \ und * bleiben"
    visible = unmarked_text(r"die \Berliner Führung")
    assert "Berlin" not in visible and len(visible) == len(r"die \Berliner Führung")


def test_a_note_reference_after_a_mention_ending_in_a_correction_is_told_where_it_goes() -> None:
    text = "[Arturo {~~Giovanitti~>Giovannitti~~}](@giovannitti)[^spelling] spoke."
    _rich, problems = parse_rich_text(text)
    assert [p.message for p in problems] == [
        "an editorial correction must be followed by a note reference"]
    assert problems[0].hint == ("inside a mention the note reference goes inside its "
                                "brackets too: …~~}[^spelling]](@…)")
    good, problems = parse_rich_text(
        "[Arturo {~~Giovanitti~>Giovannitti~~}[^spelling]](@giovannitti) spoke.")
    assert problems == []
    assert any(isinstance(n, Correction) and n.note_id == "spelling" for n in good.inlines())
