"""The extract stage's public surface works end to end on a small page."""

from broadsheet.extract import excerpt, extract_article
from broadsheet.extract.sanitize import sanitize_html

PAGE = """<html lang="en"><head><title>Harbour reopens after storm | The Example Post</title>
<meta property="og:site_name" content="The Example Post">
<meta property="article:published_time" content="2024-03-05T08:30:00+01:00">
<meta name="author" content="By Jane Roe">
<link rel="canonical" href="/news/harbour"></head>
<body><article><h1>Harbour reopens after storm</h1>
<p>The harbour of the small town reopened on Tuesday after three days of closure, the port
authority said in a statement published in the morning.</p>
<p>Fishing boats returned to the water before dawn, and the ferry to the islands resumed its
usual timetable, according to the operator of the line.</p>
</article></body></html>"""


def test_extract_article_smoke():
    article = extract_article(PAGE, url="https://example.com/x")
    assert article.title == "Harbour reopens after storm"
    assert article.authors == ("Jane Roe",)
    assert article.published is not None and article.published.utcoffset() is not None
    assert article.canonical_url == "https://example.com/news/harbour"
    assert "Fishing boats returned" in article.text
    assert "\n\n" in article.text
    assert article.language == "en"


def test_sanitize_and_excerpt():
    assert "<script" not in sanitize_html("<p>a<script>x</script></p>")
    assert excerpt("one two three\n\nfour five", words=3) == "one two three"
