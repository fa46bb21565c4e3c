"""contam_ref.py -- a pure-Python reference for contam's tokenizer and metrics.

Used by the CLI tests to compute *exact* expected metrics: the corpus
n-grams go into a Python set (no false positives), the benchmark example is
tokenized the same way, and hits / overlap / longest / coverage / verdict
are computed as docs/SCORING.md defines them.

Tokenizer (recipe nfkc-casefold-alnum-cjk/v1 as specified):
  bytes -> UTF-8 with repair (invalid bytes -> U+FFFD) -> NFKC -> casefold
  (-> NFKC again, so that case folding cannot leave a non-NFC string) ->
  every code point that is not a letter (L*) or number (N*) separates
  tokens -> each CJK ideograph / kana is a token by itself.
Pure ASCII text takes a fast path (lowercase + [a-z0-9]+), which is the
same thing on ASCII.

Corpus readers (enough for the generated formats and the shared samples):
  WARC/WET (plain/.gz/.zst; conversion + resource records, and response
  records with a text payload, HTTP headers stripped; an HTML payload is
  reduced to its visible text by html_text(), the rule of html_text.c), JSONL (.jsonl,
  .json, .ndjson, plain/.gz/.zst; field "text"), tar / zip archives (each
  member read as the kind its name says), and plain text (one file = one
  document).  Only the stdlib is used; .zst goes through `zstd -dc`.
"""
import io
import json
import os
import re
import subprocess
import tarfile
import unicodedata
import zipfile
import zlib

NGRAM = 8
MIN_SPAN = 10

# CJK ideographs and kana: each one is a token (after NFKC + casefold).
CJK_RANGES = [
    (0x3005, 0x3007),    # iteration mark, closing mark, ideographic zero
    (0x3021, 0x3029),    # Hangzhou numerals
    (0x3040, 0x309F),    # Hiragana
    (0x30A0, 0x30FF),    # Katakana
    (0x31F0, 0x31FF),    # Katakana phonetic extensions
    (0x3400, 0x4DBF),    # CJK unified ideographs extension A
    (0x4E00, 0x9FFF),    # CJK unified ideographs
    (0xF900, 0xFAFF),    # CJK compatibility ideographs
    (0xFF66, 0xFF9F),    # halfwidth katakana (NFKC maps them anyway)
    (0x1B000, 0x1B16F),  # kana supplement / extended-A
    (0x20000, 0x3FFFF),  # extensions B.. and the tertiary plane
]
_CJK_CLASS = "".join("\\U%08x-\\U%08x" % r for r in CJK_RANGES)
# a CJK char that is a word char, or a run of word chars that are not CJK;
# [^\W_] = str.isalnum() chars = categories L* and N* (and a few CJK
# ideographs with a numeric value, which are Lo anyway)
_TOKEN_RE = re.compile("(?:(?=[^\\W_])[" + _CJK_CLASS + "])|[^\\W_" + _CJK_CLASS + "]+")
_ASCII_RE = re.compile(r"[a-z0-9]+")


def normalize(text):
    t = unicodedata.normalize("NFKC", text).casefold()
    return unicodedata.normalize("NFKC", t)


def tokenize(text):
    """Tokens of a str or bytes (bytes: UTF-8 with repair)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    if text.isascii():
        return _ASCII_RE.findall(text.lower())
    return _TOKEN_RE.findall(normalize(text))


def is_cjk(ch):
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in CJK_RANGES)


def tokenize_slow(text):
    """The same recipe written out char by char (to cross-check the regex)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    out, cur = [], []
    for ch in normalize(text):
        if unicodedata.category(ch)[0] not in "LN":
            if cur:
                out.append("".join(cur))
                cur = []
        elif is_cjk(ch):
            if cur:
                out.append("".join(cur))
                cur = []
            out.append(ch)
        else:
            cur.append(ch)
    if cur:
        out.append("".join(cur))
    return out


def ngram_keys(tokens, n=NGRAM):
    """Hashable keys of the n-grams of a token list (Python hashes of the
    tuples: collisions among a few million keys are negligible)."""
    return [hash(tuple(tokens[i:i + n])) for i in range(len(tokens) - n + 1)]


# ---------------------------------------------------------------------------
# Metrics

