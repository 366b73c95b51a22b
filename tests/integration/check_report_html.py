#!/usr/bin/env python3
# check_report_html.py REPORT.html [--h2 A,B,...] [--figures N]: an HTML report of bench
# (bench report, bench fleet report) stands alone and is strict:
#  - html.parser sees every non-void start tag closed, in order;
#  - nothing refers outside: every <img src> is a data: URI, every href relative (no scheme, no
#    //host, no /path), no @import or url( anywhere, no on* attribute, no inline <svg>;
#  - a Content-Security-Policy meta tag, before any style or script, lets nothing load but data:
#    images and no script run but the page's one inline <script>, by its SHA-256;
#  - each figure is an SVG (or PNG) in a data: URI that decodes (xml.etree parses the SVG) and
#    links its .gp and .dat, which exist next to the report;
#  - every table has the sortable hook (class="sortable", a thead of th);
#  - --h2: these h2 headings are there; --figures: at least N figures.
# Used by tests/unit/test_report.c and tests/integration/report_html.sh. Exit 1 naming each problem.
import base64, hashlib, os, re, sys, urllib.parse
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
URL_ATTRS = {"src", "href", "action", "formaction", "poster", "data", "cite", "background", "srcset", "ping",
             "xlink:href", "manifest", "codebase", "longdesc", "usemap", "icon"}


