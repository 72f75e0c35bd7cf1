"""What a chat message must be before it reaches the conversation layer.

Pydantic checks the JSON's shape; these checks are about the text and answer with codes the
widget can show in the user's language: ``empty_message``, ``message_too_long``,
``control_characters`` (all 422: the JSON was fine, its content is not acceptable).
"""

from __future__ import annotations

import re

from bot.web.errors import ApiError

# C0 and C1 controls and DEL, except tab, newline and carriage return (a textarea sends those), plus
# the bidirectional overrides that can make a logged question read differently from what was sent.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# Lone UTF-16 surrogates: JSON may carry them ("\\ud800"), but they are no text and cannot be
# stored or encoded as UTF-8.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
MAX_ID_CHARS = 200


def is_clean_id(value: str) -> bool:
    """Whether a client-sent id (a session id) could be one of ours: short, printable, encodable."""
    return len(value) <= MAX_ID_CHARS and not _SURROGATE.search(value) and not _CONTROL.search(value)


def clean_text(text: str, max_chars: int, *, field: str = "message", required: bool = True) -> str:
    """The text without surrounding whitespace, or an ApiError saying what is wrong with it."""
    stripped = text.strip()
    if required and not stripped:
        raise ApiError(422, f"empty_{field}", f"the {field} is empty")
    if len(text) > max_chars:
        raise ApiError(
            422,
            f"{field}_too_long",
            f"the {field} has {len(text)} characters; at most {max_chars} are accepted",
        )
    if _SURROGATE.search(text):
        raise ApiError(
            422, "invalid_characters", f"the {field} contains invalid characters (lone surrogates)"
        )
    if _CONTROL.search(text):
        raise ApiError(422, "control_characters", f"the {field} contains control characters")
    return stripped
