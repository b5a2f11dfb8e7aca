"""A scalar's value is located in its raw source as a word-by-word walk would (issue 10).

The alignment records verbatim stretches as single pieces (a long text costs a few
comparisons per source line); these tests hold it to the plain walk it replaced, offset
by offset, on the bundled book's every value and on generated YAML of every style.
"""

from __future__ import annotations

import json
import re
from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from bookbuild.errors import Diagnostics
from bookbuild.manuscript.yamlsource import YScalar, parse_yaml, read_yaml, scalars
from conftest import REPO


def walked(scalar: YScalar) -> array[int]:
    """The word-by-word walk: ``after[v]`` is the raw offset reached once the value's first
    ``v`` characters are matched, -1 once matching failed."""
    raw, value = scalar.raw, scalar.value
    after = array("i", [0]) * (len(value) + 1)
    r = v = 0
    for word in re.finditer(r"\S+", value):
        start, end = word.span()
        after[v + 1 : start + 1] = array("i", [r]) * (start - v)
        found = raw.find(value[start], r) if r >= 0 else -1
        if found >= 0 and raw.startswith(word.group(), found):
            after[start + 1 : end + 1] = array("i", range(found + 1, found + 1 + end - start))
            r = found + end - start
        else:
            for index in range(start, end):
                if r >= 0:
                    r = raw.find(value[index], r)
                    r = r + 1 if r >= 0 else -1
                after[index + 1] = r
        v = end
    after[v + 1 :] = array("i", [r]) * (len(value) - v)
    return after


def assert_aligned(scalar: YScalar) -> None:
    expected = walked(scalar)
    index = scalar._index
    got = [index.after(v) for v in range(len(scalar.value) + 1)]
    assert got == list(expected), (scalar.raw, scalar.value)


def test_every_value_of_the_bundled_book_is_aligned_as_walked() -> None:
    count = 0
    for path in sorted((REPO / "manuscript").glob("*.yaml")):
        node = read_yaml(path, path.name, Diagnostics())
        assert node is not None, path
        for scalar in scalars(node):
            assert_aligned(scalar)
            count += 1
    assert count > 500


WORDS = st.text(alphabet=st.sampled_from(list("ab-é\\\"'#:[]() \t\n")), max_size=40)


def document(text: str, style: str) -> str:
    if style == "double":
        return "text: " + json.dumps(text, ensure_ascii=False) + "\n"
    if style == "single":
        return "text: '" + text.replace("'", "''") + "'\n"
    body = "\n".join("    " + line if line.strip() else "" for line in text.split("\n"))
    return f"text: {style}\n{body}\n"


@settings(max_examples=400, deadline=None)
@given(WORDS, st.sampled_from(["double", "single", ">-", "|-", ">", "|"]))
def test_generated_values_of_every_style_are_aligned_as_walked(text: str, style: str) -> None:
    node = parse_yaml(document(text, style), "t.yaml", Diagnostics())
    if node is None:  # not every generated block is YAML
        return
    value = node.get("text")  # type: ignore[union-attr]
    if isinstance(value, YScalar):
        assert_aligned(value)


def test_a_long_one_line_text_is_one_piece() -> None:
    text = "[Nagy Imre](@nagy-imre) beszélt. " * 20000
    node = parse_yaml("text: >-\n    " + text + "\n", "t.yaml", Diagnostics())
    value = node.get("text")  # type: ignore[union-attr]
    assert isinstance(value, YScalar)
    assert len(value._index.pieces) == 1
    assert value.location_at(text.rfind("[")).col == 5 + text.rfind("[")
