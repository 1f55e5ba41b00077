"""The words a person reads: one German catalogue, used by the CLI, the documents and the web.

Code writes English message ids and marks them for the catalogue::

    from workflow.core.i18n import _, N_, ngettext

    raise NotFoundError(_("no paper {number!r} in {body}").format(number=number, body=name))
    HEADERS = {"number": N_("Paper")}           # marked here, translated where shown: _(text)
    ngettext("{n} result recorded", "{n} results recorded", n).format(n=n)

The German texts live in ``workflow/locale/de/LC_MESSAGES/ratsweg.po`` (gettext, read with
Babel). ``bin/i18n`` extracts the ids from the code and adds new ones to the catalogue;
``tests/test_i18n.py`` fails while one is untranslated or its placeholders differ. Identifiers,
JSON/CSV keys and enum values stay English: only what a person reads goes through here.

Dates are shown the German way: ``day_text`` gives ``Di 13.12.2011``.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

#: The gettext domain and the folder of the catalogues (``<locale>/LC_MESSAGES/<domain>.po``).
DOMAIN = "ratsweg"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LOCALE = "de"


def catalogue_path(locale: str = LOCALE) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def _translations() -> dict[str, str | tuple[str, ...]]:
    """msgid -> German text (plural messages: msgid -> (singular, plural) forms)."""
    from babel.messages.pofile import read_po

    with catalogue_path().open("rb") as handle:
        catalog = read_po(handle, locale=LOCALE, domain=DOMAIN)
    table: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (tuple, list)):
            forms = tuple(message.string) if isinstance(message.string, (tuple, list)) else ()
            if forms and all(forms):
                table[str(message.id[0])] = forms
        elif isinstance(message.string, str) and message.string:
            table[str(message.id)] = message.string
    return table


def _(message: str) -> str:
    """The German text of ``message``, or ``message`` itself while it is not translated."""
    text = _translations().get(message)
    return text if isinstance(text, str) else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The German singular or plural of a message by ``n`` (German: one form for 1)."""
    forms = _translations().get(singular)
    if isinstance(forms, tuple) and len(forms) >= 2:
        return forms[0] if n == 1 else forms[1]
    return singular if n == 1 else plural


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it (constants at import time)."""
    return message


def date_text(value: dt.date | None) -> str:
    """``13.12.2011``; '' for None."""
    return f"{value:%d.%m.%Y}" if value else ""


def day_text(value: dt.date | None) -> str:
    """``Di 13.12.2011``: the weekday as council documents abbreviate it; '' for None."""
    if not value:
        return ""
    from babel.dates import format_date

    # "ccc": the stand-alone abbreviated weekday, "Di" (the "EEE" form is "Di.")
    return format_date(value, "ccc dd.MM.yyyy", locale=LOCALE)
