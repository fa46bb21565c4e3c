#!/usr/bin/env python3
"""test_html_text.py -- WARC responses holding HTML are indexed as their
visible text (src/lib/reader/html_text.c), so that words broken by inline
markup are found and markup is not.

  - the Dolma paragraph "When not in front of a screen, I enjoy <a
    href=...>brewing espresso</a>, ..." probes contaminated against an
    index of sample-0000.warc.gz (it probed clean when markup was
    indexed), and so does every <p> with inline tags of the two Dolma
    WARCs (their visible text by contam_ref.html_text, the html.parser
    oracle);
  - a generated WARC: a benchmark item split by inline tags in a
    text/html response is contaminated; words only in an href, a
    <script>, a <style> or a comment are not; the same markup in a
    text/plain response is still read raw;
  - entities: "it&#8217;s caf&eacute;" is found as "it's café";
  - windows-1252 payloads (charset=iso-8859-1) are transcoded;
  - scan: the region's byte offsets are offsets into the extracted text
    (the reference's text[start:end] is the item); scan --purify cut
    drops such a record whole with its reason, drop mode drops it.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import SHARED, Suite, check, contam  # noqa: E402
import contam_ref as ref  # noqa: E402

S = Suite("test_html_text")
DOLMA = os.path.join(SHARED, "corpus", "dolma_tests")
WARCS = [os.path.join(DOLMA, "sample-000%d.warc.gz" % i) for i in (0, 1)]

ITEM = ("the quick violet heron paddled across seven silent lakes before dawn "
        "every single morning of winter")
ITEM_HTML = ("the quick <b>vio</b>let heron <a href=\"http://x.example/yak-fandango-"
             "octopus-gravel-lantern-pumice-walrus-ochre-tundra-biscuit\">paddled "
             "across</a> <span class='a>b'>seven silent</span> lakes <em>before</em> "
             "dawn every single <i>morning</i> of winter")
HREF = "yak fandango octopus gravel lantern pumice walrus ochre tundra biscuit"
SCRIPT = "marmalade xylophone quokka saffron ziggurat turnip flamingo cobalt harp moss"
STYLE = "crimson lobster waffle pelican mango sprocket velvet anchor onion tulip"
COMMENT = "glacier pretzel mongoose vinyl thimble parsnip bagpipe cactus ferret plum"
PLAIN = "nimble otter juggles bright copper kettles under the old stone bridge today"
ENT = ("it&#8217;s a caf&eacute; where the baristas pour seventeen shots &amp; "
       "sing loudly to every customer")
ENT_TEXT = ("it\u2019s a caf\u00e9 where the baristas pour seventeen shots & "
            "sing loudly to every customer")
L1 = "na\xefve fa\xe7ade r\xe9sum\xe9 \x93quoted\x94 words travel through the archive"
L1_TEXT = "na\u00efve fa\u00e7ade r\u00e9sum\u00e9 \u201cquoted\u201d words travel through the archive"


def response(payload, ctype, uri):
    http = b"HTTP/1.1 200 OK\r\n"
    if ctype is not None:
        http += b"Content-Type: " + ctype.encode() + b"\r\n"
    http += b"\r\n" + payload
    return (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: " + uri.encode() +
            b"\r\nWARC-Record-ID: <urn:uuid:" + uri.encode() + b">\r\n"
            b"Content-Type: application/http; msgtype=response\r\nContent-Length: " +
            str(len(http)).encode() + b"\r\n\r\n" + http + b"\r\n\r\n")


def write_bench(path, texts):
    with open(path, "w") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": str(i), "text": t}) + "\n")


def probe(idx, bench):
    r = contam("probe", idx, "--field", "text", "--id-field", "id", bench).expect(0)
    return {e["id"]: e["verdict"] for e in r.json()["examples"]}


def setup(tmp):
    page = ("<!DOCTYPE html><html><head><title>A page</title>"
            "<style>p { color: red } /* %s */</style>"
            "<script>var s = \"<p>%s</p>\";</script></head><body>"
            "<!-- %s --><div><p>%s</p><p>%s</p></div></body></html>"
            % (STYLE, SCRIPT, COMMENT, ITEM_HTML, ENT))
    plain = "<p>%s <a href=x>%s</a></p>" % (PLAIN[:30], PLAIN[30:])
    warc = (response(page.encode(), "text/html; charset=UTF-8", "http://a.example/") +
            response(plain.encode(), "text/plain", "http://b.example/") +
            response(("<html><p>" + L1 + "</p>").encode("latin-1"),
                     "text/html; charset=ISO-8859-1", "http://c.example/") +
            response(("<html><body><p>" + ITEM_HTML.replace("heron", "egret") +
                      "</p>").encode(), None, "http://d.example/"))
    path = os.path.join(tmp, "gen.warc")
    with open(path, "wb") as f:
        f.write(warc)
    idx = os.path.join(tmp, "gen.cidx")
    contam("index", "-q", "-t", "1", "-o", idx, path).expect(0)
    return {"tmp": tmp, "warc": path, "idx": idx}


@S.test
def generated_inline_item_found(c):
    bench = os.path.join(c["tmp"], "b1.jsonl")
    texts = [ITEM, ENT_TEXT, L1_TEXT, ITEM.replace("heron", "egret"), HREF, SCRIPT,
             STYLE, COMMENT, "<p>" + PLAIN[:30] + " <a href=x>" + PLAIN[30:]]
    write_bench(bench, texts)
    v = probe(c["idx"], bench)
    check(v["0"] == "contaminated", f"item split by inline tags: {v['0']}")
    check(v["1"] == "contaminated", f"entities not decoded: {v['1']}")
    check(v["2"] == "contaminated", f"windows-1252 not transcoded: {v['2']}")
    check(v["3"] == "contaminated", f"HTML without Content-Type not sniffed: {v['3']}")
    for k, what in (("4", "href"), ("5", "script"), ("6", "style"), ("7", "comment")):
        check(v[k] == "clean", f"{what} words indexed: {v[k]}")
    # text/plain responses are read as they are, markup included
    check(v["8"] == "contaminated", f"text/plain response not read raw: {v['8']}")


@S.test
def index_matches_reference(c):
    docs = list(ref.read_documents(c["warc"]))
    check(len(docs) == 4, f"reference documents: {len(docs)}")
    # n-grams inserted: every 8-gram of every document
    want = sum(len(ref.ngram_keys(ref.tokenize(d))) for d in docs)
    j = contam("info", "--json", c["idx"]).expect(0).json()
    check(j["ngrams_inserted"] == want and j["documents"] == 4,
          f"index: {j['ngrams_inserted']} n-grams, {j['documents']} documents; "
          f"reference {want}, 4")
    # the reference's text holds none of the markup words
    alltext = b"\n".join(docs[:1] + docs[2:]).decode()  # docs[1]: text/plain
    for w in ("fandango", "xylophone", "lobster", "mongoose", "href"):
        check(w not in alltext, f"reference text holds {w!r}")
    check(ITEM in alltext, "reference text lacks the item")


@S.test
def scan_offsets_and_purify(c):
    bench = os.path.join(c["tmp"], "b2.jsonl")
    write_bench(bench, [ITEM])
    hits = os.path.join(c["tmp"], "hits.jsonl")
    pur = os.path.join(c["tmp"], "pur")
    contam("scan", "-q", "--bench", bench, "-o", hits, "--purify", pur,
           "--purify-mode", "cut", c["warc"]).expect(0)
    recs = [json.loads(x) for x in open(hits)]
    first = [r for r in recs if r["url"] == "http://a.example/"]
    check(len(first) == 1, f"hit records for the HTML page: {len(recs)}")
    text = list(ref.read_documents(c["warc"]))[0]
    reg = first[0]["regions"][0]
    got = text[reg["start"]:reg["end"]].decode()
    check(got == ITEM, f"region offsets are not extracted-text offsets: {got!r}")
    check(first[0]["doc_bytes"] == len(text),
          f"doc_bytes {first[0]['doc_bytes']} != extracted text {len(text)}")
    man = [json.loads(x) for x in open(os.path.join(pur, "purify-manifest.jsonl"))]
    m = [x for x in man if x["url"] == "http://a.example/"]
    check(len(m) == 1 and m[0]["action"] == "drop" and "cannot be cut" in m[0]["reason"],
          f"cut mode on an HTML response: {m}")
    out = open(m[0]["output"], "rb").read()
    check(b"http://a.example/" not in out and b"http://b.example/" in out,
          "purified copy: HTML record not dropped whole, or others lost")
    pur2 = os.path.join(c["tmp"], "pur2")
    contam("scan", "-q", "--bench", bench, "-o", hits + "2", "--purify", pur2,
           c["warc"]).expect(0)
    man = [json.loads(x) for x in open(os.path.join(pur2, "purify-manifest.jsonl"))]
    check(any(x["url"] == "http://a.example/" and x["action"] == "drop" for x in man),
          f"drop mode manifest: {man}")
    out = open(man[0]["output"], "rb").read()
    check(b"http://a.example/" not in out and b"http://c.example/" in out,
          "drop mode: HTML record not dropped")


@S.test
def dolma_paragraph(c):
    if not os.path.exists(WARCS[0]):
        return "skip"
    idx = os.path.join(c["tmp"], "dolma0.cidx")
    contam("index", "-q", "-o", idx, WARCS[0]).expect(0)
    bench = os.path.join(c["tmp"], "dolma_p.jsonl")
    write_bench(bench, ["When not in front of a screen, I enjoy brewing espresso, "
                        "going on runs, dreaming about utopian mass transit systems, "
                        "and curating my ever-growing laptop stickers collection."])
    v = probe(idx, bench)
    check(v["0"] == "contaminated", f"the Dolma paragraph probes {v['0']}")


BITS = ["<p>", "</p>", "<b>", "</b>", "<a href=\"x>y\">", "</a>", "<br/>", "<div class='c'>",
        "</div>", "<script>var a = '<p>' + 1 < 2;</script>", "<style>p{}</style>",
        "<!-- c <p> -->", "&amp;", "&#8217;", "&#x41;", "&eacute;", "&nbsp;", "&unknown;",
        "word", "alpha", "beta", " ", "\n", "caf\u00e9", "<noscript>ns <b>x</b></noscript>",
        "<svg><g>s</g></svg>", "<title>tt</title>", "<head>", "</head>", "<body>",
        "<![CDATA[cd]]>", "1 < 2", "AT&T", "<span>", "</span>", "<img src=a.png alt='q'>",
        "<li>", "<td>", "&copy", "&#0;", "<template>t</template>"]


@S.test
def random_markup_matches_reference(c):
    """Random pages from markup pieces: the index holds as many n-grams
    as the html.parser reference finds."""
    import random
    rnd = random.Random(12)
    recs = []
    for k in range(300):
        page = "".join(rnd.choice(BITS) for _ in range(rnd.randint(1, 120)))
        recs.append(response(page.encode(), "text/html", "http://r.example/%d" % k))
    path = os.path.join(c["tmp"], "rnd.warc")
    with open(path, "wb") as f:
        f.write(b"".join(recs))
    idx = os.path.join(c["tmp"], "rnd.cidx")
    contam("index", "-q", "-o", idx, path).expect(0)
    docs = list(ref.read_documents(path))
    want = sum(len(ref.ngram_keys(ref.tokenize(d))) for d in docs)
    j = contam("info", "--json", idx).expect(0).json()
    check(len(docs) == 300 and j["documents"] == 300, f"documents {j['documents']}")
    check(j["ngrams_inserted"] == want,
          f"index {j['ngrams_inserted']} n-grams, reference {want}")


REAL_WARCS = ["dolma_tests/sample-0000.warc.gz", "dolma_tests/sample-0001.warc.gz",
              "commoncrawl_resiliparse_tests/warcfile.warc.gz",
              "commoncrawl_resiliparse_tests/clueweb-quirk.warc.gz",
              "commoncrawl_whirlwind/whirlwind.warc.gz"]


@S.test
def real_warcs_match_reference(c):
    """The real WARCs (HTML responses): contam indexes exactly the
    n-grams the html.parser reference reads, document for document."""
    paths = [os.path.join(SHARED, "corpus", p) for p in REAL_WARCS]
    paths = [p for p in paths if os.path.exists(p)]
    if not paths:
        return "skip"
    for p in paths:
        idx = os.path.join(c["tmp"], "real.cidx")
        contam("index", "-q", "-o", idx, p).expect(0)
        j = contam("info", "--json", idx).expect(0).json()
        docs = list(ref.read_documents(p))
        want = sum(len(ref.ngram_keys(ref.tokenize(d))) for d in docs)
        check(j["documents"] == len(docs) and j["ngrams_inserted"] == want,
              f"{p}: contam {j['documents']} documents, {j['ngrams_inserted']} n-grams; "
              f"reference {len(docs)}, {want}")


INLINE = re.compile(rb"<(a|b|i|em|strong|span|code|small|sup|sub|font|abbr)[\s>]", re.I)


@S.test
def dolma_inline_paragraphs(c):
    if not all(os.path.exists(w) for w in WARCS):
        return "skip"
    texts = []
    for w in WARCS:
        data = ref.decompress(open(w, "rb").read())
        for m in re.finditer(rb"<p[\s>].*?</p>", data, re.S | re.I):
            frag = m.group(0)
            if INLINE.search(frag[2:]):
                t = ref.html_text(frag).decode("utf-8", "replace").strip()
                if t:
                    texts.append(t)
    check(len(texts) >= 200, f"only {len(texts)} paragraphs with inline tags")
    idx = os.path.join(c["tmp"], "dolma.cidx")
    contam("index", "-q", "-o", idx, *WARCS).expect(0)
    bench = os.path.join(c["tmp"], "dolma_inline.jsonl")
    write_bench(bench, texts)
    v = probe(idx, bench)
    scored = [k for k, x in v.items() if x != "too_short"]
    bad = [texts[int(k)][:80] for k in scored if v[k] != "contaminated"]
    S.note(f"{len(scored) - len(bad)} of {len(scored)} scored Dolma paragraphs with "
           f"inline tags contaminated ({len(texts)} in all)")
    check(not bad, f"{len(bad)} paragraphs not contaminated, e.g. {bad[:3]}")


if __name__ == "__main__":
    sys.exit(S.run(setup))
