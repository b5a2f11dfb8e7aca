"""The words a Hungarian book prints around its content (headings, see-references …)."""

from __future__ import annotations

LABELS_HU: dict[str, object] = {
    "contents": "Tartalom",
    "imprint": "Impresszum",
    "source": "Forrás",
    "editors": "Szerkesztette",
    "built": "Készült",
    "notes": "Szerkesztői jegyzetek",
    "see": "lásd",
    "key_events": "A legfontosabb események",
    "whoswho": "Ki kicsoda?",
    "timeline_caption": "A forradalom napjai és legfontosabb eseményei",
    "page_suffix": ". o.",
    "figure": "{number}. kép",
    "figure_credits": "Képek",
    "figures": "Képek jegyzéke",
    "roles": {"editor": "szerkesztő", "author": "szerző", "translator": "fordító",
              "illustrator": "illusztrátor", "contributor": "közreműködő"},
    "index_titles": {"person": "Személynévmutató", "place": "Helynévmutató",
                     "organization": "Szervezetek és rövidítések"},
    "relations": {"enacts": "megvalósítja", "answers": "válasz rá",
                  "defies": "szembemegy vele"},
}