def score(tokens, corpus, n=NGRAM, min_span=MIN_SPAN):
    """Metrics of one example given the exact set of corpus n-gram keys."""
    T = len(tokens)
    r = {"tokens": T, "ngrams": max(0, T - n + 1), "hits": 0, "longest": 0,
         "covered": 0, "overlap": 0.0, "coverage": 0.0}
    if T < n:
        r["verdict"] = "too_short"
        return r
    hit = [k in corpus for k in ngram_keys(tokens, n)]
    G = len(hit)
    need = min(min_span, T)
    covered = [False] * T
    i = 0
    while i < G:
        if not hit[i]:
            i += 1
            continue
        j = i
        while j < G and hit[j]:
            j += 1
        span = j - i + n - 1
        r["hits"] += j - i
        r["longest"] = max(r["longest"], span)
        if span >= need:
            for k in range(i, j - 1 + n):
                covered[k] = True
        i = j
    r["covered"] = sum(covered)
    r["overlap"] = r["hits"] / G if G else 0.0
    r["coverage"] = r["covered"] / T
    r["verdict"] = verdict(r["coverage"])
    return r


# Per-field scoring (docs/SCORING.md), written from the rules of the README
# ("Scoring rules"), not from the C: a choice label at a value's start or
# a line's start is dropped, and a labelled line is a piece of its own, as
# each value is; n-grams run over all the tokens in order; a run of hits
# counts only when it has tokens of a piece of >= n tokens (unless no
# piece has n tokens), and then when it weighs min(min_span, example)
# words (CJK characters count 1/cjk of a word), or holds the main piece
# (the first of n tokens) whole and that has n + 2 tokens, or holds any
# piece of n + 2 tokens whole within n tokens of a counted run; a counted
# run covers all its tokens.  GPT-3 and Llama 2 take no whole pieces.
CJK_CHARS_PER_WORD = 3
_LABEL_RE = re.compile(r"[ \t]*(?:\((?:[0-9]{1,2}|[ivxIVX]{1,4}|[A-Za-z])\)"
                       r"|\[(?:[0-9]{1,2}|[ivxIVX]{1,4}|[A-Za-z])\]"
                       r"|(?:[0-9]{1,2}|[ivxIVX]{1,4}|[A-Za-z])[.):])"
                       r"(?=[ \t\r\n]|\Z)")


def label_len(s):
    m = _LABEL_RE.match(s)
    return m.end() if m else 0


def value_pieces(v, keep=False):
    """The pieces (strings) of one field value: a line that opens with a
    label starts a piece; keep: the label's bytes stay in it."""
    out = []
    p = 0 if keep else label_len(v)
    while True:
        cut = None
        q = v.find("\n", p)
        while q >= 0:
            l = label_len(v[q + 1:])
            if l:
                cut = (q, q + 1 if keep else q + 1 + l)
                break
            q = v.find("\n", q + 1)
        if cut is None:
            out.append(v[p:])
            return out
        out.append(v[p:cut[0]])
        p = cut[1]


def has_labels(values, joined=False):
    if joined:
        values = ["\n".join(values)]
    return any(label_len(v) or any(label_len(l) for l in v.split("\n")[1:])
               for v in values)


def token_weight(tok, cjk):
    return 1 if len(tok) == 1 and is_cjk(tok) else cjk


def field_ngrams(values, n=NGRAM, keep=False, joined=False):
    """(tokens, [(first token, key)], [(piece start, end)]) of an example,
    read with its labels dropped, or kept as tokens."""
    if joined:
        values = ["\n".join(values)]
    tokens, bounds = [], []
    for v in values:
        for p in value_pieces(v, keep):
            toks = tokenize(p)
            bounds.append((len(tokens), len(tokens) + len(toks)))
            tokens.extend(toks)
    grams = [(i, hash(tuple(tokens[i:i + n]))) for i in range(len(tokens) - n + 1)]
    return tokens, grams, bounds


def _better(a, b):
    """Whether reading a scored better than reading b (probe_item.c)."""
    if a["verdict"] == "too_short":
        return False
    if b["verdict"] == "too_short":
        return True
    for k in ("coverage", "covered10", "gpt3", "palm"):
        x, y = a[k], b[k]
        if k == "covered10":
            x, y = x / a["tokens"] if a["tokens"] else 0, y / b["tokens"] if b["tokens"] else 0
        if x != y:
            return x > y
    return False


