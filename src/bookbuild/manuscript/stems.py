"""How a name's written form may change before a suffix, by language: what the check for
unmarked mentions must still recognise (Hungarian lengthens a final a or e: Imre →
Imrét, Buda → Budán). A language without a rule matches a name's form as it is written,
followed by any letters (Honeckers, Wałęsa's)."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..langrules import LanguageRules

StemRule = Callable[[str], str]  # a name's form -> the regex that matches its stem

_RULES: LanguageRules[StemRule] = LanguageRules()
register_stem_rule = _RULES.register  # @register_stem_rule("hu"): the rule of a language


def stem_pattern(language: str, form: str) -> str:
    """A regex (without anchors) for ``form`` as it may stand before a suffix in a text of
    ``language`` (a BCP 47 tag; its primary subtag chooses the rule)."""
    rule = _RULES.get(language)
    return rule(form) if rule is not None else re.escape(form)


@register_stem_rule("hu")
def hungarian(form: str) -> str:
    """A final a or e also matches á or é: Imre → Imrét, Buda → Budán."""
    body = re.escape(form)
    if form and form[-1] in "ae":
        body = body[:-1] + ("[aá]" if form[-1] == "a" else "[eé]")
    return body
