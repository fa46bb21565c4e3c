#!/usr/bin/env python3
"""test_report_html.py -- `contam report --format html` reads at a paper's
scale: 20 benchmarks x 3 corpora (reports in the
published schema, tests/cli/report_fixtures.py), plus a real `probe
--confirm` report and a real `scan --report` made here on generated data
(documents with URLs, a benchmark question holding HTML), rendered to one
page.  Checked: the heatmap comes first with one cell per benchmark x
corpus, each carrying the JSON's count/n and interval, coloured
monotonically in the rate with 0 and n/a distinct; rates are dots with
error bars on an axis where no non-zero rate sits within 8 px of 0; one
collapsed block and one histogram per benchmark; the evidence table has
the document, URL and offset of the confirm and scan reports, the text
escaped; no external request.  In headless Chromium (skipped when absent)
the page renders, the DOM has the 60 cells, and the content height
(last non-white row of a 1280 px wide screenshot, decoded here: no
scripts in the page) is under a bound."""
import html
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Suite, check, contam  # noqa: E402
import report_fixtures  # noqa: E402

suite = Suite("test_report_html")

# Content height bounds at 1280 px wide, measured 2026-12-02: 20 x 3
# fixtures 2190 px (heatmap ~480, rate chart ~760, 20 collapsed benchmark
# lines ~460, the collapsed tables); with the confirm and scan corpora
# and 20 evidence rows 3830 px.  The page before the heatmap was over 9000
# px for 20 x 3.  The bounds leave ~35% for fonts.
HEIGHT_3 = 3000
HEIGHT_5 = 5200

WORDS = ["alpha", "river", "stone", "market", "silver", "orange", "window", "garden",
         "ticket", "engine", "pencil", "forest", "mirror", "castle", "button", "planet"]


def setup(tmp):
    paths, benches = report_fixtures.write_set(tmp)
    rng = random.Random(3)

    def words(n):
        return " ".join(rng.choice(WORDS) + str(rng.randint(0, 999)) for _ in range(n))
    qs = [{"id": f"q{i}", "question": words(14) + " <script>x</script> & " + words(14)}
          for i in range(40)]
    with open(os.path.join(tmp, "bench.jsonl"), "w") as f:
        for q in qs:
            f.write(json.dumps(q) + "\n")
    os.makedirs(os.path.join(tmp, "corpus"))
    with open(os.path.join(tmp, "corpus", "web.jsonl"), "w") as f:
        for d in range(200):
            t = words(80)
            if d % 20 == 0:
                t += " " + qs[d // 20]["question"] + " " + words(10)
            f.write(json.dumps({"url": f"https://example.org/page/{d}?a=1&b=2",
                                "id": f"doc{d}", "text": t}) + "\n")
    contam("index", "-q", "-o", "c.cidx", "corpus", cwd=tmp).expect(0)
    contam("probe", "-q", "c.cidx", "--field", "question", "--id-field", "id",
           "--label", "Web (confirm)", "-o", "conf.json", "bench.jsonl",
           "--confirm", "corpus", cwd=tmp).expect(0)
    contam("scan", "-q", "--bench", "bench.jsonl", "--field", "question", "--id-field", "id",
           "--report", "scan.json", "-o", "hits.jsonl", "corpus", cwd=tmp).expect(0)
    extra = [os.path.join(tmp, "conf.json"), os.path.join(tmp, "scan.json")]
    return {"tmp": tmp, "paths": paths, "benches": benches, "extra": extra}


def render(ctx, name, *args):
    out = os.path.join(ctx["tmp"], name)
    contam("report", "--format", "html", "-o", out, *args).expect(0)
    with open(out, encoding="utf-8") as f:
        return out, f.read()


def heatmap(page, measure="contam/contaminated"):
    m = re.search(r'<table class="hm" data-measure="%s">(.*?)</table>' % re.escape(measure),
                  page, re.S)
    check(m, f"no heatmap of {measure}")
    rows = re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S)
    heads = [html.unescape(re.sub(r"<[^>]*>", "", h)) for h in re.findall(r"<th>(.*?)</th>", rows[0])]
    out = {}
    for tr in rows[1:]:
        bench = html.unescape(re.match(r'<td class="l">(.*?)</td>', tr).group(1))
        cells = re.findall(r'<td class="(hm[^"]*)"([^>]*)>(.*?)</td>', tr)
        check(len(cells) == len(heads) - 1, f"{bench}: {len(cells)} cells")
        for corpus, (cls, attrs, body) in zip(heads[1:], cells):
            out[(corpus, bench)] = (cls, attrs, body)
    return heads[1:], out