def score_fields(values, corpus, n=NGRAM, min_span=MIN_SPAN,
                 cjk=CJK_CHARS_PER_WORD, labels="either", templates=(), joined=False):
    """Metrics of one example of several field values (see above).
    labels: "either" reads an example with labels both ways, dropped and
    kept as tokens, and keeps the better score (labels_kept says which);
    "dropped" or "kept" reads it one way (True/False: either/kept)."""
    if labels is True:
        labels = "either"
    elif labels is False:
        labels = "kept"
    r = _score_reading(values, corpus, n, min_span, cjk, labels == "kept",
                       templates, joined)
    r["labels_kept"] = r["labels_added"] = False
    if labels == "either" and has_labels(values, joined):
        k = _score_reading(values, corpus, n, min_span, cjk, True, templates, joined)
        if _better(k, r):
            r = k
            r["labels_kept"], r["labels_added"] = True, False
    elif labels == "either" and not joined:
        lo, hi = option_values(values)
        if hi - lo >= 2:
            added = [f"{chr(97 + i - lo)} {v}" if lo <= i < hi and i - lo < 26 else v
                     for i, v in enumerate(values)]
            k = _score_reading(added, corpus, n, min_span, cjk, True, templates, joined)
            if _better(k, r):
                r = k
                r["labels_kept"], r["labels_added"] = False, True
    return r


def option_values(values):
    """[lo, hi) of the values a copy would label "A.", "B.", ...: after
    the question (the first value that is not an id: digits or blank)
    and before a last value that is an answer key (one letter or digit,
    or two digits); (0, 0) for fewer than three values."""
    if len(values) < 3:
        return 0, 0
    q = 0
    while q + 1 < len(values) and re.fullmatch(r"[0-9 \t]*", values[q]):
        q += 1
    lo, hi = q + 1, len(values)
    key = values[-1].lstrip(" \t").rstrip(" \t\r")
    if re.fullmatch(r"[A-Za-z0-9]|[0-9]{2}", key) and len(values) - 1 > lo:
        hi = len(values) - 1
    return lo, hi


def _score_reading(values, corpus, n, min_span, cjk, keep, templates, joined):
    tokens, grams, bounds = field_ngrams(values, n, keep, joined)
    counted = [(f, k) for f, k in grams if k not in templates]
    scored = set()
    for f, _ in counted:
        scored.update(range(f, f + n))
    T = len(scored)
    W = sum(token_weight(tokens[t], cjk) for t in scored)
    r = {"tokens": T if counted else len(tokens), "ngrams": len(counted),
         "hits": 0, "longest": 0, "covered": 0, "covered10": 0,
         "overlap": 0.0, "coverage": 0.0, "gpt3": False, "palm": False,
         "template_ngrams": len(grams) - len(counted)}
    if not counted:
        r["verdict"] = "too_short"
        return r
    state = {f: (k in corpus) for f, k in counted}
    need = min(min_span * cjk, W)
    need10, need13 = min(10 * cjk, W), min(13 * cjk, W)
    cov, cov10 = set(), set()
    firsts = [f for f, _ in counted]
    long_piece = any(pb - pa >= n for pa, pb in bounds)
    main = next((k for k, (pa, pb) in enumerate(bounds) if pb - pa >= n), -1)
    runs = []   # dicts: a, b, hits, w, anchored, whole_main, whole_any
    i = 0
    while i < len(firsts):
        if not state[firsts[i]]:
            i += 1
            continue
        j = i + 1
        while j < len(firsts) and state[firsts[j]] and firsts[j] == firsts[j - 1] + 1:
            j += 1
        a, b = firsts[i], firsts[j - 1] + n
        u = {"a": a, "b": b, "hits": j - i, "anchored": not long_piece,
             "whole_main": False, "whole_any": False,
             "w": sum(token_weight(tokens[t], cjk) for t in range(a, b))}
        for k, (pa, pb) in enumerate(bounds):
            if pb <= a or pa >= b:
                continue
            u["anchored"] |= pb - pa >= n
            if a <= pa and pb <= b and pb - pa >= n + 1:
                u["whole_any"] = True
                u["whole_main"] |= k == main
        runs.append(u)
        i = j
    # a run within n tokens of an anchored one (an edited word) is anchored
    for k in range(1, len(runs)):
        if runs[k - 1]["anchored"] and runs[k]["a"] - runs[k - 1]["b"] < n:
            runs[k]["anchored"] = True
    for k in range(len(runs) - 1, 0, -1):
        if runs[k]["anchored"] and runs[k]["a"] - runs[k - 1]["b"] < n:
            runs[k - 1]["anchored"] = True
    for u in runs:
        u["counted"] = u["anchored"] and (u["w"] >= need or u["whole_main"])
    # a whole piece carried on within n tokens of a counted run counts
    for k in range(1, len(runs)):
        u = runs[k]
        if not u["counted"] and u["anchored"] and u["whole_any"] and \
                runs[k - 1]["counted"] and u["a"] - runs[k - 1]["b"] < n:
            u["counted"] = True
    for k in range(len(runs) - 1, 0, -1):
        u = runs[k - 1]
        if not u["counted"] and u["anchored"] and u["whole_any"] and \
                runs[k]["counted"] and runs[k]["a"] - u["b"] < n:
            u["counted"] = True
    for u in runs:
        r["hits"] += u["hits"]
        r["longest"] = max(r["longest"], u["b"] - u["a"])
        if u["counted"]:
            cov.update(range(u["a"], u["b"]))
        if u["anchored"] and u["w"] >= need10:
            cov10.update(range(u["a"], u["b"]))
        if u["anchored"] and u["w"] >= need13:
            r["gpt3"] = True
    r["covered"] = len(cov & scored)
    r["covered10"] = len(cov10 & scored)
    r["overlap"] = r["hits"] / len(counted)
    r["palm"] = n == 8 and r["hits"] >= 0.7 * len(counted)
    r["coverage"] = r["covered"] / T
    r["verdict"] = verdict(r["coverage"])
    if len(counted) < 2:   # one n-gram: what a false positive makes
        r["covered"], r["coverage"], r["verdict"] = 0, 0.0, "too_short"
    return r


