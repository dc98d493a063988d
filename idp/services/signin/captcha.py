"""Captcha (驗證碼): a short code shown as an image and read out as audio (語音撥放).

The answer lives in the store under a random challenge id: it expires, and checking
it consumes it, so each challenge can be tried once.
"""

from __future__ import annotations

import hmac
import io
import secrets
from functools import cache

from captcha.image import ImageCaptcha

from ...store import Store
from . import captcha_audio

PREFIX = "captcha:"
DIGITS = "0123456789"


def _key(challenge_id: str) -> str:
    return PREFIX + challenge_id


def new_challenge(store: Store, length: int, ttl: int) -> str:
    challenge_id = secrets.token_urlsafe(18)
    answer = "".join(secrets.choice(DIGITS) for _ in range(length))
    store.set(_key(challenge_id), answer.encode(), ttl)
    return challenge_id


def answer_of(store: Store, challenge_id: str) -> str | None:
    raw = store.get(_key(challenge_id))
    return raw.decode() if raw is not None else None


def check(store: Store, challenge_id: str, answer: str) -> bool:
    """True when ``answer`` is right; the challenge is used up either way."""
    if not challenge_id:
        return False
    expected = store.take(_key(challenge_id))
    given = "".join(answer.split())
    return expected is not None and hmac.compare_digest(expected, given.encode())


@cache
def _image_generator() -> ImageCaptcha:
    return ImageCaptcha(width=200, height=70)


def render_image(answer: str) -> bytes:
    image = _image_generator().generate_image(answer)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def render_audio(answer: str, locale: str) -> bytes:
    return captcha_audio.render(answer, locale)