def want(paths):
    w = {}
    for p in paths:
        r = json.load(open(p))
        for b in r["benchmarks"]:
            w[(r["label"], b["name"])] = b["definitions"]["contam"]["contaminated"]
    return w


def lightness(attrs):
    m = re.search(r"background:#([0-9a-f]{6})", attrs)
    return sum(int(m.group(1)[i:i + 2], 16) for i in (0, 2, 4))


@suite.test
def heatmap_first_with_every_cell(ctx):
    _, page = render(ctx, "f3.html", *ctx["paths"])
    first = page.index("<h2>")
    check(page[first:].startswith("<h2>Benchmark &times; corpus: contaminated</h2>"),
          f"the heatmap is not first: {page[first:first + 80]!r}")
    check(page.index('<table class="hm"') < min(page.index("<table", page.index('class="hm"') + 1),
                                               page.index('aria-label="rates')),
          "the heatmap comes before any other table or chart")
    corpora, cells = heatmap(page)
    check(corpora == report_fixtures.LABELS, f"columns {corpora}")
    check(len(cells) == 60, f"{len(cells)} heatmap cells")
    w = want(ctx["paths"])
    shade = []
    for key, (cls, attrs, body) in cells.items():
        e = w[key]
        lo, hi = (100 * v for v in e["ci95"])
        title = html.unescape(re.search(r'title="([^"]*)"', attrs).group(1))
        m = re.match(r"(\d+) of (\d+): ([\d.]+)% \[([\d.]+), ([\d.]+)\]", title)
        check(m and int(m.group(1)) == e["count"] and int(m.group(2)) == e["n"],
              f"{key}: title {title!r} vs {e}")
        check(abs(float(m.group(4)) - lo) < 0.06 and abs(float(m.group(5)) - hi) < 0.06,
              f"{key}: interval {title!r} vs {e['ci95']}")
        check(f"{e['count']}/{e['n']}" in body, f"{key}: count/n in {body!r}")
        if e["count"] == 0:
            check(cls == "hm z" and body.startswith("0<"), f"{key}: zero cell {cls} {body}")
        else:
            check(cls == "hm" and "background:#" in attrs, f"{key}: coloured cell {cls}")
            shade.append((e["rate"], lightness(attrs)))
    check(any(c == "hm z" for c, _, _ in cells.values()), "the fixtures have zero cells")
    shade.sort()
    check(all(a[1] >= b[1] for a, b in zip(shade, shade[1:])), "darker as the rate grows")
    check(shade[-1][1] < shade[0][1] - 60, f"the colours span a range: {shade[0]} {shade[-1]}")
    # 0 (#eef1f4) and n/a (dashed, white) differ from the lightest rate colour
    check("table.hm td.z{background:#eef1f4" in page and "td.na{background:#fff" in page,
          "0 and n/a have colours of their own")


@suite.test
def scale_shows_small_rates(ctx):
    _, page = render(ctx, "f3.html", *ctx["paths"])
    svg = re.search(r'<svg[^>]*aria-label="rates with 95% intervals">(.*?)</svg>', page, re.S)
    check(svg, "no rate chart")
    svg = svg.group(1)
    zero = float(re.search(r'<text x="([\d.]+)"[^>]*>0%</text>', svg).group(1))
    ticks = {float(v): float(x) for x, v in
             re.findall(r'<text x="([\d.]+)" y="[\d.]+" font-size="10" text-anchor="middle">([\d.]+)%</text>', svg)}
    check(0.5 in ticks and ticks[0.5] - zero >= 40, f"0.5% is {ticks.get(0.5, 0) - zero:.0f} px from 0")
    dots = re.findall(r'<title>([^<]*)</title><path d="M([\d.]+) [\d.]+H([\d.]+)[^"]*"[^>]*/>'
                      r'<circle cx="([\d.]+)" cy="[\d.]+" r="3.5" fill="([^"]+)"', svg)
    check(len(dots) == 60, f"{len(dots)} dots")
    for title, xl, xh, cx, fill in dots:
        xl, xh, cx = float(xl), float(xh), float(cx)
        check(xl <= cx + 0.05 and cx <= xh + 0.05, f"{title}: error bar {xl} {cx} {xh}")
        k = int(re.search(r": (\d+) of", html.unescape(title)).group(1))
        if k:
            check(cx - zero >= 8, f"{title}: a non-zero rate {cx - zero:.1f} px from 0")
            check(fill != "#fff", f"{title}: filled")
        else:
            check(fill == "#fff" and abs(cx - zero) < 0.05, f"{title}: zero hollow at 0")
        check(xh - xl >= 3, f"{title}: interval {xh - xl:.1f} px wide")


