"""The spoken captcha (語音撥放), rendered anew each time.

A rendering made of a few fixed voice clips changed only in speed and volume can be read
by matching the clips against it. Here every digit is bent in time by a slowly wandering
speed (so no stretched copy of a clip fits it as a whole), tinted by a random filter, and
spoken over a babble of other digits and noise, after random pauses; the digits stay
clearly louder than the babble, so a person still hears them.
"""

from __future__ import annotations

import math
import secrets
import wave
from functools import cache
from pathlib import Path

from captcha.audio import BEEP, DATA_DIR, END_BEEP, patch_wave_header

RATE = 8000  # samples per second, 8-bit mono, as the voice clips are
VOICES = Path(__file__).resolve().parents[2] / "data" / "captcha_voices"
DIGITS = "0123456789"


def _uniform(low: float, high: float) -> float:
    return low + (high - low) * secrets.randbelow(1_000_001) / 1_000_000


@cache
def _clips(locale: str) -> dict[str, list[list[float]]]:
    """Each digit's clips as samples around zero; the hub's own recordings for the
    locale, else the captcha library's."""
    folder = VOICES / locale
    root = folder if folder.is_dir() else Path(DATA_DIR)
    clips: dict[str, list[list[float]]] = {}
    for digit in DIGITS:
        clips[digit] = []
        for path in sorted((root / digit).glob("*.wav")):
            with wave.open(str(path)) as clip:
                clips[digit].append([float(v - 128) for v in clip.readframes(-1)])
    return clips


def _warped(clip: list[float]) -> list[float]:
    """The clip read at a speed that wanders around a random mean (pitch and timing)."""
    mean = _uniform(0.85, 1.2)
    depth = _uniform(0.03, 0.07)
    cycles = _uniform(1.5, 4.0) / len(clip)
    phase = _uniform(0, 2 * math.pi)
    out: list[float] = []
    position = 0.0
    last = len(clip) - 1
    while position < last:
        i = int(position)
        fraction = position - i
        out.append(clip[i] * (1 - fraction) + clip[i + 1] * fraction)
        position += mean * (1 + depth * math.sin(2 * math.pi * cycles * position + phase))
    return out


def _tinted(samples: list[float]) -> list[float]:
    """A random blend of the sound's low and high parts, at a random loudness."""
    smoothing = _uniform(0.2, 0.8)
    high_share = _uniform(0.0, 0.6)
    gain = _uniform(0.8, 1.15)
    low = 0.0
    out = []
    for value in samples:
        low += smoothing * (value - low)
        out.append(gain * ((1 - high_share) * low + high_share * (value - low) * 2))
    return out


def _digit(clips: dict[str, list[list[float]]], digit: str) -> list[float]:
    return _tinted(_warped(secrets.choice(clips[digit])))


def _babble(clips: dict[str, list[list[float]]], length: int) -> list[float]:
    """Other digits, quieter, one after another and overlapping, over white noise."""
    out = [float(secrets.randbelow(9) - 4) for _ in range(length)]
    for _voice in range(2):
        position = secrets.randbelow(RATE // 2)
        while position < length:
            sound = _digit(clips, secrets.choice(DIGITS))
            if secrets.randbelow(2):
                sound.reverse()
            level = _uniform(0.15, 0.3)
            for i, value in enumerate(sound[: length - position]):
                out[position + i] += level * value
            position += len(sound) + secrets.randbelow(RATE // 4)
    return out


def render(answer: str, locale: str) -> bytes:
    """A WAV file speaking ``answer`` after three beeps."""
    clips = _clips(locale)
    spoken = [_digit(clips, digit) for digit in answer]
    pauses = [int(_uniform(0.4, 1.3) * RATE) for _ in range(len(answer) + 1)]
    body = _babble(clips, sum(pauses) + sum(len(s) for s in spoken))
    position = pauses[0]
    for sound, pause in zip(spoken, pauses[1:], strict=True):
        for i, value in enumerate(sound):
            body[position + i] += value
        position += len(sound) + pause
    samples = bytearray(max(0, min(255, round(v) + 128)) for v in body)
    return bytes(patch_wave_header(BEEP + BEEP + samples + END_BEEP))