def verdict(coverage):
    if coverage >= 0.8:
        return "contaminated"
    if coverage >= 0.2:
        return "partial"
    return "clean"


class NgramSet:
    """The exact set of n-grams of a corpus, built document by document
    (n-grams never cross a document boundary)."""

    def __init__(self, n=NGRAM, restrict=None):
        self.n = n
        self.keys = set()
        self.documents = 0
        self.restrict = restrict  # only keep keys in this set (memory)

    def add_document(self, text):
        self.documents += 1
        keys = ngram_keys(tokenize(text), self.n)
        if self.restrict is not None:
            keys = [k for k in keys if k in self.restrict]
        self.keys.update(keys)

    def add_path(self, path):
        for doc in read_documents(path):
            self.add_document(doc)

    def __contains__(self, k):
        return k in self.keys

    def score(self, text, min_span=MIN_SPAN):
        return score(tokenize(text), self.keys, self.n, min_span)

    def score_fields(self, values, min_span=MIN_SPAN, **kw):
        return score_fields(values, self.keys, self.n, min_span, **kw)


# ---------------------------------------------------------------------------
# Corpus readers: documents as bytes

def decompress(data, name=""):
    """gzip (any number of members), zstd (via the zstd CLI) or raw."""
    if data[:2] == b"\x1f\x8b":
        out = []
        while data[:2] == b"\x1f\x8b":
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out.append(d.decompress(data))
            data = d.unused_data
            if not d.eof:
                raise ValueError(f"{name}: truncated gzip member")
        return b"".join(out)
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return subprocess.run(["zstd", "-dc"], input=data, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, check=True).stdout
    return data


def kind_of(name):
    n = name.lower()
    for suf in (".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst", ".zip"):
        if n.endswith(suf):
            return "archive"
    for suf in (".warc", ".warc.gz", ".warc.zst", ".wet", ".wet.gz", ".wet.zst"):
        if n.endswith(suf):
            return "warc"
    for suf in (".jsonl", ".jsonl.gz", ".jsonl.zst", ".json", ".json.gz",
                ".json.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst"):
        if n.endswith(suf):
            return "jsonl"
    return "text"


# ---------------------------------------------------------------------------
# HTML payloads (WARC responses with text/html): the visible text, by the
# rule of src/lib/reader/html_text.c, on Python's html.parser (an
# independent implementation: the C side is a hand-written state machine).

import html.parser  # noqa: E402

HTML_BLOCK = set("""address article aside blockquote body br button caption
center dd details dialog dir div dl dt fieldset figcaption figure footer form
frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe input li
main menu nav ol optgroup option p pre section select summary table tbody td
textarea tfoot th thead title tr ul""".split())
HTML_SKIP = {"noscript", "template", "svg"}
HTML_HEAD_OK = set("base basefont bgsound head link meta noscript script style "
                   "template title html".split())
