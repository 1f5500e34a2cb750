"""An agent's HTML (Intercom's message bodies) as WhatsApp text: paragraphs and <br> as
line breaks, list items with a bullet, entities decoded, links with their address, no
tags. Read token by token with one linear regex, never html.parser (quadratic on some
inputs); at most MAX_HTML characters of a body are read.
"""
from __future__ import annotations

import html
import re
from typing import List, Optional

BLOCKS = {"p", "div", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "tr"}  # \n before, after
LINES = {"br", "li"}  # a line break before
MAX_HTML = 65536
# A tag, a run of text, or a lone "<" (linear: each try stops at the next "<" or ">").
TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)((?:[\s/][^<>]*)?)>|[^<]+|<")
HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)


def _href(attributes: str) -> Optional[str]:
    found = HREF.search(attributes)
    href = html.unescape(next((g for g in found.groups() if g), "")) if found else ""
    return href if href.startswith(("http://", "https://", "mailto:")) else None


def plain_text(body: str) -> str:
    """What an agent wrote (Intercom's HTML) as WhatsApp text: paragraphs and <br> as
    line breaks, list items with a bullet, entities decoded, links with their address,
    no tags. Linear in the body (no html.parser: quadratic on some inputs)."""
    out: List[str] = []
    link: Optional["tuple[str, int]"] = None  # (address, where its text starts)
    for token in TOKEN.finditer(body[:MAX_HTML]):
        if token.group(2) is None:
            out.append(html.unescape(token.group(0)))
            continue
        closing, tag = token.group(1) == "/", token.group(2).lower()
        if tag in BLOCKS or (tag in LINES and not closing):
            out.append("\n")
        if tag == "li" and not closing:
            out.append("• ")
        if tag == "a" and not closing:
            href = _href(token.group(3))
            link = (href, len(out)) if href else None
        elif tag == "a" and link is not None:
            if link[0].removeprefix("mailto:") not in "".join(out[link[1]:]):
                out.append(f" ({link[0]})")
            link = None
    lines: List[str] = []
    for line in "".join(out).split("\n"):
        line = " ".join(line.split())
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip()
