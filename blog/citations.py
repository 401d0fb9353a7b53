"""An article's references as files for reference managers (RIS and BibTeX).

References are stored in APA form: "Family, I. I., Family, I., & Family, I." for authors, a
list that may end in "et al." when the source named only the first few.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from blog.models import Reference

RIS_CONTENT_TYPE = "application/x-research-info-systems; charset=utf-8"
BIBTEX_CONTENT_TYPE = "application/x-bibtex; charset=utf-8"

# "J. A.", "X. O.", "J.-P.": the given-name initials after a family name.
_INITIALS = re.compile(r"(?:[^\W\d_]{1,2}\.(?:\s*-\s*|\s+)?)+")
_CONJUNCTION = re.compile(r"^(?:&|and)\s+")
_PAGE_RANGE = re.compile(r"\s*[-–—]+\s*")


@dataclass(frozen=True)
class AuthorList:
    names: tuple[str, ...]  # "Family, I. I." each, in order
    more: bool  # the list ended in "et al.": the source has more authors than it names


def split_authors(authors: str) -> AuthorList:
    """Split an APA author list into names; "et al." marks that more authors exist."""
    tokens = [token.strip() for token in authors.split(",")]
    names: list[str] = []
    more = False
    index = 0
    while index < len(tokens):
        token = _CONJUNCTION.sub("", tokens[index])
        index += 1
        if not token:
            continue
        if token.rstrip(".").lower() == "et al":
            more = True
        elif index < len(tokens) and _INITIALS.fullmatch(tokens[index]):
            names.append(f"{token}, {tokens[index]}")
            index += 1
        else:
            names.append(token)  # an organisation, or a name given without initials
    return AuthorList(names=tuple(names), more=more)


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _page_range(pages: str) -> tuple[str, str]:
    first, _, last = _PAGE_RANGE.sub("-", pages.strip()).partition("-")
    return first, last


def to_ris(references: Iterable["Reference"]) -> str:
    """RIS records (journal articles), one per reference, with CRLF line ends as RIS asks."""
    lines: list[str] = []
    for ref in references:
        first_page, last_page = _page_range(ref.pages)
        fields = [
            ("TY", "JOUR"),
            *(("AU", name) for name in ref.author_names.names),
            ("PY", str(ref.year)),
            ("TI", ref.title),
            ("T2", ref.journal),
            ("VL", ref.volume),
            ("IS", ref.issue),
            ("SP", first_page),
            ("EP", last_page),
            ("DO", ref.doi),
            ("UR", ref.link),
        ]
        lines += [f"{tag}  - {_one_line(value)}" for tag, value in fields if value.strip()]
        lines += ["ER  - ", ""]
    return "\r\n".join(lines)


_BIBTEX_SPECIALS = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)


def _bibtex_text(value: str) -> str:
    return _one_line(value).translate(_BIBTEX_SPECIALS)


def _bibtex_verbatim(value: str) -> str:
    # DOIs and URLs are read verbatim by BibTeX styles: escaping would corrupt them, and a
    # brace would end the field, so braces and spaces are dropped.
    return re.sub(r"[{}\s]", "", value)


def _ascii_word(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def _bibtex_key(ref: "Reference") -> str:
    names = ref.author_names.names
    family = _ascii_word(names[0].split(",")[0]) if names else "anon"
    title_words = [_ascii_word(word) for word in ref.title.split()]
    first_word = next((word for word in title_words if len(word) > 3), "")
    return f"{family or 'anon'}{ref.year}{first_word}"


def to_bibtex(references: Iterable["Reference"]) -> str:
    """One @article entry per reference, keyed family-name + year + first title word."""
    entries = []
    used_keys: set[str] = set()
    for ref in references:
        key = base_key = _bibtex_key(ref)
        suffix = ord("b")
        while key in used_keys:
            key, suffix = f"{base_key}{chr(suffix)}", suffix + 1
        used_keys.add(key)
        authors = " and ".join(_bibtex_text(name) for name in ref.author_names.names)
        if ref.author_names.more:
            authors = f"{authors} and others" if authors else "others"
        fields = [
            ("author", authors),
            # Double braces keep the title's capitals ("IOM") from being lowered by a style.
            ("title", f"{{{_bibtex_text(ref.title)}}}"),
            ("journal", _bibtex_text(ref.journal)),
            ("year", str(ref.year)),
            ("volume", _bibtex_text(ref.volume)),
            ("number", _bibtex_text(ref.issue)),
            ("pages", "--".join(part for part in _page_range(ref.pages) if part)),
            ("doi", _bibtex_verbatim(ref.doi)),
            ("url", _bibtex_verbatim(ref.url)),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        entries.append(f"@article{{{key},\n{body}\n}}\n")
    return "\n".join(entries)