class Strict(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors = [], []
        self.imgs, self.hrefs, self.h2, self.scripts, self.tables = [], [], [], [], []
        self.csp, self.csp_pos, self.first_active = None, None, None
        self.text = None

    def err(self, msg):
        self.errors.append("%s (line %d)" % (msg, self.getpos()[0]))

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k, v in attrs:
            if k.startswith("on"):
                self.err("event handler attribute %s on <%s>" % (k, tag))
            if k in URL_ATTRS and tag not in ("img", "a"):
                self.err("<%s %s=%r>: a reference from an unexpected element" % (tag, k, v))
        if tag in ("svg", "math", "iframe", "object", "embed", "link", "base", "form", "frame", "video",
                   "audio", "source", "picture"):
            self.err("a <%s> element" % tag)
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            if self.csp is not None:
                self.err("two CSP meta tags")
            self.csp, self.csp_pos = a.get("content") or "", len(self.scripts) + (self.first_active or 0)
            if self.first_active:
                self.err("the CSP comes after a style or script")
        if tag in ("style", "script") and self.first_active is None:
            self.first_active = 1 if self.csp is None else 0
            if self.csp is None:
                self.err("a <%s> before the CSP" % tag)
        if tag == "img":
            self.imgs.append(a)
        if tag == "a":
            self.hrefs.append(a.get("href"))
        if tag == "table":
            self.tables.append({"class": (a.get("class") or "").split(), "th": 0, "thead": False})
        if tag == "thead" and self.tables:
            self.tables[-1]["thead"] = True
        if tag == "th" and self.tables:
            self.tables[-1]["th"] += 1
        if tag in ("script", "h2"):
            self.text = ""
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.err("</%s> closes %s" % (tag, self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()
        if tag == "script":
            self.scripts.append(self.text)
        if tag == "h2":
            self.h2.append(self.text)
        if tag in ("script", "h2"):
            self.text = None

    def handle_data(self, d):
        if self.text is not None:
            self.text += d


def check(path, want_h2, min_figures):
    raw = open(path, encoding="utf-8").read()
    p = Strict()
    p.feed(raw)
    p.close()
    errors = p.errors
    if p.stack:
        errors.append("not closed: %s" % p.stack)
    # the raw text, whatever the parser made of it
    for pat in (r'src\s*=\s*"?\s*https?:', r'href\s*=\s*"?\s*https?:', r'(src|href)\s*=\s*"?\s*//',
                r"@import", r"url\("):
        if re.search(pat, raw, re.I):
            errors.append("an external reference: %s" % pat)

    # CSP: nothing but data: images and the hashed script
    csp = p.csp
    if csp is None:
        errors.append("no Content-Security-Policy meta tag")
    else:
        d = {}
        for part in csp.split(";"):
            words = part.split()
            if words:
                d[words[0]] = words[1:]
        if d.get("default-src") != ["'none'"]:
            errors.append("CSP default-src is not 'none': %s" % csp)
        if d.get("img-src") != ["data:"]:
            errors.append("CSP img-src is not data: only: %s" % csp)
        hashes = [w for w in d.get("script-src", []) if w.startswith("'sha256-")]
        if len(d.get("script-src", [])) != 1 or len(hashes) != 1:
            errors.append("CSP script-src is not one sha256 hash: %s" % csp)
        if len(p.scripts) != 1:
            errors.append("%d script elements, expected the sort script only" % len(p.scripts))
        elif hashes:
            want = "'sha256-%s'" % base64.b64encode(hashlib.sha256(p.scripts[0].encode()).digest()).decode()
            if hashes[0] != want:
                errors.append("CSP script hash %s, the script's is %s" % (hashes[0], want))
        if "table.sortable" not in (p.scripts[0] if p.scripts else ""):
            errors.append("the script does not sort table.sortable")

    # figures: data: URIs that decode; their files linked and there
    base = os.path.dirname(path)
    figures = 0
    for img in p.imgs:
        src = img.get("src") or ""
        m = re.fullmatch(r"data:(image/svg\+xml|image/png);base64,([A-Za-z0-9+/=]+)", src)
        if not m:
            errors.append("an <img src> that is no base64 data: URI: %.80s" % src)
            continue
        data = base64.b64decode(m.group(2), validate=True)
        if m.group(1) == "image/svg+xml":
            try:
                root = ET.fromstring(data)
                if root.tag != "{http://www.w3.org/2000/svg}svg":
                    errors.append("an embedded SVG whose root is %s" % root.tag)
            except ET.ParseError as e:
                errors.append("an embedded SVG that does not parse: %s" % e)
        elif not data.startswith(b"\x89PNG\r\n\x1a\n"):
            errors.append("an embedded PNG that is none")
        if not img.get("alt"):
            errors.append("an image without alt text")
        figures += 1
    links = {"gp": 0, "dat": 0}
    for href in p.hrefs:
        if href is None:
            errors.append("an <a> without href")
            continue
        u = urllib.parse.urlsplit(href)
        if u.scheme or u.netloc or href.startswith("/"):
            errors.append("a link out of the report's dir: %s" % href)
            continue
        f = os.path.join(base, urllib.parse.unquote(u.path))
        ext = f.rsplit(".", 1)[-1]
        if ext in links:
            links[ext] += 1
        if not os.path.isfile(f):
            errors.append("a link to a missing file: %s" % href)
    if figures < min_figures:
        errors.append("%d figures, expected at least %d" % (figures, min_figures))
    if links["gp"] < figures or links["dat"] < figures:
        errors.append("%d figures but %d .gp and %d .dat links" % (figures, links["gp"], links["dat"]))

    for i, t in enumerate(p.tables):
        if "sortable" not in t["class"] or not t["thead"] or t["th"] == 0:
            errors.append("table %d has no sortable hook (class sortable, thead, th)" % (i + 1))
    for h in want_h2:
        if h not in p.h2:
            errors.append("no h2 %r (have %s)" % (h, p.h2))
    return errors, figures, len(p.tables)


def main():
    args = sys.argv[1:]
    want_h2, min_figures, path = [], 0, None
    while args:
        a = args.pop(0)
        if a == "--h2":
            want_h2 = [h for h in args.pop(0).split(",") if h]
        elif a == "--figures":
            min_figures = int(args.pop(0))
        else:
            path = a
    if not path:
        sys.exit("usage: check_report_html.py REPORT.html [--h2 A,B] [--figures N]")
    errors, figures, tables = check(path, want_h2, min_figures)
    for e in errors:
        print("%s: %s" % (path, e))
    print("%s: %d figures, %d tables%s" % (path, figures, tables, ", FAILED" if errors else ", ok"))
    sys.exit(1 if errors else 0)


main()
