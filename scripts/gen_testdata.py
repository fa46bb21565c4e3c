#!/usr/bin/env python3
"""Generate a small synthetic corpus with benchmark items planted in it.

usage: gen_testdata.py OUTDIR [--seed N] [--docs N]
       gen_testdata.py --testdata [OUTDIR]

--testdata writes the tiny committed corpus of testdata/ instead (OUTDIR
default: testdata/ of the repository): one small file per input format --
WET, WARC with HTML responses, JSONL plain/.gz/.zst, text/.gz, tar.gz, zip,
a MediaWiki XML dump (.xml.bz2), WikiExtractor <doc> blocks -- three
documents a file, 24 items of which 16 are planted, OUTDIR/bench/demo.jsonl
and demo.csv, OUTDIR/expected.json; testdata/README.md lists them.

Without it, everything is derived from the seed (same seed, same bytes):

  OUTDIR/corpus/web.warc.wet.gz          Common Crawl style WET: one gzip member
                                          per record, warcinfo first, then
                                          'conversion' records
  OUTDIR/corpus/shard.jsonl.gz           JSONL {"id","meta",...,"text"} (ASCII escapes)
  OUTDIR/corpus/shard.jsonl.zst          JSONL, zstd (needs the zstd CLI)
  OUTDIR/corpus/plain.jsonl              JSONL {"id","url","text"}, raw UTF-8
  OUTDIR/corpus/books.tar.gz             .txt members and one .jsonl member
  OUTDIR/corpus/pages.zip                .txt members
  OUTDIR/corpus/essay.txt                one document
  OUTDIR/corpus/essay.txt.gz             one document (another one)
  OUTDIR/corpus/nested/deeper/more.jsonl JSONL in a nested directory
  OUTDIR/bench/demo.jsonl                benchmark items {"id","question","answer"}
  OUTDIR/bench/demo.csv                  the same items, CSV with a header
  OUTDIR/expected.json                   per item: planting mode, file, and
                                          the expected verdict class

Filler text is made of invented words put together by a small invented
grammar, so that word 8-grams are (nearly) unique; the generator checks
that no benchmark 8-gram occurs in the filler or in another item.

Planting modes (item text = question + "\\n" + answer):
  verbatim    as is, a paragraph of its own
  perturbed   case changes, curly quotes, U+00A0, double spaces, fullwidth
              letters, decomposed accents, punctuation swapped (same tokens)
  rewrapped   7 words per line
  embedded    in the middle of a line of filler
  one_in_20   one word in twenty replaced by another word
  half        only the first half of the words (expected: partial)
  absent      not planted (expected: clean)
"""
import argparse
import bz2
import csv
import gzip
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import time
import unicodedata
import uuid
import zipfile

NGRAM = 8
MIN_SPAN = 10

MODES_FULL = ["verbatim", "perturbed", "rewrapped", "embedded", "one_in_20"]
MODES = MODES_FULL + ["half"]
EXPECTED_CLASS = {m: "contaminated" for m in MODES_FULL}
EXPECTED_CLASS["half"] = "partial"
EXPECTED_CLASS["absent"] = "clean"

# Where plants go: (target name, file under corpus/).  The tar and zip
# targets name the archive.
TARGETS = [
    ("wet", "web.warc.wet.gz"),
    ("jsonl_gz", "shard.jsonl.gz"),
    ("jsonl_zst", "shard.jsonl.zst"),
    ("jsonl", "plain.jsonl"),
    ("tar_txt", "books.tar.gz"),
    ("tar_jsonl", "books.tar.gz"),
    ("zip", "pages.zip"),
    ("txt", "essay.txt"),
    ("txt_gz", "essay.txt.gz"),
    ("nested_jsonl", "nested/deeper/more.jsonl"),
]

# ---------------------------------------------------------------------------
# A tiny tokenizer (the recipe of docs/FORMAT.md, enough for this generator's own
# checks; tests/cli/contam_ref.py has the full reference).

_CJK = ("\u3005-\u3007\u3021-\u3029\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
        "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U0001b000-\U0001b16f"
        "\U00020000-\U0003ffff")
_TOKEN_RE = re.compile("(?:(?=[^\\W_])[" + _CJK + "])|[^\\W_" + _CJK + "]+")


def tokenize(text):
    if text.isascii():
        return re.findall(r"[a-z0-9]+", text.lower())
    t = unicodedata.normalize("NFKC", text).casefold()
    t = unicodedata.normalize("NFKC", t)
    return _TOKEN_RE.findall(t)


