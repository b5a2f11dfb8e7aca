"""bookbuild export: running text, structured JSON and Pandoc Markdown."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable

import pytest
from click.testing import Result

from conftest import VALID


def test_text_export_reads_like_the_book(cli: Callable[..., Result]) -> None:
    result = cli("export", "--format", "text", VALID)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Próbakönyv"
    text = result.stdout
    assert text.index("Előzmények") < text.index("Követelések") < text.index("Napról napra")
    assert "1956. október\u00a023., kedd" in text  # day and month glued, as printed
    assert "akarta hallani." in text and "[Nagy" not in text  # markup is gone, text stays
    assert "Helyes[1] szó." in text  # the correction is printed with its note number
    assert "1. A forrásban „Hibás”; javítottuk." in text


def test_json_export_has_the_model_with_mentions(cli: Callable[..., Result]) -> None:
    result = cli("export", "--format", "json", VALID)
    data = json.loads(result.stdout)
    assert {"events", "demands", "people", "places", "organizations"} <= set(data)
    nagy = next(p for p in data["people"] if p["id"] == "nagy-imre")
    assert nagy["name"] == "Nagy Imre" and (nagy["born"], nagy["died"]) == (1896, 1958)
    assert nagy["role"] == "miniszterelnök"
    assert nagy["mentions"] == ["demand-2", "tuntetes", "beszed"]
    event = next(e for e in data["events"] if e["id"] == "tuntetes")
    assert event["date"] == "1956-10-23" and event["time"] == "15:00"
    assert event["demands"] == [{"demand": "demand-2", "relation": "enacts"}]
    demand = next(d for d in data["demands"] if d["id"] == "demand-2")
    assert demand["events"] == [{"event": "tuntetes", "relation": "enacts"}]
    assert data["organizations"][0]["expansion"] == "Magyar Dolgozók Pártja"


def test_markdown_export_is_pandoc_markdown(cli: Callable[..., Result]) -> None:
    result = cli("export", "--format", "markdown", VALID)
    md = result.stdout
    assert md.startswith("---\ntitle: \"Próbakönyv\"")
    assert "# Napról napra {#part-days}" in md
    assert "[Nagy Imrét]{#tuntetes-m1 .mention ref=\"nagy-imre\"}" in md
    assert "[^javitas]: A forrásban „Hibás”; javítottuk." in md


@pytest.mark.skipif(shutil.which("pandoc") is None and not os.environ.get("CI"),
                    reason="pandoc is installed by .ci/run (in CI this fails)")
def test_pandoc_reads_the_markdown_export(cli: Callable[..., Result]) -> None:
    md = cli("export", "--format", "markdown", VALID).stdout
    html = subprocess.run(["pandoc", "-f", "markdown", "-t", "html"], input=md, text=True,
                          capture_output=True, check=True).stdout
    assert 'id="tuntetes-m1"' in html and 'class="mention"' in html
    assert 'href="#idx-nagy-imre"' not in html or "Nagy" in html


def test_export_of_a_broken_manuscript_reports_and_fails(
        cli: Callable[..., Result], valid_copy: object) -> None:
    from conftest import ERRORS, overlay

    overlay(ERRORS / "raw-html", valid_copy)  # type: ignore[arg-type]
    result = cli("export", valid_copy)
    assert result.exit_code == 1
    assert "raw HTML" in result.output and "Traceback" not in result.output
