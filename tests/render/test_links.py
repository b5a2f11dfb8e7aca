"""Demand links: in number order, naming the event by its headline, the relation in words."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

from bookbuild.errors import Diagnostics
from bookbuild.manuscript import find_project, read_manuscript
from bookbuild.render.book import build_view
from bookbuild.render.html import PageContext, layout_dirs, make_environment, render_page

DEMANDS = """
- {number: 1, text: Egy.}
- {number: 7, text: Hét.}
- {number: 8-10, text: Nyolctól tízig.}
- {number: 11, text: Tizenegy.}
- {number: 14, text: Tizennégy.}
- {number: 2, text: '[Nagy Imre](@nagy-imre) alakítson kormányt!'}
"""


def project(valid_copy: Path) -> Path:
    (valid_copy / "manuscript" / "demands.yaml").write_text(DEMANDS)
    chronology = valid_copy / "manuscript" / "chronology.yaml"
    text = chronology.read_text()
    text = text.replace("    enacts: [2]\n", "    enacts: [11, 7, 14, 1, 8-10]\n    defies: [2]\n")
    text = text.replace("  title: Beszéd\n", "  title: Beszéd\n  demands:\n    answers: [2]\n")
    chronology.write_text(text)
    return valid_copy


def html(root: Path) -> str:
    diagnostics = Diagnostics()
    manuscript = read_manuscript(find_project(root), diagnostics)
    assert not list(diagnostics), [d.format() for d in diagnostics]
    edition = manuscript.edition("html")
    assert edition is not None
    return render_page(make_environment(layout_dirs(None)), "html.html.j2",
                       build_view(manuscript, edition),
                       PageContext(edition=edition, build_date=dt.date(2024, 1, 1)))


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", fragment))).replace("\u00a0", " ")


def test_an_events_demands_are_in_number_order_grouped_by_relation(valid_copy: Path) -> None:
    page = html(project(valid_copy))
    article = page.split('id="tuntetes"', 1)[1].split("</article>", 1)[0]
    refs = text_of(article.split('class="demand-refs"', 1)[1])
    assert refs.startswith(">megvalósítja: → 1. pont · → 7. pont · → 8–10. pont · "
                           "→ 11. pont · → 14. pont; szembemegy vele: → 2. pont"), refs


def test_a_separator_between_references_never_opens_a_line(valid_copy: Path) -> None:
    """The "·" between two references is glued to the one before it: on a phone, where
    each reference fills a line, a breakable space before it left the dot alone on a line
    of its own."""
    page = unescape(html(project(valid_copy)))
    assert page.count("\u00a0· ") >= 3
    assert " · " not in page


def test_a_demand_names_its_events_by_headline_and_relation(valid_copy: Path) -> None:
    page = html(project(valid_copy))
    demand = page.split('id="demand-2"', 1)[1].split("</li>", 1)[0]
    refs = text_of(demand.split('class="event-refs"', 1)[1])
    # two events of one day: each link names its own headline
    assert refs.startswith(">válaszolt rá: → okt. 23., este: Beszéd "
                           "szembement vele: → okt. 23., 15:00: Tüntetés"), refs
    links = re.findall(r'<a class="event-ref"[^>]*>(.*?)</a>', demand)
    assert len(links) == len(set(links)) == 2
