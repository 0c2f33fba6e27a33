"""What engage does so that readers stay private.

- IP addresses are cut to their network (/24 for IPv4, /48 for IPv6) before anything stores them.
- ``X-Forwarded-For`` is believed only when the direct peer is a configured proxy.
- Avatars of new comments come from the reader key or are random (engage/readers.py): the
  server never computes one from an email a client sends. ``avatar_token`` (a keyed hash of
  the email) remains only for comments stored before reader keys.
- Email addresses in public text are masked as they are *published*, not as they were typed:
  ``mask_emails`` reads a plain-text field and ``mask_emails_in_html`` a rendered comment the
  way a reader's screen or software would (see ``_fold_unit`` for what counts as an address).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
import re
import unicodedata
from urllib.parse import unquote

MASKED_EMAIL = "[email hidden]"


def anonymize_ip(address: str | None) -> str | None:
    """Return the /24 (IPv4) or /48 (IPv6) network of ``address``, or None if it is not an IP."""
    if not address:
        return None
    fast = _ipv4_network(address)
    if fast is not None:
        return fast
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _ipv4_network(address: str) -> str | None:
    """The /24 of a plain dotted-quad IPv4 string, without the ipaddress module (hot path:
    every request is logged with it and every view needs it); None for anything else."""
    parts = address.split(".")
    if len(parts) != 4:
        return None
    for part in parts:
        if not (part.isascii() and part.isdigit()) or len(part) > 3 or int(part) > 255 \
                or (len(part) > 1 and part[0] == "0"):
            return None
    return f"{int(parts[0])}.{int(parts[1])}.{int(parts[2])}.0/24"


def client_ip(remote_addr: str | None, forwarded_for: str | None,
              trusted_proxies: tuple[str, ...]) -> str | None:
    """The address of the client, believing ``X-Forwarded-For`` only from trusted proxies.

    The header is read right to left: each hop added by a trusted proxy is skipped, and the first
    address that a trusted proxy did not add is the client. A client cannot forge its way past
    the last trusted proxy, because everything left of that point is ignored.
    """
    if not remote_addr or remote_addr not in trusted_proxies or not forwarded_for:
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop
    return hops[0] if hops else remote_addr


def avatar_token(email: str, secret: str) -> str:
    """A keyed, non-reversible token of an email (32 hex chars): the avatar of comments stored
    before reader keys. Never for a new comment: computed for an email a client chose and shown
    to them, it would confirm a guess (issue 15)."""
    normalized = email.strip().lower().encode()
    return hmac.new(secret.encode(), b"avatar:" + normalized, hashlib.sha256).hexdigest()[:32]


def mask_emails(text: str | None) -> str | None:
    """``text`` with every email address a reader would see in it replaced by MASKED_EMAIL.

    Read as text and as HTML alike (a feed or a site's template may decode ``&#64;``), with
    percent-escapes decoded (a pasted URL); a masked address covers the characters it was
    spelled with, the rest of the text is unchanged.
    """
    if not text or not _may_show_at(text):
        return text
    masked = _masked([(unit, _decoded(unit), True) for unit in _UNIT.findall(text)])
    return text if masked is None else masked


def mask_emails_in_html(markup: str) -> str:
    """Sanitised comment HTML (nh3's output) with the addresses a browser would show masked.

    The text of the whole comment is read as displayed: entities decoded, inline tags
    (``<em>``, ``<code>``, ``<a>`` …) joining the text around them, block tags separating it,
    so ``ada<em>@</em>example.org`` is an address. A link whose target holds an address loses
    its ``<a>`` tags (its text stays, masked like any text). Tags are never altered otherwise.
    """
    if not markup or not _may_show_at(markup):
        return markup
    units: list[tuple[str, str, bool]] = []
    drop_close = False
    for tag, text in _HTML_PIECE.findall(markup):
        if text:
            units.extend((unit, _decoded(unit), True) for unit in _UNIT.findall(text))
            continue
        name = _TAG_NAME.match(tag).group(1).lower()
        if name == "a":
            if tag.startswith("</"):
                tag, drop_close = ("" if drop_close else tag), False
            elif _href_has_email(tag):
                tag, drop_close = "", True
        units.append((tag, "\n" if name in _BLOCK_TAGS else "", False))
    masked = _masked(units)
    return "".join(unit[0] for unit in units) if masked is None else masked


def url_has_email(url: str) -> bool:
    """Whether ``url`` (a website, a link target) shows an address once decoded."""
    return _may_show_at(url) and mask_emails(url) != url


# What a reader reads as an address: anything a mail program would take once the text is
# decoded and folded as a screen shows it. Decoded: HTML character references (``&#64;``,
# ``&#x40;``, ``&commat;``) and percent-escapes (``%40``). Folded (``_fold_unit``): Unicode
# compatibility forms (full-width ``＠``, small ``﹫``, full-width letters and dots; NFKC), the
# ideographic full stops that IDNA reads as dots, and invisible characters (format characters
# such as zero-width spaces, and combining marks) dropped. Markdown escapes (``\@``) and
# markup splitting an address are handled by masking the rendered HTML. Not masked, on
# purpose: spelled-out forms ("ada at example dot org", "[at]", "@" between spaces). A reader
# who writes those chose to publish an address for people to read, and matching them would
# mask ordinary sentences.
_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~-]"
_EMAIL_IN_VIEW = re.compile(
    rf"(?<!{_LOCAL}){_LOCAL}+@[\w-]+(?:\.[\w-]+)*\.(?:xn--[\w-]+|[^\W\d_]{{2,}})")
# Every way an "@" can be spelled above starts with one of these (checked first: most text
# has none, and substring tests cost far less than the full reading).
_AT_SPELLINGS = ("@", "\uFF20", "\uFE6B", "%", "&#", "&c", "&C")
_UNIT = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?"
                   r"|(?:%[0-9A-Fa-f]{2})+|.", re.DOTALL)
_HTML_PIECE = re.compile(r"(<[^>]*>)|([^<]+|<)")
_TAG_NAME = re.compile(r"</?\s*([A-Za-z0-9]*)")
_HREF = re.compile(r"""\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_BLOCK_TAGS = {"p", "br", "pre", "blockquote", "ul", "ol", "li", "div", "hr", "table", "tr",
               "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
_DOTS = str.maketrans({"\u3002": ".", "\uFF61": "."})
_INVISIBLE = {"Cf", "Mn", "Mc", "Me"}


def _may_show_at(text: str) -> bool:
    return any(spelling in text for spelling in _AT_SPELLINGS)


def _decoded(unit: str) -> str:
    if len(unit) > 1:
        return html.unescape(unit) if unit[0] == "&" else unquote(unit, errors="replace")
    return unit


def _fold_unit(shown: str) -> str:
    if shown.isascii():
        return shown
    folded = unicodedata.normalize("NFKC", shown).translate(_DOTS)
    return "".join(ch for ch in folded if unicodedata.category(ch) not in _INVISIBLE)


def _masked(units: list[tuple[str, str, bool]]) -> str | None:
    """Units are (original, as shown, replaceable); None when no address is shown."""
    view: list[str] = []
    owner: list[int] = []
    for index, (_, shown, _) in enumerate(units):
        folded = _fold_unit(shown)
        view.append(folded)
        owner.extend([index] * len(folded))
    out = [unit[0] for unit in units]
    found = False
    for match in _EMAIL_IN_VIEW.finditer("".join(view)):
        found, placed = True, False
        for index in range(owner[match.start()], owner[match.end() - 1] + 1):
            if units[index][2]:
                out[index] = "" if placed else MASKED_EMAIL
                placed = True
    return "".join(out) if found else None


def _href_has_email(tag: str) -> bool:
    href = _HREF.search(tag)
    return href is not None and url_has_email(html.unescape(next(filter(None, href.groups()), "")))


def identicon_svg(token: str) -> str:
    """A symmetric 5×5 identicon for ``token`` (hex), as a standalone SVG document."""
    digest = hashlib.sha256(token.encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    color = f"hsl({hue} 55% 50%)"
    cells = []
    for row in range(5):
        for col in range(3):
            if digest[2 + row * 3 + col] & 1:
                for x in {col, 4 - col}:
                    cells.append(f'<rect x="{x * 8 + 4}" y="{row * 8 + 4}" width="8" height="8"/>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" width="48" height="48">'
        f'<rect width="48" height="48" fill="hsl({hue} 40% 94%)"/>'
        f'<g fill="{color}">{"".join(cells)}</g></svg>'
    )
