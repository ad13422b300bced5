"""The path converter of codes in addresses: /d/<code:department_code>/<int:year>/items/<code:item_code>/.

New codes are checked by fundmgr.lib.validators.validate_code, but a code already in the database
may hold anything (it was imported before the check, or written around it). Reversing an address
must never fail for it: a NoReverseMatch while drawing one link is a 500 for the whole page.
So every string has an address: "/" and "%" are escaped here (Django's reverse() quotes the rest,
so "A/B" becomes A%252FB in the address and comes back as "A/B"), and "." and ".." are escaped
so that a browser does not fold them away as path segments; an empty code has the address "items//".
"""

from urllib.parse import unquote

from django.urls import register_converter


class CodeConverter:
    regex = "[^/]*"

    def to_python(self, value: str) -> str:
        code = unquote(value)
        if "\x00" in code:  # no code holds one, and PostgreSQL refuses it in a query: no match, a 404
            raise ValueError(value)
        return code

    def to_url(self, value) -> str:
        text = str(value).replace("%", "%25").replace("/", "%2F")
        if text in (".", ".."):
            text = text.replace(".", "%2E")
        return text


register_converter(CodeConverter, "code")
