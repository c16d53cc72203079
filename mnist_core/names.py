"""What a saved model may be called: a name that can never point outside the models folder."""

from __future__ import annotations

import re

MAX_NAME_LENGTH = 64
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def validate_name(name: str) -> str:
    """`name` if it is a safe model name, else ValueError saying why.

    Letters, digits, '_', '-' and '.', starting with a letter or digit, at most 64
    characters, no '..'.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError("model name is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"model name is longer than {MAX_NAME_LENGTH} characters")
    if ".." in name or not _NAME.fullmatch(name):
        raise ValueError(
            f"model name {name[:40]!r} may use only letters, digits, '_', '-' and single '.'"
            ", and must start with a letter or digit"
        )
    return name
