"""One address per article: canonical URLs for de-duplication.

``canonicalize_url`` rewrites an absolute URL so that addresses which differ only
in spelling (case of scheme and host, default port, fragment, tracking
parameters, query order, percent-encoding, dot segments, Unicode host) compare
equal. It is idempotent: ``canonicalize_url(canonicalize_url(u)) ==
canonicalize_url(u)``.

``amp_canonical`` goes one step further for AMP and mobile variants of a page,
which are other addresses of the same article: the page's own declared
canonical wins when known, else the usual AMP/mobile spellings are undone.
"""

from __future__ import annotations

import re
from encodings import idna as _idna
from urllib.parse import urljoin, urlsplit

__all__ = ["TRACKING_PARAMS", "TRACKING_PREFIXES", "amp_canonical", "canonicalize_url"]

TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        # Analytics and ad click identifiers: they name the visit, not the page.
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "igshid", "igsh", "si", "srsltid",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "__hssc", "__hstc",
        "__hsfp", "hsctatracking", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "vero_conv", "vero_id", "wickedid", "rb_clickid", "s_cid", "spm",
        "scm", "cmpid", "cmp", "icid", "ncid", "ocid", "ito", "ref", "ref_src",
        "ref_url", "referrer", "smid", "sr_share", "share", "at_medium",
        "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
        "xtor", "guccounter", "guce_referrer", "guce_referrer_sig", "cid_source",
        "__twitter_impression", "fb_action_ids", "fb_action_types", "fb_source",
        "fb_ref", "action_object_map", "action_type_map", "action_ref_map",
    }
)  # fmt: skip
"""Query parameters dropped from every address (compared case-insensitively)."""

TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "pk_", "mtm_", "hmb_", "ga_")
"""Query parameter prefixes dropped as well (``utm_source``, ``pk_campaign``, ...)."""

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = "!$&'()*+,;="
_PATH_SAFE = _UNRESERVED | frozenset(_SUB_DELIMS + ":@/")
_QUERY_SAFE = _UNRESERVED | frozenset("!$'()*+,;:@/?")  # '&' and '=' are structure
_QUERY_VALUE_SAFE = _QUERY_SAFE | {"="}
_HEX = "0123456789ABCDEFabcdef"
_HOST_OK = re.compile(r"[a-z0-9._-]+|\[[0-9a-f:.]+\]")
_LABEL_DOTS = re.compile("[.\u3002\uff0e\uff61]")


def canonicalize_url(url: str) -> str:
    """Return the canonical spelling of an absolute URL, for comparing addresses.

    Lower-cases scheme and host, encodes the host with IDNA, drops user info,
    default ports, the fragment, tracking parameters and an empty query, sorts
    the query, removes dot segments and normalises percent-encoding (unreserved
    characters decoded, other escapes upper-cased, unsafe characters encoded as
    UTF-8). Raises ``ValueError`` for anything that is not an absolute URL with a
    host (relative references, ``mailto:``, a bad port or an unencodable host).
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise ValueError(f"stories: not a URL: {url!r} ({e})") from e
    scheme = parts.scheme.lower()
    if not scheme or not parts.hostname:
        raise ValueError(f"stories: not an absolute URL with a host: {url!r}")
    host = _canonical_host(parts.hostname, url)
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = _remove_dot_segments(_normalize_escapes(parts.path, _PATH_SAFE)) or "/"
    query = _canonical_query(parts.query)
    return f"{scheme}://{host}{path}" + (f"?{query}" if query else "")


def amp_canonical(url: str, page_canonical: str | None = None) -> str:
    """Return the canonical address of the article behind an AMP or mobile URL.

    The page's declared canonical (``<link rel=canonical>``, resolved against
    ``url``) wins when given and valid; otherwise the usual spellings are undone:
    an ``m.``/``mobile.``/``amp.`` host prefix, an ``/amp`` path segment or
    ``.amp`` suffix, and ``amp``/``outputType=amp`` query parameters.
    """
    if page_canonical:
        try:
            return canonicalize_url(urljoin(url, page_canonical.strip()))
        except ValueError:
            pass  # a broken declared canonical is the page's fault: fall back
    canonical = canonicalize_url(url)
    parts = urlsplit(canonical)
    host = parts.netloc
    labels = host.split(".")
    while len(labels) >= 3 and labels[0] in ("m", "mobile", "amp"):
        labels = labels[1:]
    host = ".".join(labels)
    path = _strip_amp_path(parts.path)
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not _is_amp_param(pair)
    )
    return canonicalize_url(f"{parts.scheme}://{host}{path}" + (f"?{query}" if query else ""))


def is_tracking_param(name: str) -> bool:
    """Tell whether a query parameter name only tracks the visit."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _canonical_host(hostname: str, url: str) -> str:
    host = hostname.rstrip(".")
    if host.startswith("[") or ":" in host:  # IPv6 literal; urlsplit strips brackets
        host = f"[{host.strip('[]')}]"
    elif not host.isascii():
        try:
            host = ".".join(
                _idna.ToASCII(label).decode("ascii") if not label.isascii() else label
                for label in _LABEL_DOTS.split(host)
            ).lower()
        except UnicodeError as e:
            raise ValueError(f"stories: host is not valid IDNA: {url!r}") from e
        host = host.rstrip(".")
    if not host or not _HOST_OK.fullmatch(host):
        raise ValueError(f"stories: bad host in URL: {url!r}")
    return host


def _canonical_query(query: str) -> str:
    pairs: list[tuple[str, str, str]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        key, sep, value = piece.partition("=")
        key = _normalize_escapes(key, _QUERY_SAFE)
        if is_tracking_param(key):
            continue
        pairs.append((key, sep, _normalize_escapes(value, _QUERY_VALUE_SAFE)))
    pairs.sort()
    return "&".join(key + sep + value for key, sep, value in pairs)


def _normalize_escapes(text: str, safe: frozenset[str]) -> str:
    """Decode escaped unreserved bytes, upper-case other escapes, encode the rest."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "%" and i + 2 < n and text[i + 1] in _HEX and text[i + 2] in _HEX:
            decoded = chr(int(text[i + 1 : i + 3], 16))
            out.append(decoded if decoded in _UNRESERVED else "%" + text[i + 1 : i + 3].upper())
            i += 3
            continue
        if ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{byte:02X}" for byte in ch.encode("utf-8", "surrogatepass"))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, for the absolute paths that follow a host."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments[1:], start=1):
        last = index == len(segments) - 1
        if segment == "..":
            if len(output) > 0:
                output.pop()
            if last:
                output.append("")
        elif segment == ".":
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/" + "/".join(output)


_AMP_SEGMENTS = frozenset({"amp", "amp.html"})


def _strip_amp_path(path: str) -> str:
    segments = path.split("/")
    kept = [s for s in segments if s.lower() not in _AMP_SEGMENTS]
    while kept and kept[-1].lower().endswith((".amp", ".amp.html")):
        if kept[-1].lower().endswith(".amp"):
            kept[-1] = kept[-1][: -len(".amp")]
        else:
            kept[-1] = kept[-1][: -len(".amp.html")] + ".html"
    stripped = "/".join(kept)
    if path.endswith("/") and not stripped.endswith("/"):
        stripped += "/"
    return stripped if stripped.startswith("/") else "/" + stripped


def _is_amp_param(pair: str) -> bool:
    key, _, value = pair.partition("=")
    key, value = key.lower(), value.lower()
    return key in ("amp", "_amp", "usqp") or (key in ("outputtype", "output") and value == "amp")
