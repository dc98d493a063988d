"""Regenerate idp/data/captcha_voices/zh-TW: Mandarin digit recordings for the audio captcha.

Needs espeak-ng (Debian package ``espeak-ng``). Writes 8 kHz, 8-bit mono WAV files,
the format the ``captcha`` package mixes.
Run: python tools/make_captcha_voices.py
"""

from __future__ import annotations

import audioop
import subprocess
import tempfile
import wave
from pathlib import Path

DIGITS = {
    "0": "零",
    "1": "一",
    "2": "二",
    "3": "三",
    "4": "四",
    "5": "五",
    "6": "六",
    "7": "七",
    "8": "八",
    "9": "九",
}
OUT = Path(__file__).resolve().parent.parent / "idp" / "data" / "captcha_voices" / "zh-TW"


def convert(src: Path, dst: Path) -> None:
    with wave.open(str(src)) as w:
        frames = w.readframes(w.getnframes())
        width, rate, channels = w.getsampwidth(), w.getframerate(), w.getnchannels()
    if channels == 2:
        frames = audioop.tomono(frames, width, 0.5, 0.5)
    frames, _ = audioop.ratecv(frames, width, 1, rate, 8000, None)
    frames = audioop.bias(audioop.lin2lin(frames, width, 1), 1, 128)  # 8-bit WAV is unsigned
    with wave.open(str(dst), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(frames)


def main() -> None:
    for digit, word in DIGITS.items():
        folder = OUT / digit
        folder.mkdir(parents=True, exist_ok=True)
        for n, (voice, speed) in enumerate((("cmn", 140), ("cmn+f3", 150))):
            with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
                subprocess.run(
                    ["espeak-ng", "-v", voice, "-s", str(speed), "-w", tmp.name, word], check=True
                )
                convert(Path(tmp.name), folder / f"{n}.wav")


if __name__ == "__main__":
    main()