def ngrams(tokens, n=NGRAM):
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def exact_coverage(item_tokens, corpus_ngrams, n=NGRAM, min_span=MIN_SPAN):
    """coverage of docs/SCORING.md given an exact set of corpus n-grams."""
    T = len(item_tokens)
    if T < n:
        return 0.0
    hit = [g in corpus_ngrams for g in ngrams(item_tokens, n)]
    need = min(min_span, T)
    covered = [False] * T
    i = 0
    while i < len(hit):
        if not hit[i]:
            i += 1
            continue
        j = i
        while j < len(hit) and hit[j]:
            j += 1
        if j - i + n - 1 >= need:
            for k in range(i, j - 1 + n):
                covered[k] = True
        i = j
    return sum(covered) / T


# ---------------------------------------------------------------------------
# Invented vocabulary and grammar

ONSETS = ["b", "br", "c", "ch", "d", "dr", "f", "fl", "g", "gl", "gr", "h",
          "j", "k", "kl", "l", "m", "n", "p", "pl", "pr", "qu", "r", "s",
          "sh", "sk", "sl", "sp", "st", "t", "th", "tr", "v", "w", "z", "zh"]
NUCLEI = ["a", "e", "i", "o", "u", "ai", "ea", "ee", "oo", "ou", "y", "ie"]
CODAS = ["", "", "", "n", "r", "l", "m", "s", "th", "nd", "rk", "x", "sp",
         "lt", "ng"]

FUNCTION = {
    "det": ["the", "a", "every", "some", "that", "this", "each", "one",
            "no", "any"],
    "prep": ["near", "under", "over", "beside", "behind", "through", "with",
             "without", "across", "around", "inside", "beyond", "toward",
             "against", "among", "below", "past", "from"],
    "conj": ["and", "but", "so", "yet", "while", "because", "although",
             "until", "unless", "once"],
    "aux": ["will", "can", "must", "might", "should", "could", "would"],
    "pron": ["she", "he", "they", "it", "we"],
}


class Lexicon:
    def __init__(self, rng):
        self.rng = rng
        self.used = set(w for ws in FUNCTION.values() for w in ws)
        self.nouns = self._words(1400, 1, 3)
        self.verbs = self._words(500, 1, 2, suffixes=["s", "es"])
        self.verbs_past = [v + "ed" for v in self._words(400, 1, 2)]
        self.adjs = self._words(500, 1, 3, suffixes=["ish", "ous", "en", "y", "al"])
        self.advs = [w + "ly" for w in self._words(200, 1, 2)]
        self.names = [w.capitalize() for w in self._words(300, 2, 3)]
        self.units = self._words(120, 1, 2)
        self.spare = self._words(400, 2, 3)  # replacement words

    def _word(self, lo, hi):
        r = self.rng
        return "".join(r.choice(ONSETS) + r.choice(NUCLEI) + r.choice(CODAS)
                       for _ in range(r.randint(lo, hi)))

    def _words(self, count, lo, hi, suffixes=None):
        out = []
        while len(out) < count:
            w = self._word(lo, hi)
            if suffixes:
                w += self.rng.choice(suffixes)
            if len(w) < 3 or w in self.used:
                continue
            self.used.add(w)
            out.append(w)
        return out


