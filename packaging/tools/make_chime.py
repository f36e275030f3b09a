"""Write resources/sounds/chime.wav: the soft bell a doorway pause may open with.

Two partials (a fundamental and a quieter, faster-fading upper one a little sharp of two
octaves, as a small bell has), a gentle 25 ms rise and an exponential fade that reaches silence
at the end. 44.1 kHz, 16-bit, mono, about one second. Only the standard library, and
deterministic: running it again writes the same bytes.

    python packaging/tools/make_chime.py [OUTPUT]
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 44_100
SECONDS = 1.0
PEAK = 0.3  # about -10 dBFS: soft, never clipping
PARTIALS = (  # (frequency Hz, share of the peak, decay time constant in seconds)
    (587.33, 0.78, 0.36),  # D5
    (2398.0, 0.22, 0.12),  # a bell-like, slightly inharmonic upper partial (~4.08x)
)
ATTACK = 0.025  # seconds: a rise this short still sounds struck, but never clicks
RELEASE = 0.12  # seconds: the last stretch fades to exactly zero

DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "resources" / "sounds" / "chime.wav"


def sample(t: float) -> float:
    value = sum(share * math.exp(-t / decay) * math.sin(2 * math.pi * freq * t)
                for freq, share, decay in PARTIALS)
    rise = 0.5 - 0.5 * math.cos(math.pi * min(1.0, t / ATTACK))  # raised cosine
    tail = min(1.0, (SECONDS - t) / RELEASE)
    return PEAK * value * rise * max(0.0, tail)


def render() -> bytes:
    count = int(RATE * SECONDS)
    frames = (round(32767 * sample(i / RATE)) for i in range(count))
    return b"".join(struct.pack("<h", max(-32768, min(32767, f))) for f in frames)


def main(argv: list[str]) -> int:
    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(output), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(render())
    print(f"wrote {output} ({output.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