_LATIN1_NAMES = """nbsp iexcl cent pound curren yen brvbar sect uml copy ordf
laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1
ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring
AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde
Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute
THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute
ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml
divide oslash ugrave uacute ucirc uuml yacute thorn yuml""".split()
HTML_ENTITIES = {name: chr(0xA0 + i) for i, name in enumerate(_LATIN1_NAMES)}
HTML_ENTITIES.update({
    "amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'",
    "ndash": "\u2013", "mdash": "\u2014", "lsquo": "\u2018", "rsquo": "\u2019",
    "sbquo": "\u201a", "ldquo": "\u201c", "rdquo": "\u201d", "bdquo": "\u201e",
    "hellip": "\u2026", "bull": "\u2022", "trade": "\u2122", "euro": "\u20ac",
    "dagger": "\u2020", "Dagger": "\u2021", "lsaquo": "\u2039", "rsaquo": "\u203a",
    "thinsp": "\u2009", "ensp": "\u2002", "emsp": "\u2003", "zwnj": "\u200c",
    "zwj": "\u200d", "lrm": "\u200e", "rlm": "\u200f", "OElig": "\u0152",
    "oelig": "\u0153", "Scaron": "\u0160", "scaron": "\u0161", "Yuml": "\u0178",
    "fnof": "\u0192", "circ": "\u02c6", "tilde": "\u02dc",
})
_CP1252_NAMES = ("iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "windows-1252",
                 "cp1252", "x-cp1252", "us-ascii", "ascii")


def _cp1252_decode(data):
    out = []
    for b in data:
        if 0x80 <= b < 0xA0:
            try:
                out.append(bytes([b]).decode("cp1252"))
            except UnicodeDecodeError:
                out.append(chr(b))
        else:
            out.append(chr(b))
    return "".join(out)


class _HTMLText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out = []
        self.skip = None
        self.skip_depth = 0
        self.in_head = False
        self.in_title = False

    def visible(self):
        return self.skip is None and (not self.in_head or self.in_title)

    def emit(self, s):
        if self.visible():
            self.out.append(s)

    def tag(self, name, closing, selfclose):
        if self.skip is not None:
            if name == self.skip:
                if closing:
                    self.skip_depth -= 1
                    if self.skip_depth == 0:
                        self.skip = None
                elif not selfclose:
                    self.skip_depth += 1
            return
        was = self.visible()
        if not closing:
            if name in ("script", "style"):
                return
            if name in HTML_SKIP:
                if not selfclose:
                    self.skip, self.skip_depth = name, 1
                return
            if name == "head":
                self.in_head = True
            elif self.in_head and name not in HTML_HEAD_OK:
                self.in_head = False
            if name == "title":
                self.in_title = not selfclose
        else:
            if name == "head":
                self.in_head = False
            elif name == "title":
                self.in_title = False
        if (was or self.visible()) and name in HTML_BLOCK:
            self.out.append("\n")

    def handle_starttag(self, tag, attrs):
        self.tag(tag, False, False)

    def handle_startendtag(self, tag, attrs):
        self.tag(tag, False, True)

    def handle_endtag(self, tag):
        self.tag(tag, True, False)

    def handle_data(self, data):
        if self.cdata_elem is None:   # not inside <script> / <style>
            # text in a head (not its title) starts the body, as in a browser
            if (self.in_head and not self.in_title and self.skip is None
                    and data.strip(" \t\n\r\f")):
                self.in_head = False
                data = data.lstrip(" \t\n\r\f")
            self.emit(data)

    def handle_entityref(self, name):
        # an unknown name is kept as written, with its ';' if it had one
        # (getpos() is at the '&': the text is fed in one piece)
        v = HTML_ENTITIES.get(name)
        if v is None:
            line, col = self.getpos()
            at = self.line_starts[line - 1] + col + 1 + len(name)
            v = "&" + name + (";" if self.src[at:at + 1] == ";" else "")
        self.emit(v)

    def handle_charref(self, name):
        try:
            c = int(name[1:], 16) if name[:1] in "xX" else int(name)
        except ValueError:
            c = 0
        if c == 0 or c > 0x10FFFF or 0xD800 <= c <= 0xDFFF:
            c = 0xFFFD
        self.emit(chr(c))

    def unknown_decl(self, data):
        if data[:6].upper() == "CDATA[":
            self.emit(data[6:])


