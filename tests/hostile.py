"""The hostile-string corpus in tests/data/hostile_strings.txt (its header explains the format)."""

import codecs
from functools import cache
from pathlib import Path

CORPUS_PATH = Path(__file__).resolve().parent / "data" / "hostile_strings.txt"
ESCAPED = "esc:"


def parse_corpus(text: str) -> list[str]:
    strings = []
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            continue
        if line.startswith(ESCAPED):
            line = codecs.decode(line.removeprefix(ESCAPED), "unicode_escape")
        strings.append(line)
    return strings


@cache
def hostile_strings() -> tuple[str, ...]:
    return tuple(parse_corpus(CORPUS_PATH.read_text(encoding="utf-8")))
