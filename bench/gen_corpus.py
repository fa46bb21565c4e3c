#!/usr/bin/env python3
"""Deterministic synthetic corpus for the contam benchmarks.

A word-level Markov chain of order 2 is trained on real English text (the
Gutenberg, C4, WikiText-2 and SimpleBooks samples under ../shared/data/corpus
when present; otherwise a small invented vocabulary built into this script).
It generates a pool of sentences once.  Documents are then assembled from
randomly drawn pool sentences in which one word out of every seven is replaced
by a random word of the vocabulary, so that every word 8-gram inside a sentence
contains at least one replaced word and almost every 8-gram of the corpus is
unique, as in a deduplicated web crawl.

The same documents are written three ways:
  corpus.jsonl.zst     one JSON object per line {"id","url","text"}, piped
                       through `zstd -3`
  corpus.warc.wet.gz   a Common Crawl style WET file: a warcinfo record and one
                       `conversion` record per document, each record its own
                       gzip member (zlib level 6, like Java's GZIPOutputStream)
  corpus.txt           the plain texts, separated by an empty line
plus corpus.json, a manifest (sizes, document/word/byte counts, the training
text used).  Output depends only on --size, --seed and the training text, not
on --jobs.  Only the Python standard library and the zstd CLI are needed.
"""

import argparse
import base64
import hashlib
import json
import math
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import time
import zlib

GENERATOR_VERSION = 1
CHUNK_TEXT_BYTES = 8 << 20   # documents are generated in chunks of ~8 MiB of text
MUTATE_EVERY = 7             # one replaced word every 7 words: every 8-gram has one
POOL_SENTENCES = 300_000
MUTATE_ALPHA = 0.5
TOPIC_WORDS = 16           # words a document draws its replacements from


def parse_size(s):
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kKmMgGtT]?)i?[bB]?\s*", s)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {s!r} (e.g. 50M, 1G)")
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    return int(float(m.group(1)) * mult)


# ---------------------------------------------------------------- training text

_WT_AT = re.compile(r" @(.)@ ")
_WT_PUNCT_BEFORE = re.compile(r" ([.,;:!?%)\]}])")
_WT_PUNCT_AFTER = re.compile(r"([(\[{$]) ")
_WT_CLITIC = re.compile(r" ('s|'re|'ve|'ll|'d|'m|n't)\b")


def detokenize(line):
    """Undo the WikiText/SimpleBooks tokenization (' , ' -> ', ', ' @-@ ' -> '-')."""
    line = line.replace("<unk>", "")
    line = _WT_AT.sub(r"\1", line)
    line = _WT_PUNCT_BEFORE.sub(r"\1", line)
    line = _WT_PUNCT_AFTER.sub(r"\1", line)
    line = _WT_CLITIC.sub(r"\1", line)
    return line