# labels read as another charset's superset, as browsers (and contam) do
_CHARSET_AS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "chinese": "gb18030",
               "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
               "windows-31j": "cp932", "ms_kanji": "cp932", "euc-kr": "cp949",
               "ks_c_5601-1987": "cp949", "korean": "cp949", "big5": "big5hkscs",
               "x-x-big5": "big5hkscs"}


def _decode_charset(payload, label):
    """A page in the charset `label` names, as contam reads it: transcoded
    (one U+FFFD per bad byte), or as UTF-8 bytes for UTF-8 and for a
    label no codec knows."""
    import codecs
    name = _CHARSET_AS.get(label, label)
    try:
        if codecs.lookup(name).name == "utf-8":
            raise LookupError
    except LookupError:
        return payload.decode("utf-8", errors="surrogateescape")
    dec = codecs.getincrementaldecoder(name)(errors="strict")
    out, i = [], 0
    while i < len(payload):  # a bad byte: U+FFFD, then on from the next
        try:
            out.append(dec.decode(payload[i:], final=True))
            break
        except UnicodeDecodeError as e:
            out.append(dec.decode(payload[i:i + e.start], final=True) if e.start else "")
            out.append("\ufffd")
            dec.reset()
            i += e.start + 1
    return "".join(out)


def is_utf8_text(head, whole):
    """A whole multibyte character and every byte >= 0x80 well-formed
    UTF-8 (unless whole, a sequence cut at the end allowed): what contam
    reads as UTF-8 whatever the label."""
    for cut in range(1 if whole else 4):
        try:
            return not head[:len(head) - cut].decode("utf-8").isascii()
        except UnicodeDecodeError:
            pass
    return False


def charset_text(payload, charset):
    """A payload's text as contam reads it: `charset` True (windows-1252),
    a label, or None/False (UTF-8); a labelled payload whose first 64 KiB
    are UTF-8 is read as UTF-8."""
    if charset and is_utf8_text(payload[:65536], len(payload) <= 65536):
        charset = None
    if charset is True:
        return _cp1252_full(payload)
    if isinstance(charset, str):
        return _decode_charset(payload, charset)
    return payload.decode("utf-8", errors="surrogateescape")


def _cp1252_full(payload):
    """windows-1252 as iconv reads it for plain text: its five undefined
    bytes are invalid (U+FFFD)."""
    return "".join("\ufffd" if b in (0x81, 0x8d, 0x8f, 0x90, 0x9d) else bytes([b]).decode("cp1252")
                   for b in payload)


def html_text(payload, cp1252=False):
    """The visible text of an HTML payload (bytes in, UTF-8 bytes out);
    cp1252: True (windows-1252), False / None (UTF-8) or another charset's
    label."""
    if cp1252 and is_utf8_text(payload[:65536], len(payload) <= 65536):
        cp1252 = None
    if cp1252 is True:
        text = _cp1252_decode(payload)
    elif isinstance(cp1252, str):
        text = _decode_charset(payload, cp1252)
    else:
        text = payload.decode("utf-8", errors="surrogateescape")
    p = _HTMLText()
    p.src = text
    p.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    # a sentinel NUL lets html.parser see the end of a last "&name",
    # which it would otherwise drop; it is taken off again
    p.feed(text + "\0")
    p.close()
    out = "".join(p.out)
    if out.endswith("\0"):
        out = out[:-1]
    return out.encode("utf-8", errors="surrogateescape")


def _charset(label):
    """True for windows-1252 (and the labels read as it), else the label."""
    return True if label in _CP1252_NAMES else label


def html_type(ctype):
    """(is_html, charset) of an HTTP Content-Type value; charset: True
    (windows-1252), another one's label, or None (not given)."""
    v = ctype.strip().lower()
    media = re.split(r"[;\s]", v, 1)[0]
    if media not in ("text/html", "application/xhtml+xml"):
        return False, None
    m = re.search(r"charset=[\"']?([^;\s\"']*)", v)
    return True, _charset(m.group(1)) if m else None


