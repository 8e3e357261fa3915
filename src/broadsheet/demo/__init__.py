"""The bundled offline demo newsroom: invented outlets and stories served on loopback.

``make_newsroom`` invents outlets and articles from a seed; ``generate_story_corpus``
yields labelled articles for benchmarks; ``broadsheet.demo.server.NewsroomServer``
serves pages, feeds, short links, images and weather. No text is copied from real
outlets: every name, place and sentence is generated here.
"""

from broadsheet.demo.generate import (
    DemoArticle,
    Newsroom,
    Outlet,
    generate_story_corpus,
    make_newsroom,
)

__all__ = ["DemoArticle", "Newsroom", "Outlet", "generate_story_corpus", "make_newsroom"]