class Grammar:
    def __init__(self, rng, lex):
        self.r = rng
        self.x = lex

    def c(self, seq):
        return self.r.choice(seq)

    def np(self, depth=0):
        r, x = self.r, self.x
        parts = [self.c(FUNCTION["det"])]
        if r.random() < 0.55:
            parts.append(self.c(x.adjs))
        if r.random() < 0.2:
            parts.append(self.c(x.adjs))
        parts.append(self.c(x.nouns))
        if depth == 0 and r.random() < 0.3:
            parts += [self.c(FUNCTION["prep"])] + self.np(depth + 1)
        return parts

    def subject(self):
        if self.r.random() < 0.25:
            return [self.c(self.x.names)]
        if self.r.random() < 0.1:
            return [self.c(FUNCTION["pron"])]
        return self.np()

    def clause(self):
        r, x = self.r, self.x
        words = self.subject()
        kind = r.random()
        if kind < 0.35:
            words += [self.c(x.verbs)] + self.np()
        elif kind < 0.65:
            words += [self.c(x.verbs_past)] + self.np()
            if r.random() < 0.5:
                words += [self.c(FUNCTION["prep"])] + self.np(1)
        elif kind < 0.85:
            words += [self.c(FUNCTION["aux"]), self.c(x.verbs).rstrip("s")]
            words += self.np()
        else:
            words += [self.c(x.verbs_past), self.c(x.advs)]
        if r.random() < 0.25:
            words.append(self.c(x.advs))
        return words

    def sentence(self):
        words = self.clause()
        if self.r.random() < 0.35:
            words[-1] += ","
            words += [self.c(FUNCTION["conj"])] + self.clause()
        words[0] = words[0][:1].upper() + words[0][1:]
        end = self.r.choices([".", "?", "!", ";"], [20, 2, 1, 1])[0]
        return " ".join(words) + end

    def paragraph(self, lo=3, hi=7):
        return " ".join(self.sentence() for _ in range(self.r.randint(lo, hi)))

    def document(self, lo=2, hi=5):
        return "\n".join(self.paragraph() for _ in range(self.r.randint(lo, hi)))

    def title(self):
        words = [self.c(self.x.adjs), self.c(self.x.nouns), self.c(FUNCTION["prep"]),
                 self.c(self.x.names)]
        return " ".join(w[:1].upper() + w[1:] for w in words)

    # --- benchmark items: small invented word problems --------------------

    def question(self):
        r, x = self.r, self.x
        name = self.c(x.names)
        other = self.c(x.names)
        thing = self.c(x.nouns)
        unit = self.c(x.units)
        a, b = r.randint(2, 97), r.randint(2, 97)
        story = [
            f"{name} keeps {a} {self.c(x.adjs)} {thing}s in a {unit} "
            f"{self.c(FUNCTION['prep'])} the {self.c(x.nouns)}.",
            f"Every {self.c(x.nouns)}, {other} {self.c(x.verbs)} {b} more "
            f"of them {self.c(x.advs)}.",
            f"{name}'s {self.c(x.nouns)} {self.c(x.verbs_past)} "
            f"\"{self.c(x.adjs)} {self.c(x.nouns)}\" on the {self.c(x.nouns)}.",
        ]
        r.shuffle(story)
        words = " ".join(story[:r.randint(2, 3)])
        while len(words.split()) < r.randint(14, 44):
            words += " " + self.sentence()
        q = self.c([
            f"How many {thing}s does {name} {self.c(x.verbs).rstrip('s')} "
            f"after {r.randint(2, 9)} {unit}s?",
            f"What is the {self.c(x.adjs)} {self.c(x.nouns)} that "
            f"{other} {self.c(x.verbs)} {self.c(FUNCTION['prep'])} the {thing}?",
            f"Why would {other} {self.c(x.verbs).rstrip('s')} the "
            f"{self.c(x.adjs)} {thing}?",
        ])
        words = words + " " + q
        if len(words.split()) > 60:
            words = " ".join(words.split()[-58:])
            words = words[:1].upper() + words[1:]
        return words, a, b, name, thing

    def answer(self, a, b, name, thing):
        r, x = self.r, self.x
        total = a + b
        forms = [
            f"{name} ends with {total} {thing}s, so the answer is {total}.",
            f"First {a} plus {b} gives {total}; the {self.c(x.nouns)} "
            f"{self.c(x.verbs)} {self.c(x.advs)}. #### {total}",
            f"Because the {self.c(x.adjs)} {self.c(x.nouns)} "
            f"{self.c(x.verbs_past)} {self.c(x.advs)}, it is {total}.",
        ]
        return self.c(forms)


# ---------------------------------------------------------------------------
# Planting transformations (each keeps the tokens except one_in_20/half)

CURLY = {"\"": ("\u201c", "\u201d"), "'": ("\u2019", "\u2019")}


def fullwidth(word):
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c
                   for c in word)


def perturb(text, rng):
    out = []
    quote_open = {"\"": True, "'": True}
    lines = text.split("\n")
    for li, line in enumerate(lines):
        words = line.split(" ")
        new = []
        for w in words:
            p = rng.random()
            if p < 0.12:
                w = w.upper()
            elif p < 0.22:
                w = w.swapcase()
            elif p < 0.30:
                w = w.title()
            elif p < 0.33:
                w = fullwidth(w)
            chars = []
            for ci, ch in enumerate(w):
                last = ci == len(w) - 1
                if ch in CURLY:
                    o, c = CURLY[ch]
                    chars.append(o if quote_open[ch] else c)
                    quote_open[ch] = not quote_open[ch]
                elif ch == "." and rng.random() < 0.5:
                    chars.append(rng.choice([";", " \u2014", "!", "..."]))
                elif ch == "," and rng.random() < 0.6:
                    # dropping a comma is only safe at the end of a word
                    # ("1,000" must not become "1000")
                    chars.append(rng.choice([" ,", ";", " -", ""] if last else [" ,", ";"]))
                elif ch == "?" and rng.random() < 0.5:
                    chars.append("?!")
                else:
                    chars.append(ch)
            w = "".join(chars)
            w = unicodedata.normalize("NFD", w) if rng.random() < 0.5 else w
            new.append(w)
        seps = [rng.choice([" ", " ", " ", "\u00a0", "  ", " \u00a0"])
                for _ in new[1:]]
        s = new[0] + "".join(sep + w for sep, w in zip(seps, new[1:]))
        out.append(s)
    return rng.choice(["\r\n", "\n", " \n\u00a0"]).join(out)


def rewrap(text, per_line=7):
    words = text.split()
    return "\n".join(" ".join(words[i:i + per_line])
                     for i in range(0, len(words), per_line))


