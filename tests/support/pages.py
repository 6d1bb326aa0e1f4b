"""Every page of the app, and what a person reads on it.

``page_urls`` lists the URL patterns that take no argument, plus those whose arguments can be
filled from demo ids; ``visible_words`` reads a rendered page the way a user does (text nodes,
placeholders, titles, labels of buttons — not scripts, styles or hidden inputs) and returns the
tokens that are English words or raw codes, minus an allow-list of names the product keeps as they
are (its own name, units, brands, codes the user typed)."""

import re
from html.parser import HTMLParser

from tests.support.routes import fill_route, url_patterns

SKIP_PREFIXES = ("/api/", "/static/", "/media/", "/admin/", "/i18n/")
SKIP_WORDS = ("logout", "export", ".xlsx", ".csv", ".pdf", ".svg", ".png", "download", "print")
# names shown as they are: the product, brands and systems, units, file formats, abbreviations
ALLOWED = {
    "zhongshu",
    "en",
    "cnc",
    "qc",
    "sku",
    "api",
    "excel",
    "xlsx",
    "csv",
    "pdf",
    "t+",
    "erp",
    "mes",
    "wecom",
    "dingtalk",
    "feishu",
    "id",
    "url",
    "ok",
    "pcs",
    "kg",
    "g",
    "m",
    "mm",
    "cm",
    "sn",
    "po",
    "so",
    "bom",
    "vip",
    "ip",
    "http",
    "https",
    "json",
    "sms",
    "html",
    "svg",
    "png",
    "rmb",
    "cny",
    "usd",
    "eur",
    "tmall",
    "taobao",
    "jd",
    "pdd",
    "douyin",
    "youzan",
    "chanjet",
    "webhook",
    "token",
    "hmac",
    "sha256",
    "pg",
    "postgresql",
    "sqlite",
    "utc",
    "am",
    "pm",
    "ra",
    "ods",
    "xls",
    "croston",
    "unionid",
    "user_id",
    "app",
    "key",
    "open",
    "english",
    "public_base_url",
}
SKIP_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "textarea", "desc"}
ATTRS = ("placeholder", "title", "aria-label", "alt")
WORD = re.compile(r"[A-Za-z][A-Za-z_+]*[A-Za-z+]|[A-Za-z]")


def page_urls(values: dict) -> list[str]:
    seen: list[str] = []
    for route, _pattern in url_patterns():
        url = fill_route(route, values)
        if url is None or url in seen or url.startswith(SKIP_PREFIXES):
            continue
        if any(word in url for word in SKIP_WORDS):
            continue
        seen.append(url)
    return seen


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in SKIP_TAGS or attrs.get("translate") == "no":
            if tag not in ("input", "br", "img", "meta", "link"):
                self.skipping.append(tag)
            return
        if self.skipping:
            return
        self.parts.extend(str(attrs[a]) for a in ATTRS if attrs.get(a))
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(str(attrs["value"]))

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def foreign_words(html: str, allowed: set[str] = frozenset()) -> set[str]:
    """English words and raw codes (``in_production``, ``WAIT_SELLER_SEND_GOODS``) a user would
    read; tokens that are codes typed by users (letters mixed with digits or hyphens, such as
    M-FLANGE or SO-2026-0001) are not words and pass."""
    found = set()
    for token in visible_text(html).split():
        if any(ch.isdigit() for ch in token) or re.search(r"[A-Za-z][-.]|[-.][A-Za-z]|@", token):
            continue
        for word in WORD.findall(token):
            if word.lower() in ALLOWED or word.lower() in allowed:
                continue
            if word.isupper() and "_" not in word:
                continue  # an abbreviation or a code typed in capitals (CNC, ASSY, GB)
            found.add(word)
    return found


def where(html: str, word: str, width: int = 30) -> str:
    """The visible text around the first ``word``, to say where a finding is."""
    text = " ".join(visible_text(html).split())
    found = re.search(rf"(?<![A-Za-z_]){re.escape(word)}(?![A-Za-z_])", text)
    if not found:
        return word
    return text[max(0, found.start() - width) : found.end() + width]
