"""A test browser for sign-in pages: follows links and redirects, and presses a form's button,
as a person's browser would on the portal's authorize page."""

from __future__ import annotations

import http.client
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    url: str
    status: int
    body: str
    location: str = ""


@dataclass
class _Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    # a button's text -> its name, value and formaction
    buttons: dict[str, tuple[str, str, str]] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self._button: dict[str, str] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(_Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag == "input" and self.forms:
            kind = a.get("type", "text").lower()
            if kind == "submit":
                text = a.get("value", "")
                self.forms[-1].buttons[text] = (a.get("name", ""), text, a.get("formaction", ""))
            elif a.get("name"):
                self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms:
            self._button, self._text = a, ""

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self.forms:
            b = self._button
            self.forms[-1].buttons[self._text.strip()] = (
                b.get("name", ""),
                b.get("value", ""),
                b.get("formaction", ""),
            )
            self._button = None


def request(url: str, method: str = "GET", form: dict[str, str] | None = None) -> Page:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    body = urllib.parse.urlencode(form).encode() if form is not None else None
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, path or "/", body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read().decode("utf-8", "replace")
        return Page(url, answer.status, text, answer.getheader("Location") or "")
    finally:
        connection.close()


def press(page: Page, button: str, extra: dict[str, str] | None = None) -> Page:
    """Submit the form that holds `button` (by its text), following redirects."""
    parser = _Forms()
    parser.feed(page.body)
    for form in parser.forms:
        if button in form.buttons:
            fields = dict(form.fields)
            name, value, action = form.buttons[button]
            if name:
                fields[name] = value
            fields.update(extra or {})
            target = urllib.parse.urljoin(page.url, action or form.action or page.url)
            if form.method == "post":
                return follow(request(target, "POST", fields))
            return follow(request(f"{target}?{urllib.parse.urlencode(fields)}"))
    raise AssertionError(f"no button {button!r} on {page.url}: {page.body[:300]}")


def follow(page: Page, hops: int = 5) -> Page:
    while page.status in (301, 302, 303, 307) and page.location and hops:
        page = request(urllib.parse.urljoin(page.url, page.location))
        hops -= 1
    return page


def allow(url: str, button: str = "Allow") -> Page:
    """Open the authorize address and press Allow; the page the browser ends on."""
    return press(follow(request(url)), button)
