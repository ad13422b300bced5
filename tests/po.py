"""A small reader of gettext .po files, enough for the translation tests (tests/fundmgr/test_translations.py).

It reads msgctxt, msgid, msgid_plural, msgstr and msgstr[n], the `#, fuzzy` flag, and skips
obsolete (#~) entries and the header.
"""

import ast
import re
from dataclasses import dataclass, field
from typing import NamedTuple

PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdifr]|%[sdif]")


class Key(NamedTuple):
    msgid: str
    context: str | None = None
    plural: str | None = None


@dataclass
class Entry:
    msgstrs: list[str]
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.msgstrs) and all(text.strip() for text in self.msgstrs)


@dataclass
class Catalog:
    entries: dict[Key, Entry] = field(default_factory=dict)

    def as_mo_catalog(self) -> dict:
        """What msgfmt would compile (translated entries only), keyed as gettext.GNUTranslations keys."""
        compiled = {}
        for key, entry in self.entries.items():
            if not entry.translated:
                continue
            msgid = key.msgid if key.context is None else f"{key.context}\x04{key.msgid}"
            if key.plural is None:
                compiled[msgid] = entry.msgstrs[0]
            else:
                for index, text in enumerate(entry.msgstrs):
                    compiled[(msgid, index)] = text
        return compiled


def describe(key: Key) -> str:
    return key.msgid if key.context is None else f"[{key.context}] {key.msgid}"


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def _string(text: str) -> str:
    return ast.literal_eval(text.strip())


def parse(text: str) -> Catalog:
    catalog = Catalog()
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines or all(line.startswith("#~") or line.startswith("#") for line in lines):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[current] += _string(line)
                continue
            name, _, value = line.partition(" ")
            current = name
            fields[current] = _string(value)
        msgid = fields.get("msgid", "")
        if msgid == "":
            continue  # the header
        plural = fields.get("msgid_plural")
        if plural is None:
            msgstrs = [fields.get("msgstr", "")]
        else:
            msgstrs = [fields[name] for name in sorted(
                (name for name in fields if name.startswith("msgstr[")), key=lambda name: int(name[7:-1]))]
        catalog.entries[Key(msgid, fields.get("msgctxt"), plural)] = Entry(msgstrs=msgstrs, fuzzy=fuzzy)
    return catalog