def meta_cp1252(payload):
    """The charset of the first <meta ... charset=X> of the payload's
    first 1024 bytes: True (windows-1252), another label, or False."""
    m = re.search(rb"<meta[^>]*?charset\s*=\s*[\"']?([^\"'\s;/>]*)", payload[:1024], re.I)
    if not m:
        return False
    label = m.group(1).decode("latin-1").lower()
    # a <meta> read as ASCII cannot be UTF-16/32: HTML reads it as UTF-8
    if label.startswith(("utf-16", "utf-32")) or label == "unicode":
        return False
    return _charset(label)


def payload_is_html(payload):
    p = payload[:64]
    if p.startswith(b"\xef\xbb\xbf"):
        p = p[3:]
    p = p.lstrip(b" \t\r\n").lower()
    return p.startswith(b"<!doctype html") or p.startswith(b"<html")


def http_dechunk(body):
    """A chunked HTTP body's data; a body that does not open with a chunk
    size line is returned as it is (de-chunked before it was archived)."""
    out, pos = b"", 0
    m = re.match(rb"[0-9a-fA-F]+[^\n]*\n", body)
    if not m:
        return body
    while True:
        m = re.match(rb"([0-9a-fA-F]+)[^\n]*\n", body[pos:])
        if not m:
            return out + body[pos:]
        size = int(m.group(1), 16)
        pos += m.end()
        if size == 0:
            return out
        out += body[pos:pos + size]
        pos += size
        while pos < len(body) and body[pos:pos + 1] == b"\r":
            pos += 1
        if body[pos:pos + 1] == b"\n":
            pos += 1


def http_decode(payload, coding):
    """The payload with its Content-Encoding undone (gzip members, zlib or
    raw deflate); as it is when it is not coded so."""
    coding = coding.strip().lower()
    if coding not in ("gzip", "x-gzip", "deflate"):
        return payload
    if coding != "deflate" and not payload.startswith(b"\x1f\x8b"):
        return payload
    out, rest = b"", payload
    try:
        while rest:
            wbits = 31 if coding != "deflate" else (
                15 if len(rest) >= 2 and rest[0] & 15 == 8 and (rest[0] * 256 + rest[1]) % 31 == 0
                else -15)
            d = zlib.decompressobj(wbits)
            out += d.decompress(rest)
            rest = d.unused_data if coding != "deflate" else b""
    except zlib.error:
        return out or payload
    return out


def http_is_text(media):
    return (media == "" or media.startswith("text/") or media.endswith("json") or
            media.endswith("xml") or
            (media.startswith("application/") and media.endswith("javascript")))


def warc_documents(data):
    """Bodies of the document records of a decompressed WARC stream."""
    pos, n = 0, len(data)
    while True:
        start = data.find(b"WARC/", pos)
        if start < 0:
            return
        end = data.find(b"\r\n\r\n", start)
        if end < 0:
            return
        headers = {}
        for line in data[start:end].split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
        length = int(headers.get("content-length", "0"))
        body = data[end + 4:end + 4 + length]
        pos = end + 4 + length
        rtype = headers.get("warc-type", "")
        if rtype in ("conversion", "resource"):
            yield body
        elif rtype == "response":
            ctype = headers.get("content-type", "")
            if "application/http" in ctype:
                # HTTP headers end at an empty line (CRLF or, as in some
                # ClueWeb records, bare LF)
                m_end = re.search(rb"\r?\n\r?\n", body)
                if not m_end:
                    continue
                http = body[:m_end.start()].lower()
                m = re.search(rb"\ncontent-type:[ \t]*([^\r\n]*)", http)
                payload = body[m_end.end():]
                te = re.search(rb"\ntransfer-encoding:[ \t]*([^\r\n]*)", http)
                ce = re.search(rb"\ncontent-encoding:[ \t]*([^\r\n]*)", http)
                if te and te.group(1).strip().endswith(b"chunked"):
                    payload = http_dechunk(payload)
                if ce:
                    payload = http_decode(payload, ce.group(1).decode("latin-1"))
                if m:
                    media = re.split(rb"[;\s]", m.group(1).strip(), 1)[0].decode("latin-1")
                    if media.endswith("xml") and media != "application/xhtml+xml":
                        yield html_text(payload, None)
                        continue
                    if http_is_text(media) and not media.startswith("text/") and media:
                        yield payload
                        continue
                    is_html, cp = html_type(m.group(1).decode("latin-1"))
                    if is_html:
                        yield html_text(payload, meta_cp1252(payload) if cp is None else cp)
                        continue
                    if not m.group(1).strip().startswith(b"text/"):
                        continue
                    # plain text in a charset: transcoded as the page is
                    cs = re.search(r"charset=[\"']?([^;\s\"']*)", m.group(1).decode("latin-1"))
                    yield charset_text(payload, _charset(cs.group(1)) if cs else None).encode(
                        "utf-8", errors="surrogateescape")
                    continue
                elif payload_is_html(payload):
                    yield html_text(payload, meta_cp1252(payload))
                    continue
                yield payload
            elif ctype == "" or ctype.startswith("text/"):
                yield body
        if pos > n:
            return