def first_half(text):
    words = text.split()
    return " ".join(words[:len(words) // 2])


def replace_one_in_20(text, rng, spare):
    words = text.split()
    W = len(words)
    k = W // 20
    if k == 0:
        pos = [W - 1]
    else:
        pos = [round((i + 1) * W / (k + 1)) for i in range(k)]
    for p in pos:
        m = re.match(r"^(\W*)(.*?)(\W*)$", words[p])
        words[p] = m.group(1) + rng.choice(spare) + m.group(3)
    return " ".join(words), len(pos)


# ---------------------------------------------------------------------------
# File writers (deterministic bytes: no timestamps, fixed owners)

def gz(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def write_bench(b, items):
    """The benchmark as JSONL (every other item with non-ASCII escaped) and
    as CSV with CRLF line ends, in directory b."""
    write(os.path.join(b, "demo.jsonl"),
          "".join(json.dumps(it, ensure_ascii=(i % 2 == 0)) + "\n"
                  for i, it in enumerate(items)).encode("utf-8"))
    sio = io.StringIO(newline="")
    w = csv.writer(sio, lineterminator="\r\n")
    w.writerow(["id", "question", "answer"])
    for it in items:
        w.writerow([it["id"], it["question"], it["answer"]])
    write(os.path.join(b, "demo.csv"), sio.getvalue().encode("utf-8"))


def warc_record(headers, body):
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    head += f"Content-Length: {len(body)}\r\n\r\n"
    return head.encode("utf-8") + body + b"\r\n\r\n"


def make_wet(docs, rng, name):
    date = "2024-05-18T01:02:03Z"
    info = (b"Software-Info: gen_testdata.py (synthetic)\r\n"
            b"Extracted-Date: Sat, 18 May 2024 01:02:03 GMT\r\n"
            b"robots: checked via crawler-commons\r\n"
            b"isPartOf: SYNTH-CRAWL-2024-20\r\n"
            b"operator: nobody\r\n"
            b"description: synthetic test data, invented words\r\n")
    out = [gz(warc_record([
        ("WARC-Type", "warcinfo"), ("WARC-Date", date),
        ("WARC-Filename", name),
        ("WARC-Record-ID", f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}>"),
        ("Content-Type", "application/warc-fields")], info))]
    for d in docs:
        body = d["text"].encode("utf-8")
        rid = uuid.UUID(int=rng.getrandbits(128), version=4)
        ref = uuid.UUID(int=rng.getrandbits(128), version=4)
        out.append(gz(warc_record([
            ("WARC-Type", "conversion"),
            ("WARC-Target-URI", d["url"]),
            ("WARC-Date", date),
            ("WARC-Record-ID", f"<urn:uuid:{rid}>"),
            ("WARC-Refers-To", f"<urn:uuid:{ref}>"),
            ("WARC-Block-Digest", "sha1:" + "%032X" % rng.getrandbits(160)),
            ("WARC-Identified-Content-Language", "eng"),
            ("Content-Type", "text/plain")], body)))
    return b"".join(out)


def jsonl_bytes(docs, ascii_only, meta=False, newline_ok=True):
    lines = []
    for d in docs:
        text = d["text"] if newline_ok else d["text"].replace("\n", " ")
        if meta:
            obj = {"id": d["id"],
                   "meta": {"lang": "en", "score": round(d["score"], 3),
                            "tags": ["synthetic", d["id"][-1:]],
                            "nested": {"text": "not this one", "n": None}},
                   "url": d["url"], "text": text, "length": len(text)}
        else:
            obj = {"id": d["id"], "url": d["url"], "text": text}
        lines.append(json.dumps(obj, ensure_ascii=ascii_only))
    return ("\n".join(lines) + "\n").encode("utf-8")


def zstd_bytes(data):
    zstd = shutil.which("zstd")
    if not zstd:
        sys.exit("gen_testdata.py: the zstd command is needed for .zst output")
    return subprocess.run([zstd, "-q", "-c", "-3", "--no-check"], input=data,
                          stdout=subprocess.PIPE, check=True).stdout


def tar_bytes(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        d = tarfile.TarInfo("books/")
        d.type = tarfile.DIRTYPE
        d.mode = 0o755
        d.mtime = 1700000000
        tf.addfile(d)
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = 1700000000
            ti.mode = 0o644
            ti.uid = ti.gid = 1000
            ti.uname = ti.gname = "writer"
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members:
            zi = zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 6))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, data)
    return buf.getvalue()


# ---------------------------------------------------------------------------

def make_items(gram, filler_ngrams, nitems):
    """Benchmark items, each with no 8-gram in the filler or another item."""
    items, item_ngrams = [], set()
    while len(items) < nitems:
        q, a, b, name, thing = gram.question()
        ans = gram.answer(a, b, name, thing)
        k = len(items)
        if k % 13 == 5:   # a few non-ASCII items (NFKC and CJK on the probe side)
            q = q.replace(" the ", " the caf\u00e9 ", 1)
            q = q.replace(" a ", " a na\u00efve \u5c71\u7530 ", 1)
        if k % 17 == 3:   # a multi-line answer (CSV quoted newline)
            ans = ans + "\n" + gram.sentence()
        toks = tokenize(q + "\n" + ans)
        grams = set(ngrams(toks))
        if not (20 <= len(q.split()) <= 60) or len(toks) < 30:
            continue
        if grams & filler_ngrams or grams & item_ngrams or len(grams) != len(toks) - NGRAM + 1:
            continue
        item_ngrams |= grams
        items.append({"id": f"demo-{k:03d}", "question": q, "answer": ans})
    return items


def plan_plants(rng, lex, items, targets, nplanted, oneline=()):
    """Which items are planted where and how: nplanted of them, the
    others absent; targets spread so that each target gets several
    modes.  Targets in `oneline` get their plant on one line.  Returns
    (expected, plants by target)."""
    nitems = len(items)
    order = list(range(nitems))
    rng.shuffle(order)
    planted = order[:nplanted]
    expected = {}
    plants = {t: [] for t, _ in targets}
    for i, idx in enumerate(planted):
        target = targets[i % len(targets)][0]
        mode = MODES[(i % len(targets) + i // len(targets) * 5) % len(MODES)]
        item = items[idx]
        text = item["question"] + "\n" + item["answer"]
        extra = {}
        if mode == "verbatim":
            planted_text = text
        elif mode == "perturbed":
            planted_text = perturb(text, rng)
        elif mode == "rewrapped":
            planted_text = rewrap(text)
        elif mode == "embedded":
            planted_text = text.replace("\n", " ")
        elif mode == "half":
            planted_text = first_half(text)
        else:
            planted_text, extra["replaced"] = replace_one_in_20(text, rng, lex.spare)
        if target in oneline:
            # the member may be read as JSONL or as one raw document; with no
            # newline (JSON "\\n") and raw UTF-8 both give the same tokens
            planted_text = planted_text.replace("\r\n", " ").replace("\n", " ")
        if mode not in ("half", "one_in_20"):
            assert tokenize(planted_text) == tokenize(text), (mode, planted_text)
        cov = exact_coverage(tokenize(text), set(ngrams(tokenize(planted_text))))
        klass = EXPECTED_CLASS[mode]
        want = {"contaminated": cov >= 0.8, "partial": 0.2 <= cov < 0.8}[klass]
        assert want, (item["id"], mode, cov)
        plants[target].append((item["id"], mode, planted_text))
        expected[item["id"]] = {"mode": mode, "expected": klass,
                                "target": target,
                                "file": dict(targets)[target],
                                "coverage_if_alone": round(cov, 4), **extra}
    for idx in order[nplanted:]:
        expected[items[idx]["id"]] = {"mode": "absent", "expected": "clean",
                                      "target": None, "file": None,
                                      "coverage_if_alone": 0.0}
    return expected, plants


def place_plants(rng, gram, docs, plants, expected, single=()):
    """Put the plants into documents (d["paras"]), then join each
    document's text (d["text"]): a title line first, except in the
    `single` targets (one file, one document)."""
    planted_paras = set()   # id() of paragraph strings holding a plant
    for t, lst in plants.items():
        for item_id, mode, ptext in lst:
            d = rng.choice(docs[t])
            if mode == "embedded":
                # a filler paragraph, never one that is already a plant
                p = rng.choice([k for k, para in enumerate(d["paras"])
                                if id(para) not in planted_paras])
                sents = d["paras"][p].split(". ")
                cut = rng.randint(1, max(1, len(sents) - 1))
                d["paras"][p] = (". ".join(sents[:cut]) + ". " + ptext + " " +
                                 ". ".join(sents[cut:]))
                planted_paras.add(id(d["paras"][p]))
            else:
                d["paras"].insert(rng.randint(1, len(d["paras"])), ptext)
                planted_paras.add(id(ptext))
            expected[item_id]["doc"] = d["id"]
    for t in docs:
        for d in docs[t]:
            if t in single:
                d["text"] = "\n\n".join(d["paras"]) + "\n"
            else:
                d["text"] = gram.title() + "\n" + "\n".join(d["paras"])


def build(outdir, seed=1, ndocs=160):
    rng = random.Random(seed)
    lex = Lexicon(rng)
    gram = Grammar(rng, lex)

    # Documents per target, filler only for now.
    weights = {"wet": 5, "jsonl_gz": 4, "jsonl_zst": 3, "jsonl": 3,
               "tar_txt": 2, "tar_jsonl": 2, "zip": 2, "txt": 0,
               "txt_gz": 0, "nested_jsonl": 2}
    wsum = sum(weights.values())
    docs = {}
    for t, _ in TARGETS:
        if t in ("txt", "txt_gz"):
            n = 1
        else:
            n = max(2, round(ndocs * weights[t] / wsum))
        docs[t] = []
        for i in range(n):
            lo, hi = (10, 14) if n == 1 else (2, 5)
            docs[t].append({
                "id": f"{t}-{i:04d}",
                "url": f"https://{rng.choice(lex.nouns)}.example.org/"
                       f"{rng.choice(lex.nouns)}/{i}",
                "score": rng.random(),
                "paras": [gram.paragraph() for _ in range(rng.randint(lo, hi))],
            })

    filler_ngrams = set()
    for t in docs:
        for d in docs[t]:
            for p in d["paras"]:
                filler_ngrams.update(ngrams(tokenize(p)))

    items = make_items(gram, filler_ngrams, 60)
    expected, plants = plan_plants(rng, lex, items, TARGETS, 40,
                                   oneline=("tar_jsonl",))
    place_plants(rng, gram, docs, plants, expected,
                 single=("txt", "txt_gz"))

    # Write the corpus.
    c = os.path.join(outdir, "corpus")
    if os.path.isdir(outdir):
        for sub in ("corpus", "bench"):
            shutil.rmtree(os.path.join(outdir, sub), ignore_errors=True)
    write(os.path.join(c, "web.warc.wet.gz"),
          make_wet(docs["wet"], rng, "SYNTH-00000.warc.wet.gz"))
    write(os.path.join(c, "shard.jsonl.gz"),
          gz(jsonl_bytes(docs["jsonl_gz"], True, meta=True)))
    write(os.path.join(c, "shard.jsonl.zst"),
          zstd_bytes(jsonl_bytes(docs["jsonl_zst"], False, meta=True)))
    write(os.path.join(c, "plain.jsonl"), jsonl_bytes(docs["jsonl"], False))
    tar_members = [(f"books/{d['id']}.txt", d["text"].encode("utf-8"))
                   for d in docs["tar_txt"]]
    tar_members.insert(1, ("books/catalog.jsonl",
                           jsonl_bytes(docs["tar_jsonl"], False, newline_ok=False)))
    write(os.path.join(c, "books.tar.gz"), gz(tar_bytes(tar_members)))
    write(os.path.join(c, "pages.zip"),
          zip_bytes([(f"pages/{d['id']}.txt", d["text"].encode("utf-8"))
                     for d in docs["zip"]]))
    write(os.path.join(c, "essay.txt"), docs["txt"][0]["text"].encode("utf-8"))
    write(os.path.join(c, "essay.txt.gz"), gz(docs["txt_gz"][0]["text"].encode("utf-8")))
    write(os.path.join(c, "nested", "deeper", "more.jsonl"),
          jsonl_bytes(docs["nested_jsonl"], True))

    # Benchmark files.
    b = os.path.join(outdir, "bench")
    write_bench(b, items)

    summary = {
        "seed": seed,
        "ngram": NGRAM,
        "items": len(items),
        "documents": {t: len(docs[t]) for t in docs},
        "files": {t: f for t, f in TARGETS},
        "expected": expected,
    }
    write(os.path.join(outdir, "expected.json"),
          (json.dumps(summary, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return summary

# ---------------------------------------------------------------------------
# testdata/: the tiny committed corpus, one small file per input format

# (target, file under corpus/); every target gets at least one plant.
TINY_TARGETS = [
    ("wet", "web.warc.wet.gz"),
    ("warc", "crawl.warc.gz"),
    ("jsonl", "plain.jsonl"),
    ("jsonl_gz", "shard.jsonl.gz"),
    ("jsonl_zst", "shard.jsonl.zst"),
    ("txt", "essay.txt"),
    ("txt_gz", "essay.txt.gz"),
    ("tar", "books.tar.gz"),
    ("zip", "pages.zip"),
    ("mediawiki", "tinywiki-20240101-pages-articles.xml.bz2"),
    ("wikidoc", "wiki/AA/wiki_00"),
]
TINY_SEED = 14


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_warc_html(docs, rng, name):
    """A WARC as a crawler writes it, one gzip member per record:
    warcinfo, then per page a request and an HTML response."""
    date = "2024-05-18T01:02:03Z"
    info = (b"software: gen_testdata.py (synthetic)\r\n"
            b"format: WARC File Format 1.1\r\n"
            b"description: synthetic test data, invented words\r\n")
    out = [gz(warc_record([
        ("WARC-Type", "warcinfo"), ("WARC-Date", date),
        ("WARC-Filename", name),
        ("WARC-Record-ID", f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}>"),
        ("Content-Type", "application/warc-fields")], info))]
    for d in docs:
        host = d["url"].split("/")[2]
        path = "/" + d["url"].split("/", 3)[3]
        req = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\n"
               "User-Agent: synthetic\r\n\r\n").encode()
        lines = d["text"].split("\n")
        html = ("<!doctype html>\n<html><head><meta charset=\"utf-8\">"
                f"<title>{xml_escape(lines[0])}</title></head>\n<body>\n"
                f"<h1>{xml_escape(lines[0])}</h1>\n"
                + "".join(f"<p>{xml_escape(p)}</p>\n" for p in lines[1:])
                + "<script>var x = 'not text';</script>\n</body></html>\n").encode()
        resp = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                + f"Content-Length: {len(html)}\r\n\r\n".encode() + html)
        for typ, body, ctype in (("request", req, "application/http; msgtype=request"),
                                 ("response", resp, "application/http; msgtype=response")):
            out.append(gz(warc_record([
                ("WARC-Type", typ),
                ("WARC-Target-URI", d["url"]),
                ("WARC-Date", date),
                ("WARC-Record-ID", f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}>"),
                ("Content-Type", ctype)], body)))
    return b"".join(out)


def wiki_markup(para, rng, lex):
    """Filler with the markup the MediaWiki reader strips: a link, bold,
    a template and a reference."""
    w = para.split(" ")
    k = rng.randint(1, len(w) - 2)
    w[k] = f"[[{rng.choice(lex.nouns).capitalize()}|{w[k]}]]"
    bold = "'" * 3
    return (bold + w[0] + bold + " " + " ".join(w[1:]) +
            "{{citation needed}}<ref>" + rng.choice(lex.names) + ", p. 3.</ref>")


def make_mediawiki(docs, rng, lex):
    """A pages-articles dump: one page per document (its text in
    wikitext), and one redirect page (skipped by the reader, by design)."""
    out = ['<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" '
           'version="0.10" xml:lang="en">\n  <siteinfo>\n'
           '    <sitename>Tinywiki</sitename>\n    <dbname>tinywiki</dbname>\n'
           '  </siteinfo>\n']
    first = docs[0]["title"]
    pages = [(d["title"], d["wikitext"]) for d in docs]
    pages.insert(1, (first + " (old name)", "#REDIRECT [[" + first + "]]"))
    for i, (title, text) in enumerate(pages):
        redirect = text.startswith("#REDIRECT")
        out.append(f"  <page>\n    <title>{xml_escape(title)}</title>\n    <ns>0</ns>\n"
                   f"    <id>{10 + i}</id>\n"
                   + (f'    <redirect title="{xml_escape(first)}" />\n' if redirect else "")
                   + f"    <revision>\n      <id>{100 + i}</id>\n"
                   "      <timestamp>2024-01-01T00:00:00Z</timestamp>\n"
                   "      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
                   f'      <text bytes="{len(text.encode())}" xml:space="preserve">'
                   f"{xml_escape(text)}</text>\n    </revision>\n  </page>\n")
    out.append("</mediawiki>\n")
    return "".join(out).encode("utf-8")


def make_wikidoc(docs):
    """WikiExtractor output: <doc> blocks, the title line first."""
    out = []
    for i, d in enumerate(docs):
        out.append(f'<doc id="{20 + i}" url="https://tiny.example.org/wiki?curid={20 + i}" '
                   f'title="{d["title"]}">\n{d["title"]}\n\n'
                   + "\n".join(d["paras"]) + "\n</doc>\n")
    return "".join(out).encode("utf-8")


def build_testdata(outdir, seed=TINY_SEED):
    """The tiny corpus and benchmark of testdata/ (a few KB a file)."""
    rng = random.Random(seed)
    lex = Lexicon(rng)
    gram = Grammar(rng, lex)
    single = ("txt", "txt_gz")
    docs = {}
    for t, _ in TINY_TARGETS:
        n = 1 if t in single else 3
        docs[t] = []
        for i in range(n):
            docs[t].append({
                "id": f"{t}-{i:04d}",
                "url": f"https://{rng.choice(lex.nouns)}.example.org/"
                       f"{rng.choice(lex.nouns)}/{i}",
                "score": rng.random(),
                "paras": [gram.paragraph(2, 4)
                          for _ in range(rng.randint(3, 4) if n == 1 else 2)],
            })
    filler_ngrams = set()
    for t in docs:
        for d in docs[t]:
            for p in d["paras"]:
                filler_ngrams.update(ngrams(tokenize(p)))
    items = make_items(gram, filler_ngrams, 24)
    expected, plants = plan_plants(rng, lex, items, TINY_TARGETS, 16)
    place_plants(rng, gram, docs, plants, expected, single=single)
    planted = [ptext for lst in plants.values() for _, _, ptext in lst]
    for t in ("mediawiki", "wikidoc"):
        for d in docs[t]:
            d["title"] = d["text"].split("\n", 1)[0]
            if t != "mediawiki":
                continue
            # markup only in filler paragraphs, never around a plant
            d["wikitext"] = "\n\n".join(
                p if any(x in p for x in planted) else wiki_markup(p, rng, lex)
                for p in d["paras"])

    c = os.path.join(outdir, "corpus")
    b = os.path.join(outdir, "bench")
    for sub in (c, b):
        shutil.rmtree(sub, ignore_errors=True)
    files = dict(TINY_TARGETS)
    write(os.path.join(c, files["wet"]),
          make_wet(docs["wet"], rng, "TINY-00000.warc.wet.gz"))
    write(os.path.join(c, files["warc"]),
          make_warc_html(docs["warc"], rng, "TINY-00000.warc.gz"))
    write(os.path.join(c, files["jsonl"]), jsonl_bytes(docs["jsonl"], False))
    write(os.path.join(c, files["jsonl_gz"]),
          gz(jsonl_bytes(docs["jsonl_gz"], True, meta=True)))
    write(os.path.join(c, files["jsonl_zst"]),
          zstd_bytes(jsonl_bytes(docs["jsonl_zst"], False, meta=True)))
    write(os.path.join(c, files["txt"]), docs["txt"][0]["text"].encode("utf-8"))
    write(os.path.join(c, files["txt_gz"]), gz(docs["txt_gz"][0]["text"].encode("utf-8")))
    tar_members = [(f"books/{d['id']}.txt", d["text"].encode("utf-8")) for d in docs["tar"]]
    catalog = [{"id": f"catalog-{i}", "url": f"https://books.example.org/{i}",
                "text": gram.paragraph(2, 3)} for i in range(2)]
    tar_members.insert(1, ("books/catalog.jsonl", jsonl_bytes(catalog, False)))
    write(os.path.join(c, files["tar"]), gz(tar_bytes(tar_members)))
    write(os.path.join(c, files["zip"]),
          zip_bytes([(f"pages/{d['id']}.txt", d["text"].encode("utf-8"))
                     for d in docs["zip"]]))
    write(os.path.join(c, files["mediawiki"]),
          bz2.compress(make_mediawiki(docs["mediawiki"], rng, lex), 9))
    write(os.path.join(c, files["wikidoc"]), make_wikidoc(docs["wikidoc"]))

    write_bench(b, items)
    summary = {
        "seed": seed,
        "ngram": NGRAM,
        "items": len(items),
        "documents": {t: len(docs[t]) for t in docs},
        "files": files,
        "expected": expected,
    }
    write(os.path.join(outdir, "expected.json"),
          (json.dumps(summary, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--docs", type=int, default=160,
                    help="filler documents in the multi-document files (default 160)")
    ap.add_argument("--testdata", action="store_true",
                    help="write the tiny committed corpus and benchmark instead "
                         "(OUTDIR default: testdata/ of the repository)")
    args = ap.parse_args(argv)
    t0 = time.time()
    if args.testdata:
        args.outdir = args.outdir or os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testdata")
        s = build_testdata(args.outdir, TINY_SEED if args.seed is None else args.seed)
        targets = TINY_TARGETS
    elif not args.outdir:
        ap.error("OUTDIR is needed (or --testdata)")
    else:
        s = build(args.outdir, 1 if args.seed is None else args.seed, args.docs)
        targets = TARGETS
    args.seed = s["seed"]
    size = 0
    for sub in ("corpus", "bench"):
        for root, _, files in os.walk(os.path.join(args.outdir, sub)):
            for f in files:
                size += os.path.getsize(os.path.join(root, f))
    size += os.path.getsize(os.path.join(args.outdir, "expected.json"))
    exp = s["expected"]
    by_mode = {}
    for v in exp.values():
        by_mode[v["mode"]] = by_mode.get(v["mode"], 0) + 1
    by_target = {}
    for v in exp.values():
        if v["target"]:
            by_target.setdefault(v["target"], []).append(v["mode"])
    print(f"gen_testdata: {args.outdir} (seed {args.seed}, "
          f"{size / 1e6:.2f} MB, {time.time() - t0:.2f} s)")
    print(f"  benchmark: {s['items']} items in bench/demo.jsonl and bench/demo.csv")
    print("  modes:     " + ", ".join(f"{m} {n}" for m, n in sorted(by_mode.items())))
    for t, f in targets:
        print(f"  {t:<13} corpus/{f:<26} {s['documents'][t]:>3} docs, planted: "
              + ", ".join(by_target.get(t, [])))
    print("  expected verdicts: expected.json")
    print("  try: contam index -o X.cidx corpus/ && contam probe X.cidx "
          "--field question --field answer --id-field id bench/demo.jsonl")


if __name__ == "__main__":
    main()