def read_text(path):
    """UTF-8, or Windows-1252 (as some Project Gutenberg files are)."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_gutenberg(path):
    text = read_text(path).replace("\r\n", "\n")
    start = text.find("*** START OF")
    if start >= 0:
        start = text.find("\n", start) + 1
    else:
        start = 0
    end = text.find("*** END OF")
    if end < 0:
        end = len(text)
    return [p for p in text[start:end].split("\n\n") if p.strip()]


def read_wikitext(path):
    out = []
    for line in read_text(path).splitlines():
        s = line.strip()
        if not s or s.startswith("="):
            continue
        out.append(detokenize(s))
    return out


def read_c4(path):
    import gzip
    out = []
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                out.append(json.loads(line)["text"])
            except (ValueError, KeyError, TypeError):
                pass
    return out


def find_training_files(data_dir):
    """(reader, path) pairs of English training text, in a fixed order."""
    corpus = os.path.join(data_dir, "corpus")
    found = []

    def listdir(d):
        p = os.path.join(corpus, d)
        return sorted(os.path.join(p, n) for n in os.listdir(p)) if os.path.isdir(p) else []

    for p in listdir("gutenberg"):
        if p.endswith(".txt"):
            found.append((read_gutenberg, p))
    for p in listdir("c4"):
        if p.endswith(".jsonl.gz"):
            found.append((read_c4, p))
    for p in listdir("wikitext-2") + listdir("simplebooks"):
        if p.endswith(".txt"):
            found.append((read_wikitext, p))
    return found


# Invented fallback: pronounceable words from syllables, Zipf-distributed,
# with a few function words, so the script runs without any data.
_FUNCTION_WORDS = ("the of and to a in is was that for it as with he on be by at "
                   "which his this from had not are but or have an they were her "
                   "one all we there been their has would when who will more no if "
                   "out so said what up its about into than them can only other").split()
_ONSETS = "b c d f g h j k l m n p r s t v w z br cr dr fl gr pl pr sh st th tr".split()
_VOWELS = "a e i o u ai ea ee ie oo ou".split()
_CODAS = ["", "", "n", "r", "s", "t", "l", "nd", "st", "ng", "rk"]


def invented_paragraphs(rng, nwords=400_000):
    vocab = list(_FUNCTION_WORDS)
    seen = set(vocab)
    while len(vocab) < 6000:
        w = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS)
                    for _ in range(1 + int(rng.random() * 3))) + rng.choice(_CODAS)
        if w not in seen:
            seen.add(w)
            vocab.append(w)
    weights = [1.0 / (i + 1) for i in range(len(vocab))]
    cum = []
    acc = 0.0
    for w in weights:
        acc += w
        cum.append(acc)
    words = rng.choices(vocab, cum_weights=cum, k=nwords)
    paras = []
    i = 0
    while i < len(words):
        sents = []
        for _ in range(3 + int(rng.random() * 5)):
            n = 6 + int(rng.random() * 22)
            s = words[i:i + n]
            i += n
            if not s:
                break
            s[0] = s[0].capitalize()
            s[-1] += rng.choice([".", ".", ".", "?", "!"])
            if len(s) > 4:
                s[len(s) // 2] += ","
            sents.append(" ".join(s))
        paras.append(" ".join(sents))
    return paras


# ---------------------------------------------------------------- Markov chain

_SENT_END = re.compile(r"[.!?][\"')\]\u201d\u2019]*$")


def train(paragraphs):
    """Order-2 chain over word ids.  Returns (words, chain, starts, vocab_ids)."""
    ids = {}
    words = []

    def wid(w):
        i = ids.get(w)
        if i is None:
            i = ids[w] = len(words)
            words.append(w)
        return i

    END = wid("\x00")  # id 0: end of sentence
    counts = []
    chain = {}
    nsent = 0
    ntok = 0
    for para in paragraphs:
        toks = para.split()
        sent = []
        for t in toks:
            sent.append(wid(t))
            if _SENT_END.search(t) or len(sent) >= 80:
                if len(sent) >= 3:
                    for x in sent:
                        counts.append(x)
                    a = b = -1
                    for x in sent + [END]:
                        key = (a, b)
                        lst = chain.get(key)
                        if lst is None:
                            chain[key] = [x]
                        else:
                            lst.append(x)
                        a, b = b, x
                    nsent += 1
                    ntok += len(sent)
                sent = []
    freq = [0] * len(words)
    for x in counts:
        freq[x] += 1
    return words, freq, chain, nsent, ntok


def mutation_table(words, freq, alpha):
    """Words for replacement, each repeated ~count**alpha times (alpha 0: uniform)."""
    table = []
    for i in range(1, len(words)):
        if freq[i]:
            table.extend([words[i]] * max(1, round(freq[i] ** alpha)))
    return table


def generate_pool(words, chain, rng, count):
    """Sentences of 6..60 words drawn from the chain, as lists of strings."""
    pool = []
    rnd = rng.random
    tries = 0
    while len(pool) < count and tries < count * 20:
        tries += 1
        a = b = -1
        out = []
        while True:
            lst = chain[(a, b)]
            x = lst[int(rnd() * len(lst))]
            if x == 0 or len(out) > 60:
                break
            out.append(x)
            a, b = b, x
        if 6 <= len(out) <= 60:
            pool.append([words[i] for i in out])
    return pool


# ---------------------------------------------------------------- documents

# Globals set before the worker pool forks (shared copy-on-write).
G_POOL = None
G_VOCAB = None
G_SEED = 0


def doc_words_target(rng):
    # log-normal, median ~700 words, clipped to 120..8000
    n = int(math.exp(rng.gauss(math.log(700), 0.75)))
    return min(8000, max(120, n))


def make_doc(rng):
    pool = G_POOL
    vocab = G_VOCAB
    npool = len(pool)
    nvocab = len(vocab)
    rnd = rng.random
    target = doc_words_target(rng)
    if TOPIC_WORDS:
        # a document replaces words from its own small set of "topic" words:
        # repeated within the document (as real text is), drawn afresh per document
        vocab = [vocab[int(rnd() * nvocab)] for _ in range(TOPIC_WORDS)]
        nvocab = TOPIC_WORDS
    paras = []
    sents = []
    para_len = 2 + int(rnd() * 7)
    nw = 0
    while nw < target:
        s = pool[int(rnd() * npool)][:]
        last = len(s) - 1  # keep the sentence's final word (its punctuation)
        for j in range(int(rnd() * MUTATE_EVERY), last, MUTATE_EVERY):
            s[j] = vocab[int(rnd() * nvocab)]
        nw += len(s)
        sents.append(" ".join(s))
        if len(sents) >= para_len:
            paras.append(" ".join(sents))
            sents = []
            para_len = 2 + int(rnd() * 7)
    if sents:
        paras.append(" ".join(sents))
    return "\n".join(paras), nw


def uuid_str(rng):
    h = "%032x" % rng.getrandbits(128)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def wet_record(headers, body):
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    rec = head.encode() + body + b"\r\n\r\n"
    c = zlib.compressobj(6, zlib.DEFLATED, 31)  # gzip wrapper, mtime 0: deterministic
    return c.compress(rec) + c.flush()


def make_chunk(args):
    """Generate chunk `index` (text budget `budget` bytes).  Pure function of its args."""
    index, budget = args
    rng = random.Random((G_SEED << 32) ^ (index * 0x9E3779B1) ^ 0x5EED)
    jsonl = []
    wet = []
    txt = []
    text_bytes = 0
    words = 0
    ndocs = 0
    while text_bytes < budget:
        text, nw = make_doc(rng)
        body = text.encode("utf-8")
        doc_no = (index << 20) | ndocs  # unique, stable ids independent of --jobs
        host = "www.site%05d.example" % int(rng.random() * 50000)
        url = "https://%s/%s/%d.html" % (host, G_VOCAB[int(rng.random() * len(G_VOCAB))].strip(".,;:!?\"'()[]_") or "page", doc_no)
        doc_id = "doc-%d-%06d" % (index, ndocs)
        jsonl.append(json.dumps({"id": doc_id, "url": url, "text": text}, ensure_ascii=False))
        secs = (index * 86400 // 7 + ndocs * 13) % 86400
        date = "2024-05-%02dT%02d:%02d:%02dZ" % (18 + index % 10, secs // 3600, secs // 60 % 60, secs % 60)
        digest = "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()
        wet.append(wet_record([
            ("WARC-Type", "conversion"),
            ("WARC-Target-URI", url),
            ("WARC-Date", date),
            ("WARC-Record-ID", "<urn:uuid:%s>" % uuid_str(rng)),
            ("WARC-Refers-To", "<urn:uuid:%s>" % uuid_str(rng)),
            ("WARC-Block-Digest", digest),
            ("WARC-Identified-Content-Language", "eng"),
            ("Content-Type", "text/plain"),
            ("Content-Length", str(len(body))),
        ], body))
        txt.append(body)
        text_bytes += len(body)
        words += nw
        ndocs += 1
    return (("\n".join(jsonl) + "\n").encode("utf-8"), b"".join(wet),
            b"\n\n".join(txt) + b"\n\n", ndocs, text_bytes, words)


# ---------------------------------------------------------------- main

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--out", default=os.path.join(here, "data"),
                    help="output directory (default bench/data)")
    ap.add_argument("--size", type=parse_size, default=parse_size("1G"),
                    help="uncompressed text to generate, e.g. 50M, 1G (default 1G)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data-dir", default=os.environ.get("CONTAM_SHARED_DATA",
                    os.path.join(here, "..", "..", "shared", "data")),
                    help="shared data with corpus/ (default ../shared/data; "
                         "a built-in vocabulary is used when it is missing)")
    ap.add_argument("--builtin", action="store_true",
                    help="ignore --data-dir and use the built-in invented vocabulary")
    ap.add_argument("--pool", type=int, default=POOL_SENTENCES,
                    help="Markov sentences generated once (default %(default)s)")
    ap.add_argument("--mutate-alpha", type=float, default=MUTATE_ALPHA,
                    help="replacement words are drawn with weight count**alpha "
                         "(0: uniform over the vocabulary; default %(default)s)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--zstd", default="zstd", help="zstd CLI (default: zstd)")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args()

    def log(msg):
        if not args.quiet:
            print(f"gen_corpus: {msg}", file=sys.stderr, flush=True)

    if not shutil.which(args.zstd):
        sys.exit(f"gen_corpus: {args.zstd} not found (apt-get install zstd)")
    t0 = time.monotonic()
    rng = random.Random(args.seed)

    files = [] if args.builtin else find_training_files(args.data_dir)
    sha = hashlib.sha256()
    paragraphs = []
    if files:
        for reader, path in files:
            ps = reader(path)
            for p in ps:
                sha.update(p.encode("utf-8", "replace"))
            paragraphs.extend(ps)
        training = {"source": "files", "files": [os.path.relpath(p, args.data_dir) for _, p in files]}
    else:
        paragraphs = invented_paragraphs(random.Random(args.seed ^ 0xB1D))
        for p in paragraphs:
            sha.update(p.encode())
        training = {"source": "builtin"}
    words, freq, chain, nsent, ntok = train(paragraphs)
    del paragraphs
    training.update(sentences=nsent, words=ntok, vocabulary=len(words) - 1,
                    states=len(chain), sha256=sha.hexdigest())
    log(f"trained order-2 chain on {ntok} words, {nsent} sentences "
        f"({training['source']}), {len(chain)} states, {time.monotonic() - t0:.1f}s")

    global G_POOL, G_VOCAB, G_SEED
    G_POOL = generate_pool(words, chain, rng, args.pool)
    G_VOCAB = mutation_table(words, freq, args.mutate_alpha)
    G_SEED = args.seed
    del chain
    log(f"pool of {len(G_POOL)} sentences, vocabulary {len(G_VOCAB)}, {time.monotonic() - t0:.1f}s")

    os.makedirs(args.out, exist_ok=True)
    paths = {k: os.path.join(args.out, n) for k, n in
             (("jsonl_zst", "corpus.jsonl.zst"), ("wet_gz", "corpus.warc.wet.gz"), ("txt", "corpus.txt"))}
    tmp = {k: p + ".tmp" for k, p in paths.items()}
    manifest_path = os.path.join(args.out, "corpus.json")
    if os.path.exists(manifest_path):
        os.unlink(manifest_path)  # invalid until rewritten below

    nchunks = max(1, -(-args.size // CHUNK_TEXT_BYTES))
    budgets = [CHUNK_TEXT_BYTES] * (nchunks - 1) + [args.size - CHUNK_TEXT_BYTES * (nchunks - 1)]
    work = list(enumerate(budgets))

    zout = open(tmp["jsonl_zst"], "wb")
    zproc = subprocess.Popen([args.zstd, "-3", "-q", "-c", "--no-progress"],
                             stdin=subprocess.PIPE, stdout=zout)
    wet = open(tmp["wet_gz"], "wb")
    txt = open(tmp["txt"], "wb")
    warcinfo = (b"software: contam bench/gen_corpus.py v%d\r\nformat: WARC File Format 1.0\r\n"
                b"description: synthetic corpus, seed %d\r\n" % (GENERATOR_VERSION, args.seed))
    wet.write(wet_record([
        ("WARC-Type", "warcinfo"),
        ("WARC-Date", "2024-05-18T00:00:00Z"),
        ("WARC-Filename", "corpus.warc.wet.gz"),
        ("WARC-Record-ID", "<urn:uuid:%s>" % uuid_str(random.Random(args.seed))),
        ("Content-Type", "application/warc-fields"),
        ("Content-Length", str(len(warcinfo))),
    ], warcinfo))

    totals = {"documents": 0, "text_bytes": 0, "words": 0, "jsonl_bytes": 0, "txt_bytes": 0}

    def consume(res):
        j, w, t, nd, tb, nw = res
        zproc.stdin.write(j)
        wet.write(w)
        txt.write(t)
        totals["documents"] += nd
        totals["text_bytes"] += tb
        totals["words"] += nw
        totals["jsonl_bytes"] += len(j)
        totals["txt_bytes"] += len(t)
        done = totals["text_bytes"]
        el = time.monotonic() - t0
        if not args.quiet and sys.stderr.isatty():
            print(f"\rgen_corpus: {done / 2**20:8.0f} / {args.size / 2**20:.0f} MiB  {el:6.1f}s",
                  end="", file=sys.stderr, flush=True)

    if args.jobs > 1 and nchunks > 1:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(args.jobs) as p:
            for res in p.imap(make_chunk, work):
                consume(res)
    else:
        for w in work:
            consume(make_chunk(w))
    if not args.quiet and sys.stderr.isatty():
        print(file=sys.stderr)
    zproc.stdin.close()
    if zproc.wait() != 0:
        sys.exit("gen_corpus: zstd failed")
    zout.close()
    wet.close()
    txt.close()
    for k in paths:
        os.replace(tmp[k], paths[k])

    # Approximate n-gram count (whitespace words; contam's tokenizer also splits
    # on punctuation, so its count is somewhat higher): used to size the filter.
    manifest = {
        "generator": "bench/gen_corpus.py", "generator_version": GENERATOR_VERSION,
        "seed": args.seed, "size": args.size, "pool_sentences": len(G_POOL),
        "mutate_every": MUTATE_EVERY, "mutate_alpha": args.mutate_alpha, "training": training,
        **totals,
        "files": {os.path.basename(p): os.path.getsize(p) for p in paths.values()},
        "seconds": round(time.monotonic() - t0, 1),
    }
    with open(manifest_path + ".tmp", "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    os.replace(manifest_path + ".tmp", manifest_path)
    log(f"{totals['documents']} documents, {totals['words']} words, "
        f"{totals['text_bytes'] / 2**20:.1f} MiB of text in {manifest['seconds']}s -> {args.out}")


if __name__ == "__main__":
    main()
