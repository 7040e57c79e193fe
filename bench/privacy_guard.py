"""How long the privacy guard takes on long and hostile texts (the save path scans every text a
user sends), in milliseconds per text; tests/test_privacy_guard.py checks what it finds in them.
Usage: python bench/privacy_guard.py [--repeat 3]"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.privacy_guard import scan  # noqa: E402

TEXTS = {
    "visit notes, 170 KB": "Met 880320-0016 on 2026-11-23, 12 345 kr, Storgatan 12. " * 3000,
    "'1 ' x 100,000": "1 " * 100_000,
    "200,000 digits": "9" * 200_000,
    "'Via Roma' x 50,000": "Via " + "Roma " * 50_000,
    "'a@' x 100,000": "a@" * 100_000,
}
CORPORA = Path(__file__).resolve().parent.parent / "tests" / "privacy_corpus"


def measure(text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        scan(text)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    corpus = "\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPORA.glob("*.txt")))
    for name, text in {**TEXTS, f"all corpora, {len(corpus) // 1000} KB": corpus}.items():
        print(f"{name:32} {measure(text, args.repeat):9.1f} ms")


if __name__ == "__main__":
    main()