def jsonl_documents(data, field="text"):
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):   # a UTF-8 byte order mark
        text = text[1:]
    stripped = text.lstrip()
    if stripped.startswith("["):
        records = json.loads(stripped)
    else:
        records = (json.loads(line) for line in text.split("\n") if line.strip())
    for obj in records:
        if isinstance(obj, dict) and isinstance(obj.get(field), str):
            yield obj[field].encode("utf-8", errors="surrogatepass")


def member_documents(name, data, field="text"):
    kind = kind_of(name)
    if kind == "jsonl":
        yield from jsonl_documents(decompress(data, name), field)
    elif kind == "warc":
        yield from warc_documents(decompress(data, name))
    else:
        yield decompress(data, name)


def archive_documents(path, data, field="text"):
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for zi in zf.infolist():
                if not zi.is_dir():
                    yield from member_documents(zi.filename, zf.read(zi), field)
        return
    with tarfile.open(fileobj=io.BytesIO(decompress(data, path)), mode="r:") as tf:
        for ti in tf:
            if ti.isreg():
                yield from member_documents(ti.name, tf.extractfile(ti).read(), field)


def read_documents(path, field="text"):
    """Documents (bytes) of one corpus file, or of every file under a
    directory (sorted walk)."""
    if os.path.isdir(path):
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for f in sorted(files):
                yield from read_documents(os.path.join(root, f), field)
        return
    with open(path, "rb") as f:
        data = f.read()
    kind = kind_of(os.path.basename(path))
    if kind == "archive":
        yield from archive_documents(path, data, field)
    elif kind == "warc":
        yield from warc_documents(decompress(data, path))
    elif kind == "jsonl":
        yield from jsonl_documents(decompress(data, path), field)
    else:
        text = decompress(data, path)
        if text.lstrip().startswith(b'<doc id="'):
            yield from wikidoc_documents(text)
        else:
            yield text


def wikidoc_documents(text):
    """WikiExtractor output: the lines between each <doc ...> line and its
    </doc> line are one document (written independently of the reader)."""
    doc = None
    for line in text.splitlines(keepends=True):
        if doc is None:
            if line.startswith(b"<doc ") or line.startswith(b"<doc>"):
                doc = []
        elif line.rstrip() == b"</doc>":
            yield b"".join(doc)
            doc = None
        else:
            doc.append(line)
    if doc is not None:
        yield b"".join(doc)


def corpus_ngrams(paths, n=NGRAM, restrict=None):
    s = NgramSet(n, restrict)
    for p in paths:
        s.add_path(p)
    return s


# ---------------------------------------------------------------------------
# Benchmark field selection (dotted paths, arrays fan out), as docs/REPORT.md says

def select(obj, path):
    """Strings at a dotted path; a path through an array takes every element."""
    cur = [obj]
    for part in path.split("."):
        nxt = []
        for v in cur:
            if isinstance(v, list):
                v_items = v
            else:
                v_items = [v]
            for x in v_items:
                if isinstance(x, dict) and part in x:
                    nxt.append(x[part])
        cur = nxt
    out = []
    for v in cur:
        for x in (v if isinstance(v, list) else [v]):
            if isinstance(x, str):      # only string values are text
                out.append(x)
    return out


def example_values(obj, fields):
    """The values the fields select, in order (probe scores each apart)."""
    parts = []
    for f in fields:
        parts.extend(select(obj, f))
    return parts


def example_text(obj, fields):
    return "\n".join(example_values(obj, fields))


class Joined(str):
    """An example's values joined by newlines (the text a copy of it is
    written as), carrying the values themselves (for score_fields)."""

    def __new__(cls, values):
        s = str.__new__(cls, "\n".join(values))
        s.values = list(values)
        return s


if __name__ == "__main__":
    import sys
    for arg in sys.argv[1:]:
        print(tokenize(arg))
