"""统一社会信用代码 check character (GB 32100-2015)."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015 §5: weighted sum modulo 31)."""
    total = sum(_VALUE[c] * w for c, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid_code(code: object) -> bool:
    """True when `code` is 18 characters of the code alphabet with the right check character."""
    if not isinstance(code, str) or len(code) != 18:
        return False
    if any(c not in _VALUE for c in code):
        return False
    return check_character(code[:17]) == code[17]

