"""Slugs: lower-case ASCII words joined by hyphens, for URLs and identifiers.

The example repository's one dependency that the sandbox image lacks. The demo
serves it as a wheel from a package index of its own (there is no PyPI here).
"""

import re
import unicodedata

__all__ = ["slugify"]

_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def slugify(text: str, separator: str = "-") -> str:
    """Turns text into a slug: ``"Create Task"`` and ``"create_task"`` give ``"create-task"``.

    Accents are dropped (Unicode NFKD, then ASCII), every run of characters other
    than letters and digits becomes one separator, and none is left at either end.

    Args:
        text: Any text.
        separator: What joins the words.

    Returns:
        The slug; empty when the text has no letter or digit.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_ALPHANUMERIC.sub(separator, ascii_text.lower()).strip(separator)
