"""An attacker's reader of the spoken captcha: template matching with the voice clips.

It finds the loudest stretches of the recording (the digits are louder than what is
around them), then compares each with every clip at every speed the captcha library
uses, by normalised cross-correlation, and takes the best match.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
from captcha.audio import change_speed

SPEEDS = [s / 100 for s in range(85, 121)]
SEGMENT = 15000  # samples around a loud stretch: room for the longest clip
SIZE = 1 << 14  # FFT size: at least SEGMENT, so the correlations needed do not wrap
WINDOW = 2400  # samples over which loudness is averaged


def _samples(raw: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(raw)) as recording:
        frames = recording.readframes(-1)
    return np.frombuffer(frames, dtype=np.uint8).astype(np.float64) - 128.0


class TemplateSolver:
    def __init__(self, voices: Path) -> None:
        self.templates: list[tuple[str, int]] = []
        spectra = []
        for digit in "0123456789":
            for path in sorted((voices / digit).glob("*.wav")):
                with wave.open(str(path)) as clip:
                    raw = bytearray(clip.readframes(-1))
                for speed in SPEEDS:
                    sped = bytes(change_speed(raw, speed))
                    template = np.frombuffer(sped, dtype=np.uint8).astype(np.float64) - 128.0
                    template -= template.mean()
                    template /= np.linalg.norm(template) + 1e-9
                    self.templates.append((digit, len(template)))
                    spectra.append(np.conj(np.fft.rfft(template, SIZE)))
        self.spectra = np.array(spectra)

    def read(self, recording: bytes, length: int) -> str:
        signal = _samples(recording)
        loudness = np.convolve(signal**2, np.ones(WINDOW) / WINDOW, mode="same")
        loudness[:6000] = 0  # the beeps
        loudness[-3000:] = 0
        centres = []
        for _ in range(length):
            centre = int(np.argmax(loudness))
            centres.append(centre)
            loudness[max(0, centre - 5000) : centre + 5000] = 0
        return "".join(self._best_digit(signal, centre) for centre in sorted(centres))

    def _best_digit(self, signal: np.ndarray, centre: int) -> str:
        part = signal[max(0, centre - SEGMENT // 2) : centre + SEGMENT // 2]
        correlations = np.fft.irfft(np.fft.rfft(part, SIZE)[None, :] * self.spectra, SIZE)
        sums = np.cumsum(np.concatenate([[0.0], part]))
        squares = np.cumsum(np.concatenate([[0.0], part**2]))
        best, found = -1.0, "?"
        for k, (digit, size) in enumerate(self.templates):
            if size >= len(part):
                continue
            total = sums[size:] - sums[:-size]
            spread = np.sqrt(np.maximum(squares[size:] - squares[:-size] - total**2 / size, 1e-9))
            score = float((correlations[k, : len(part) - size + 1] / spread).max())
            if score > best:
                best, found = score, digit
        return found
