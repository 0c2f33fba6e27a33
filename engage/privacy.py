"""What engage does so that readers stay private.

- IP addresses are cut to their network (/24 for IPv4, /48 for IPv6) before anything stores them.
- ``X-Forwarded-For`` is believed only when the direct peer is a configured proxy.
- Avatars are keyed hashes (HMAC with the server secret) of the email: stable for one reader,
  useless for guessing the email without the secret (unlike Gravatar's plain MD5).
- Email addresses that readers type into public text are masked.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re

_EMAIL_IN_TEXT = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", re.UNICODE)
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
    """A keyed, non-reversible token of the reader's email for avatar URLs (32 hex chars)."""
    normalized = email.strip().lower().encode()
    return hmac.new(secret.encode(), b"avatar:" + normalized, hashlib.sha256).hexdigest()[:32]


def mask_emails(text: str | None) -> str | None:
    """Replace every email address in ``text`` with a neutral marker."""
    if not text:
        return text
    return _EMAIL_IN_TEXT.sub(MASKED_EMAIL, text)


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