@suite.test
def one_block_per_benchmark(ctx):
    _, page = render(ctx, "f3.html", *ctx["paths"])
    blocks = re.findall(r"<details class=\"b\"[^>]*>", page)
    check(len(blocks) == 20 and all(b == '<details class="b">' for b in blocks),
          f"{len(blocks)} collapsed benchmark blocks")
    check(page.count('aria-label="coverage histogram"') == 20, "one histogram per benchmark")
    check(page.count('aria-label="definitions side by side"') == 20, "definitions side by side")
    for name, _ in ctx["benches"][:3]:
        i = page.index("<summary><b>%s</b>" % html.escape(name))
        block = page[i:page.index("</details>", i)]
        for title in ("contaminated", "partial+", "GPT-3 (13-token span)", "PaLM (70% of 8-grams)", "Llama 2 dirty"):
            check(f"<th>{title}</th>" in block, f"{name}: {title} side by side")
        bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="([\d.]+)" fill="#',
                          block)
        check(bars and all(float(h) >= 4 or float(h) == 0 for _, h in bars),
              f"{name}: histogram bars of 1-3 px")


@suite.test
def evidence_with_documents(ctx):
    _, page = render(ctx, "all.html", *ctx["paths"], *ctx["extra"])
    check("<script" not in page, "the benchmark's <script> is escaped")
    part = page[page.index("<h2>Evidence</h2>"):]
    part = part[:part.index("<h2>Summary</h2>")]
    rows = re.findall(r"<tr><td class=\"l\">(.*?)</tr>", part, re.S)
    seen = {}
    for tr in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", "<td class=\"l\">" + tr, re.S)
        corpus, bench, rec, verdict, cov, doc, url, off, text = cells
        seen.setdefault(html.unescape(corpus), []).append((doc, url, off, text))
    check(len(seen) == 2 and len({html.unescape(re.match(r"(.*?)</td>", tr).group(1)) for tr in rows[:2]}) == 2,
          "the open evidence rows take the reports in turn")
    conf = json.load(open(ctx["extra"][0]))
    scan = json.load(open(ctx["extra"][1]))
    for rep, label in ((conf, "Web (confirm)"), (scan, None)):
        flagged = [e for e in rep["examples"] if e.get("provenance")]
        check(flagged, f"{label}: the report has provenance")
        if label is None:
            label = [k for k in seen if k != "Web (confirm)"][0]
        got = seen.get(label, [])
        check(len(got) == len(flagged), f"{label}: {len(got)} evidence rows of {len(flagged)}")
        for e, (doc, url, off, text) in zip(flagged, got):
            d = e["provenance"][0]
            check(html.unescape(url) == d["url"], f"{label}: url {url!r} vs {d['url']}")
            check(d["file"] in html.unescape(doc) and f"#{d['record']}" in doc, f"{label}: doc {doc!r}")
            check(off.startswith(str(d["offset"]) + "<br>"), f"{label}: offset {off!r} vs {d['offset']}")
            if e.get("evidence"):
                check("&lt;script&gt;" in text or "&lt;" not in html.unescape(text),
                      f"escaped text {text[:80]!r}")
    check("&lt;script&gt;x&lt;/script&gt;" in part, "the matched text is shown, escaped")


@suite.test
def no_external_requests(ctx):
    for name, args in (("f3.html", ctx["paths"]), ("all.html", ctx["paths"] + ctx["extra"])):
        _, page = render(ctx, name, *args)
        check(not re.search(r"""\b(src|href|action|poster|data)\s*=\s*["']?\s*(https?:)?//""", page, re.I),
              f"{name}: an external src/href")
        check(not re.search(r"<(script|link|img|iframe|object|embed)\b|@import|url\(", page, re.I),
              f"{name}: scripts, links, images or CSS fetches")


