"""Text from the scenario (names, details) made safe for every exporter.

Names are refused at load if they hold control characters (:mod:`iadsim.scenario.models`), but a
writer must be safe on its own: a replay can be loaded from files, and details carry free text.
:func:`one_line` turns every control character (Unicode Cc: NUL, CR, LF, ESC...), line and
paragraph separator (U+2028, U+2029) and format character (Cf: bidi overrides) into a space,
so that no writer ever emits a raw line break or a character XML 1.0 forbids. Each writer then
applies its own escaping (XML entities, HTML, ACMI backslashes).
"""

from __future__ import annotations

import unicodedata

_UNSAFE_CATEGORIES = frozenset(("Cc", "Zl", "Zp", "Cf", "Cs"))


def one_line(text) -> str:
    """``text`` as a string on one line, with no control, separator or format characters."""
    text = str(text)
    if text.isprintable():  # the common case: nothing to replace (isprintable is False for every unsafe class)
        return text
    return "".join(" " if unicodedata.category(c) in _UNSAFE_CATEGORIES or c in "\ufffe\uffff" else c for c in text)
