"""Database URLs as messages show them: no part of a secret, ever."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

if TYPE_CHECKING:
    from .database import Location


# Query parameters whose values messages show; every other value (password, passfile,
# sslpassword, sslkey, anything unknown) is shown as ***.
_SHOWN_PARAMETERS = frozenset(
    {
        "application_name",
        "client_encoding",
        "connect_timeout",
        "dbname",
        "gssencmode",
        "host",
        "hostaddr",
        "keepalives",
        "keepalives_count",
        "keepalives_idle",
        "keepalives_interval",
        "load_balance_hosts",
        "options",
        "port",
        "sslmode",
        "target_session_attrs",
        "user",
    }
)


# `options` (server settings, `-csearch_path=...`) is shown unless it mentions a secret.
_SECRET_WORDS = re.compile("pass|secret|key|token", re.IGNORECASE)


def _shown(key: str, value: str) -> bool:
    """Whether a message may show this query parameter's value."""
    name = unquote_plus(key).lower()
    if name == "options" and _SECRET_WORDS.search(unquote_plus(value)):
        return False
    return name in _SHOWN_PARAMETERS


def _split_url(url: str) -> tuple[str, str, str | None, str, list[tuple[str, str]]]:
    """scheme, user, password (None: none given), host/port/database, query pairs; read
    the way that hides the most: the user part ends at the LAST @ (a password with a
    raw @ in it stays whole), and the password is everything after the user's first
    colon, slash or question mark."""
    scheme, _sep, rest = url.partition("://")
    userinfo, at, rest = rest.rpartition("@")
    user, password = userinfo, None
    if at:
        cut = min((i for i in (userinfo.find(c) for c in ":/?") if i >= 0), default=-1)
        if cut >= 0:
            user, password = userinfo[:cut], userinfo[cut + 1 :]
    base, _q, query = rest.partition("?")
    parts = (pair.partition("=") for pair in query.split("&")) if query else ()
    pairs = [(key, value) for key, _eq, value in parts]
    return scheme, user, password, base, pairs


def mask_url(url: str) -> str:
    """A database URL as every message shows it: no part of a secret, whatever the URL's
    shape (password in the user part or in the query, several @, percent-encoding)."""
    scheme, user, password, base, pairs = _split_url(url)
    text = f"{scheme}://"
    if password is not None:
        text += f"{user}:***@"
    elif user:
        text += f"{user}@"
    text += base
    if pairs:
        text += "?" + "&".join(
            f"{key}={value}" if _shown(key, value) else f"{key}=***" for key, value in pairs
        )
    return text


def _url_secrets(url: str) -> list[str]:
    """Every secret of a URL as text might quote it (raw, decoded, and the pieces a
    parser might split it into), longest first."""
    _s, _u, password, _b, pairs = _split_url(url)
    found = [password] if password else []
    found += [v for k, v in pairs if not _shown(k, v) and v]
    with_variants = set()
    for secret in found:
        for text in (secret, unquote_plus(secret)):
            with_variants.add(text)
            with_variants.update(p for p in re.split(r"[@:/?]", text) if len(p) >= 4)
    return sorted(with_variants, key=len, reverse=True)


def scrub(text: str, location: Location) -> str:
    """`text` (a driver's message, say) with every secret of the location's URL hidden."""
    if location.path is not None:
        return text
    for secret in _url_secrets(location.url):
        text = text.replace(secret, "***")
    return text
