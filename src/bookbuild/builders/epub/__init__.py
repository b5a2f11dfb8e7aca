"""The EPUB 3 edition: the whole book for e-readers, from the print templates and stylesheet.

The book is split into XHTML documents (front matter, one per part, one per day of a
day-by-day part, one per index), each rendered by ``layouts/<layout>/content.html.j2``
from the same partials as the print editions. Links go across documents; the index
links every mention, labelled with the day and the booklet's page; page-break markers
stand where the booklet's pages begin, read from the booklet's own layout
(``job.booklet_pages``). ebooklib writes the package; the container is then rewritten
so that the same sources and ``SOURCE_DATE_EPOCH`` give the same bytes.

- :mod:`.builder`: :class:`EpubBuilder`, whose ``build`` runs the steps below in order
- :mod:`.documents`: the content documents, their rendering's result, links and locators
- :mod:`.semantics`: epub:type, ARIA roles and heading levels on the print markup
- :mod:`.pagebreaks`: the booklet's pages, marked where they begin
- :mod:`.resources`: stylesheets, subset fonts
- :mod:`.cover`: the cover image
- :mod:`.package`: the ebooklib book, its metadata and table of contents, written
- :mod:`.container`: the reproducible ZIP container
- :mod:`.xhtml`: parsing and serialising XHTML
"""

from .builder import EpubBuilder

__all__ = ["EpubBuilder"]