@suite.test
def long_labels_stay_inside(ctx):
    """Three long corpus labels: every chart's legend is cut to fit its
    SVG (about 7 px a byte, as it is laid out), never clipped at its edge,
    and the whole label is still in the heatmap header; the per-benchmark
    table lets the corpus cell wrap (class pb)."""
    labels = ["Common Crawl 2019-30/2020-34/2024-22", "C4 en (sample+planted, 2019-04)",
              "Wikipedia en 2017 (enwiki pages-articles1)"]
    d = os.path.join(ctx["tmp"], "long")
    os.makedirs(d, exist_ok=True)
    paths = []
    for c, label in enumerate(labels):
        p = os.path.join(d, f"l{c}.json")
        json.dump(report_fixtures.report(label, f"/x/l{c}.cidx", [("gsm8k", 1319), ("mmlu", 14042)],
                                         seed=c), open(p, "w"))
        paths.append(p)
    _, page = render(ctx, "long.html", *paths)
    hm = page[page.index('<table class="hm"'):]
    hm = hm[:hm.index("</tr>")]
    for label in labels:
        check(html.escape(label, quote=False) in hm, f"{label} whole in the heatmap header")
    svgs = re.findall(r'<svg [^>]*width="(\d+)"[^>]*>(.*?)</svg>', page, re.S)
    check(len(svgs) >= 5, f"charts: {len(svgs)}")
    cut = 0
    for width, body in svgs:
        for x, text in re.findall(r'<text x="([\d.]+)" y="14.0" font-size="11">(.*?)</text>', body):
            shown = html.unescape(text)
            check(float(x) + 7 * (len(shown.encode()) - (2 if shown.endswith("\u2026") else 0))
                  <= int(width) + 1, f"legend {shown!r} at x={x} runs past {width} px")
            cut += shown.endswith("\u2026")
    check(cut > 0, "some legend label was cut")
    check(page.count('<table class="pb">') == 2, "per-benchmark tables wrap the corpus cell")


def png_content_height(path):
    """Rows of a PNG down to its last non-white one (RGB or RGBA)."""
    d = open(path, "rb").read()
    check(d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG")
    i, idat = 8, b""
    while i < len(d):
        n, t = struct.unpack(">I4s", d[i:i + 8])
        c = d[i + 8:i + 8 + n]
        if t == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", c[:10])
        elif t == b"IDAT":
            idat += c
        i += 12 + n
    check(depth == 8 and ctype in (2, 6), f"PNG type {ctype}/{depth}")
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    prev, last, p = bytearray(stride), 0, 0
    for y in range(h):
        f, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        if f == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif f == 2:
            for x in range(stride):
                line[x] = (line[x] + prev[x]) & 255
        elif f == 3:
            for x in range(stride):
                line[x] = (line[x] + ((line[x - bpp] if x >= bpp else 0) + prev[x]) // 2) & 255
        elif f == 4:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b, c = prev[x], prev[x - bpp] if x >= bpp else 0
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if line.count(255) != stride:
            last = y + 1
        prev = line
    return last, h


def chromium(ctx, page, *args):
    exe = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    profile = tempfile.mkdtemp(prefix="contam-chromium-")
    try:
        p = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu",
                            "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", "--no-first-run", "--hide-scrollbars",
                            f"--user-data-dir={profile}", *args, "file://" + page],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return p


@suite.test
def renders_in_chromium(ctx):
    if not (shutil.which("chromium") or os.path.exists("/usr/bin/chromium")):
        return "skip"
    for name, args, ncells, bound in (("f3.html", ctx["paths"], 60, HEIGHT_3),
                                      ("all.html", ctx["paths"] + ctx["extra"], 105, HEIGHT_5)):
        page, _ = render(ctx, name, *args)
        dom = chromium(ctx, page, "--dump-dom")
        out = dom.stdout.decode("utf-8", "replace")
        check(dom.returncode == 0 and "</html>" in out, f"{name}: no DOM: {dom.stderr[-400:]!r}")
        hm = out[out.index('<table class="hm"'):]
        hm = hm[:hm.index("</table>")]
        check(len(re.findall(r'<td class="hm', hm)) == ncells, f"{name}: DOM heatmap cells")
        png = os.path.join(ctx["tmp"], name + ".png")
        p = chromium(ctx, page, f"--screenshot={png}", f"--window-size=1280,{bound + 400}")
        check(os.path.exists(png), f"{name}: no screenshot: {p.stderr[-400:]!r}")
        height, total = png_content_height(png)
        suite.note(f"{name}: content {height} px tall at 1280 px (bound {bound})")
        check(300 < height <= bound, f"{name}: page {height} px tall, bound {bound}")


if __name__ == "__main__":
    sys.exit(suite.run(setup))
