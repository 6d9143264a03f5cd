"""Pages people see: /docs with no internet."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def test_docs_work_with_no_internet(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    parser = _Assets()
    parser.feed(page.get_data(as_text=True))
    base = "http://localhost/docs"
    assets = [urljoin(base, url) for url in parser.urls]
    assert len(assets) == 3 and all(urlsplit(url).netloc == "localhost" for url in assets), assets
    kinds = set()
    for url in assets:
        answer = client.get(urlsplit(url).path)
        assert answer.status_code == 200 and len(answer.data) > 10_000, url
        kind = "js" if answer.mimetype in ("text/javascript", "application/javascript") else answer.mimetype
        kinds.add(kind)
        if kind == "js":
            assert b"SwaggerUI" in answer.data
    assert kinds == {"text/css", "js"}
    assert '"validatorUrl": null' in page.get_data(as_text=True)  # no badge fetched from swagger.io
    spec = client.get(urljoin(base, re.search(r'url: "([^"]+)"', page.get_data(as_text=True)).group(1)))
    assert spec.status_code == 200 and spec.json["info"]["title"]
    assert client.get("/docs/assets/../../app/config.py").status_code == 404
