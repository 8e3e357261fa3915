"""The bundled offline demo newsroom: invented outlets and stories served on loopback.

``make_newsroom`` invents outlets and articles from a seed;
``broadsheet.demo.server.NewsroomServer`` serves pages, feeds, short links, images and
weather. No text is copied from real outlets: every name, place and sentence is generated
here. The writer's pieces (events, write-ups, wire copies, outlets) are public too, so a
larger labelled corpus can be built from the same invented world (the benchmarks' story
corpus in ``bench/common/corpus.py``).
"""

from broadsheet.demo._names import make_wire, slugify
from broadsheet.demo._writer import Draft, Event, copy_as_wire, make_event, write_story
from broadsheet.demo.generate import (
    DemoArticle,
    Newsroom,
    Outlet,
    make_newsroom,
    make_outlets,
    outlet_timezone,
    pick_coverage,
)

__all__ = ["DemoArticle", "Draft", "Event", "Newsroom", "Outlet", "copy_as_wire", "make_event",
           "make_newsroom", "make_outlets", "make_wire", "outlet_timezone", "pick_coverage",
           "slugify", "write_story"]
