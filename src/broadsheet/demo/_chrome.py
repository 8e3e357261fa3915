"""Site chrome around and inside the article container: the widgets a header carries.

Seed-shaped pages put the local weather ("32.8 C"), today's date ("Tuesday, April 16,
2024"), a clock, a breaking-news bar, a market ticker, a "trending" strip and an
edition or language picker just above the article and inside its container, before
the headline; a trending strip may also close the container. The markup varies
(``STYLES``): meaningless hashed class names, lists, bare paragraphs, a table with
``<time>`` elements, so extraction has to recognise the widgets by what they are,
not by what they are called. Every value is invented or computed here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from html import escape

STYLES = ("hashed", "list", "bare", "table")
_MARKETS = (("Capital 250", 7845.21), ("Nordex", 1932.4), ("Gold", 2341.1), ("Brent", 82.35),
            ("EUR/USD", 1.0842))
_EDITIONS = (("Edition:", ("International", "Europe", "Americas", "Asia")),
             ("", ("English", "Español", "Français", "Deutsch")))
_LABELS = (("Breaking", "Trending"), ("Just in", "Hot topics"), ("Live", "In focus"))
_DATE_FORMATS = ("%A, %B {day}, %Y", "%A {day} %B %Y", "%a %d.%m.%Y")


@dataclass(frozen=True)
class Chrome:
    """HTML for three places of an article page, and the strings none of it may leak."""

    above: str
    inside: str
    after: str
    strings: tuple[str, ...]


def _code(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()


def _readings(temperature: float, description: str, variant: int) -> list[str]:
    """The weather as headers write it: Celsius with a bare "C", Fahrenheit, words."""
    fahrenheit = round(temperature * 9 / 5 + 32)
    return [(f"{temperature:.1f} C", f"{fahrenheit}°F", f"{round(temperature)}°")[variant % 3],
            description.capitalize()]


def _markets(variant: int) -> list[str]:
    rows = []
    for index, (name, level) in enumerate(_MARKETS[variant % 2:][:3]):
        change = ((variant + index) % 7 - 3) * 0.17
        arrow = "▲" if change >= 0 else "▼"
        rows.append(f"{name} {level * (1 + change / 100):,.2f} {arrow} {abs(change):.2f}%")
    return rows


@dataclass(frozen=True)
class _Parts:
    weather: list[str]
    today: str
    clock: str
    breaking: tuple[str, str, str]
    markets: list[str]
    trending: tuple[str, list[tuple[str, str]]]
    edition: tuple[str, tuple[str, ...]]


def _parts(now: dt.datetime, weather: tuple[float, str], links: list[tuple[str, str]],
           variant: int) -> _Parts:
    day_format = _DATE_FORMATS[variant % len(_DATE_FORMATS)]
    breaking_label, trending_label = _LABELS[variant % len(_LABELS)]
    title, href = links[0] if links else ("Council meets tonight", "#")
    return _Parts(
        weather=_readings(*weather, variant),
        today=now.strftime(day_format.replace("{day}", str(now.day))),
        clock=now.strftime(("%H:%M GMT", "%I:%M %p")[variant % 2]),
        breaking=(breaking_label, title, href),
        markets=_markets(variant),
        trending=(trending_label, links[1:4]),
        edition=_EDITIONS[variant % len(_EDITIONS)],
    )


def _link(title: str, href: str) -> str:
    return f'<a href="{escape(href)}">{escape(title)}</a>'


def _hashed(parts: _Parts, names: str) -> tuple[str, str, str]:
    """Divs and spans whose class names say nothing ("c3f9a1")."""
    def c(n: int) -> str:
        return f"c{names[n * 5:n * 5 + 5]}"
    label, title, href = parts.breaking
    spans = "".join(f'<span class="{c(1)}">{escape(x)}</span>' for x in parts.weather)
    above = (f'<div class="{c(0)}"><span class="{c(2)}">{escape(parts.today)}</span>{spans}'
             f'<span class="{c(3)}">{escape(parts.clock)}</span></div>'
             f'<div class="{c(4)}"><b>{escape(label)}</b> {_link(title, href)}</div>')
    markets = "".join(f'<div class="{c(6)}">{escape(m)}</div>' for m in parts.markets)
    edition_label, editions = parts.edition
    picker = " | ".join(f'<a href="#">{escape(e)}</a>' for e in editions)
    inside = (f'<div class="{c(5)}">{markets}</div>'
              f'<div class="{c(7)}">{escape(edition_label)} {picker}</div>')
    trending_label, links = parts.trending
    after = (f'<div class="{c(8)}"><span>{escape(trending_label)}</span> '
             + " ".join(_link(t, h) for t, h in links) + "</div>")
    return above, inside, after


def _list(parts: _Parts, names: str) -> tuple[str, str, str]:
    """Unordered lists, one widget value per item."""
    items = [parts.today, *parts.weather, parts.clock]
    above = (f'<ul class="u{names[:4]}">' + "".join(f"<li>{escape(x)}</li>" for x in items)
             + "</ul>")
    edition_label, editions = parts.edition
    inside = (f'<ul class="u{names[4:8]}">' + "".join(f"<li>{escape(m)}</li>" for m in parts.markets)
              + "</ul>" + f"<ul>{'<li>' + escape(edition_label) + '</li>' if edition_label else ''}"
              + "".join(f'<li><a href="#">{escape(e)}</a></li>' for e in editions) + "</ul>")
    label, title, href = parts.breaking
    inside = f"<ul><li><strong>{escape(label)}:</strong> {_link(title, href)}</li></ul>" + inside
    trending_label, links = parts.trending
    after = (f"<ul><li>{escape(trending_label)}</li>"
             + "".join(f"<li>{_link(t, h)}</li>" for t, h in links) + "</ul>")
    return above, inside, after


def _bare(parts: _Parts, _names: str) -> tuple[str, str, str]:
    """Plain paragraphs without any class, the way an old CMS template writes them."""
    label, title, href = parts.breaking
    above = (f"<p>{escape(parts.today)}</p><p>{escape(' · '.join(parts.weather))}</p>"
             f"<p>{escape(label)}: {_link(title, href)}</p>")
    edition_label, editions = parts.edition
    inside = (f"<p>{escape(parts.clock)}</p>"
              + "".join(f"<p>{escape(m)}</p>" for m in parts.markets)
              + f"<p>{escape(edition_label)} "
              + " / ".join(f'<a href="#">{escape(e)}</a>' for e in editions) + "</p>")
    trending_label, links = parts.trending
    after = (f"<p>{escape(trending_label)}: " + ", ".join(_link(t, h) for t, h in links) + "</p>")
    return above, inside, after


def _table(parts: _Parts, names: str, now: dt.datetime) -> tuple[str, str, str]:
    """A market table, ``<time>`` elements for the date and clock, a select for editions."""
    above = (f'<div id="t{names[:6]}"><time datetime="{now.date().isoformat()}">'
             f'{escape(parts.today)}</time> <time datetime="{now.isoformat()}">'
             f"{escape(parts.clock)}</time> <span>{escape(parts.weather[0])}</span> "
             f"<span>{escape(parts.weather[1])}</span></div>")
    rows = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in _cells(m)) + "</tr>"
                   for m in parts.markets)
    edition_label, editions = parts.edition
    options = "".join(f"<option>{escape(e)}</option>" for e in editions)
    label, title, href = parts.breaking
    inside = (f"<table><tbody>{rows}</tbody></table>"
              f"<div><label>{escape(edition_label or 'Language')}</label><select>{options}</select>"
              f"</div><div><em>{escape(label)}</em> {_link(title, href)}</div>")
    trending_label, links = parts.trending
    after = (f"<div><h4>{escape(trending_label)}</h4>"
             + "".join(f"<div>{_link(t, h)}</div>" for t, h in links) + "</div>")
    return above, inside, after


def _cells(market: str) -> list[str]:
    name, level, arrow, change = market.rsplit(" ", 3)
    return [name, level, f"{arrow} {change}"]


def make_chrome(now: dt.datetime, weather: tuple[float, str], links: list[tuple[str, str]],
                key: str, style: int) -> Chrome:
    """Return the widgets of one page: ``key`` (the outlet) names classes, ``style`` picks markup.

    ``weather`` is (temperature in °C, words); ``links`` are other articles (title, path)
    for the breaking bar and the trending strip.
    """
    names = _code("chrome", key)
    variant = int(names[:4], 16)
    parts = _parts(now, weather, links, variant + style)
    kind = STYLES[style % len(STYLES)]
    if kind == "table":
        above, inside, after = _table(parts, names, now)
    else:
        above, inside, after = {"hashed": _hashed, "list": _list, "bare": _bare}[kind](parts, names)
    label, title, _href = parts.breaking
    strings = (*parts.weather, parts.today, parts.clock, label, title, *parts.markets[:1],
               parts.markets[-1].split(" ")[-1], *(e for e in parts.edition[1]),
               parts.trending[0], *(t for t, _ in parts.trending[1]))
    if kind == "table":
        strings = tuple(s for s in strings if s not in parts.markets) + tuple(
            cell for m in parts.markets for cell in _cells(m)[1:2])
    return Chrome(above=above, inside=inside, after=after, strings=strings)
