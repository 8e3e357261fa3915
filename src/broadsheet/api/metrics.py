"""Prometheus metrics at ``/metrics``, computed from the database on each scrape.

Readable with ``Authorization: Bearer <metrics_token>`` or from an address inside
``metrics_networks``. A request carrying a forwarded header (X-Forwarded-For,
Forwarded, X-Real-IP) cannot use the address allow-list at all, since it came through a
proxy (and uvicorn rewrites the peer address from it when ``trusted_proxies`` names that
proxy); it needs the token. A
proxy on the same host that forwards /metrics without such a header would look local:
block /metrics at the proxy or set a token.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence

from fastapi import Request
from fastapi.responses import PlainTextResponse

from broadsheet.accounts import access, auth
from broadsheet.api.deps import database, settings_of
from broadsheet.store import Database, utcnow
from broadsheet.store.metrics import SourceState, store_counts
from broadsheet.update import metrics as update_metrics

FORWARDED_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def _label(value: object) -> str:
    text = str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
    return f'"{text}"'


def _stamp(value: dt.datetime | None) -> int:
    """Whole seconds since the epoch (0: never): ``%g`` would print 1.76502e+09."""
    return int(value.timestamp()) if value else 0


def _number(value: float) -> str:
    """A sample value in full: integers as integers, other floats round-trippable."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def metric(self, name: str, kind: str, help_text: str,
               samples: list[tuple[dict[str, object], float]]) -> None:
        self.lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        for labels, value in samples:
            text = ",".join(f"{k}={_label(v)}" for k, v in labels.items())
            number = _number(value)
            self.lines.append(f"{name}{{{text}}} {number}" if text else f"{name} {number}")


def render_metrics(db: Database) -> str:
    """Every metric in the Prometheus text exposition format (version 0.0.4)."""
    out = _Lines()
    counts = store_counts(db)
    _source_metrics(out, counts.sources, counts.articles_per_source)
    out.metric("broadsheet_articles", "gauge", "Articles stored, by extraction method.",
               [({"method": m}, n) for m, n in counts.articles_per_method])
    out.metric("broadsheet_articles_extraction_errors", "gauge",
               "Articles whose page extraction failed.", [({}, counts.extraction_errors)])
    out.metric("broadsheet_users", "gauge", "Accounts by role.",
               [({"role": r}, n) for r, n in counts.users_per_role])
    _password_metrics(out)
    # The update stage adds its own lines (the placement backlog).
    return "\n".join(out.lines) + "\n" + update_metrics.render_metrics(db)


def _source_labels(row: SourceState) -> dict[str, object]:
    return {"source_id": row.id, "source": row.title or row.url}


def _source_metrics(out: _Lines, rows: Sequence[SourceState],
                    per_source: dict[int, int]) -> None:
    """Sources by status, the poll queue, and each source's articles, errors and polls."""
    now = utcnow()
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row.status] = statuses.get(row.status, 0) + 1
    out.metric("broadsheet_sources", "gauge", "Sources by status.",
               [({"status": k}, v) for k, v in sorted(statuses.items())])
    due = [r for r in rows if r.status != "paused"
           and (r.next_poll is None or r.next_poll <= now)]
    out.metric("broadsheet_sources_due", "gauge", "Sources waiting to be polled (queue depth).",
               [({}, len(due))])
    out.metric("broadsheet_sources_failing", "gauge", "Sources whose last poll failed.",
               [({}, sum(1 for r in rows if r.error_count))])
    out.metric("broadsheet_source_articles", "gauge", "Articles stored per source.",
               [(_source_labels(r), per_source.get(r.id, 0)) for r in rows])
    out.metric("broadsheet_source_consecutive_errors", "gauge",
               "Failed polls in a row per source.",
               [(_source_labels(r), r.error_count) for r in rows])
    out.metric("broadsheet_source_last_success_timestamp_seconds", "gauge",
               "When each source was last polled successfully (0: never).",
               [(_source_labels(r), _stamp(r.last_success)) for r in rows])
    out.metric("broadsheet_source_last_poll_timestamp_seconds", "gauge",
               "When each source was last polled (0: never).",
               [(_source_labels(r), _stamp(r.last_polled)) for r in rows])


def _password_metrics(out: _Lines) -> None:
    """The bound on password hashes at once in this process, and how it is used."""
    slots = auth.hash_slots
    out.metric("broadsheet_password_checks_running", "gauge",
               "Password hashes (Argon2id) running now in this web server.",
               [({}, slots.running)])
    out.metric("broadsheet_password_checks_peak", "gauge",
               "Most password hashes ever running at once (bounded by "
               "password_hash_concurrency).", [({"bound": slots.size}, slots.peak)])
    out.metric("broadsheet_password_checks_total", "counter",
               "Password hashes computed since start.", [({}, slots.total)])


def address_allowed(address: str, networks: str) -> bool:
    """True when the peer address lies in one of the comma-separated CIDR blocks."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for block in (b.strip() for b in networks.split(",")):
        try:
            if block and ip in ipaddress.ip_network(block, strict=False):
                return True
        except ValueError:
            continue
    return False


def metrics(request: Request) -> PlainTextResponse:
    """Every metric, to a caller with the token or, unforwarded, from an allowed address."""
    db, settings = database(request), settings_of(request)
    offered = access.bearer_token(request)
    forwarded = any(h in request.headers for h in FORWARDED_HEADERS)
    if settings.metrics_token and offered:
        permitted = auth.same(offered, settings.metrics_token)
    else:
        permitted = not forwarded and address_allowed(access.client_address(request),
                                                      settings.metrics_networks)
    if not permitted:
        return PlainTextResponse("forbidden\n", status_code=403)
    return PlainTextResponse(render_metrics(db),
                             media_type="text/plain; version=0.0.4; charset=utf-8")

