#!/usr/bin/env python3
"""test_scoring_rules.py -- the scoring rules (docs/SCORING.md) on small generated
cases, through the CLI, against the reference (contam_ref.score_fields).

Generated data only (random words / random CJK ideographs), no ../shared:
  options_vs_question  an option list found in the corpus across its options
                       does not flag the item; a copied question does;
                       --join-fields (the old rule) flags the option lists
  labels_dropped       "A." "(b)" "3)" "[D]" at a field's start are not
                       tokens: a copy of the fields without labels is
                       contaminated; --keep-labels finds nothing
  labels_added         options without labels that a copy pastes as "A. x",
                       "(B) x", inline "C) x" or "D: x": found by the
                       reading with a, b, c, d added (labels_added);
                       --drop-labels misses them
  template_sentence    a sentence every example of the file starts with,
                       present in the corpus, flags none of them (the
                       report counts its n-grams as template); an example
                       copied whole still is; --no-templates flags them all
  cjk_phrase           a 10-character CJK phrase of an item in the corpus
                       does not flag it, a 40-character copy does;
                       --cjk-chars-per-word 1 makes the phrase a flag
  cjk_null_control     --null-control on a CJK benchmark with copied items:
                       the items are flagged, their token-shuffled controls
                       are not (a whitespace shuffle leaves CJK text whole)
Every probe runs with --confirm (exact), and each example's verdict,
coverage and token count must equal the reference's.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import collections
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Suite, check, contam  # noqa: E402
import contam_ref as ref  # noqa: E402

S = Suite("test_scoring_rules")
N = 8

rng0 = random.Random(1313)
VOCAB = ["".join(rng0.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(4000)]
HANZI = [chr(c) for c in rng0.sample(range(0x4E00, 0x9FA5), 3000)]


def words(rng, n):
    return " ".join(rng.choice(VOCAB) for _ in range(n))


def hanzi(rng, n):
    return "".join(rng.choice(HANZI) for _ in range(n))


class Case:
    """A benchmark (question + choices) and a corpus, in their own dir."""

    def __init__(self, tmp, name):
        self.dir = os.path.join(tmp, name)
        os.makedirs(os.path.join(self.dir, "corpus"), exist_ok=True)
        self.items = []
        self.docs = []

    def write(self):
        self.bench = os.path.join(self.dir, "bench.jsonl")
        with open(self.bench, "w", encoding="utf-8") as f:
            for q, ch in self.items:
                f.write(json.dumps({"question": q, "choices": ch}, ensure_ascii=False) + "\n")
        self.corpus = os.path.join(self.dir, "corpus", "docs.jsonl")
        with open(self.corpus, "w", encoding="utf-8") as f:
            for d in self.docs:
                f.write(json.dumps({"text": d}, ensure_ascii=False) + "\n")
        self.ix = os.path.join(self.dir, "c.cidx")
        contam("index", "-q", "-o", self.ix, os.path.join(self.dir, "corpus")).expect(0)
        self.exact = ref.NgramSet()
        for d in self.docs:
            self.exact.add_document(d)

    def probe(self, *opts):
        rep = contam("probe", self.ix, "-q", "--field", "question", "--field", "choices", *opts,
                     self.bench, "--confirm", os.path.join(self.dir, "corpus")).expect(0).json()
        exs = sorted(rep["examples"], key=lambda e: e["record"])
        check(len(exs) == len(self.items), f"{len(exs)} examples of {len(self.items)}")
        return rep, exs

    def compare(self, exs, **kw):
        """Each example's verdict/coverage/tokens against the reference."""
        bad = []
        refs = []
        for e, (q, ch) in zip(exs, self.items):
            r = ref.score_fields([q] + ch, self.exact.keys, **kw)
            refs.append(r)
            if e["verdict"] != r["verdict"] or abs(e["coverage"] - r["coverage"]) > 1e-6 \
                    or e["tokens"] != r["tokens"]:
                bad.append(f"record {e['record']}: contam {e['verdict']} {e['coverage']:.4f} "
                           f"T={e['tokens']}, reference {r['verdict']} {r['coverage']:.4f} T={r['tokens']}")
        check(not bad, "differs from contam_ref.score_fields: " + "; ".join(bad[:4]))
        return refs


def verdicts(exs, idx):
    return collections.Counter(exs[i]["verdict"] for i in idx)


def flagged(v):
    return v in ("partial", "contaminated")


@S.test
def options_vs_question(tmp):
    rng = random.Random(1)
    c = Case(tmp, "options")
    for i in range(24):
        c.items.append((words(rng, 14), [words(rng, 3) for _ in range(4)]))
    for i in range(40):
        c.docs.append(words(rng, 200))
    for i in range(8):               # items 0-7: the option list, one a line
        q, ch = c.items[i]
        c.docs[i] = c.docs[i][:300] + "\n" + "\n".join(ch) + "\n" + c.docs[i][300:]
    for i in range(8, 16):           # items 8-15: the question
        q, ch = c.items[i]
        c.docs[i] = c.docs[i][:300] + " " + q + " " + c.docs[i][300:]
    c.write()
    rep, exs = c.probe()
    c.compare(exs)
    opt, que, none = range(8), range(8, 16), range(16, 24)
    check(not any(flagged(exs[i]["verdict"]) for i in opt), f"option lists flag: {verdicts(exs, opt)}")
    check(all(flagged(exs[i]["verdict"]) for i in que), f"copied questions: {verdicts(exs, que)}")
    check(not any(flagged(exs[i]["verdict"]) for i in none), f"absent items: {verdicts(exs, none)}")
    rep, old = c.probe("--join-fields")
    c.compare(old, joined=True)
    check(all(flagged(old[i]["verdict"]) for i in opt),
          f"--join-fields: option lists {verdicts(old, opt)} (the old rule flags them)")


@S.test
def labels_dropped(tmp):
    """Labels are read both ways: a copy without them (items 0-9) and a
    verbatim copy with them (10-12) are both found, the second by the
    reading that keeps them; --drop-labels misses the verbatim copies and
    --keep-labels the unlabelled ones."""
    rng = random.Random(2)
    c = Case(tmp, "labels")
    forms = ["A. ", "(b) ", "3) ", "[D] "]
    copies = []
    for i in range(16):
        q = words(rng, 6)
        opts = [words(rng, 4) for _ in range(4)]
        c.items.append((q, [f + o for f, o in zip(forms, opts)]))
        if i < 10:
            copies.append(" ".join([q] + opts))
        else:
            copies.append("\n".join([q] + [f + o for f, o in zip(forms, opts)]))
    for i in range(30):
        c.docs.append(words(rng, 150))
    for i in range(13):
        c.docs[i] = c.docs[i][:200] + "\n" + copies[i] + "\n" + c.docs[i][200:]
    c.write()
    rep, exs = c.probe()
    c.compare(exs)
    unlabelled, verbatim, absent = range(10), range(10, 13), range(13, 16)
    check(all(exs[i]["verdict"] == "contaminated" for i in unlabelled),
          f"copies without labels: {verdicts(exs, unlabelled)}")
    check(all(exs[i]["tokens"] == 22 for i in unlabelled), "labels counted as tokens: "
          f"{[exs[i]['tokens'] for i in unlabelled]} (6 + 4 x 4 words = 22)")
    check(not any(exs[i].get("labels_kept") for i in unlabelled),
          "an unlabelled copy is said to be matched with its labels")
    check(all(exs[i]["verdict"] == "contaminated" and exs[i].get("labels_kept")
              and exs[i]["tokens"] == 26 for i in verbatim),
          f"verbatim copies: {[(exs[i]['verdict'], exs[i]['tokens'], exs[i].get('labels_kept')) for i in verbatim]}"
          " (contaminated, 26 tokens with the 4 labels, labels_kept)")
    check(all("choice labels as tokens" in exs[i].get("why", "") for i in verbatim),
          "the why of a verbatim copy does not say its labels were read")
    check(not any(flagged(exs[i]["verdict"]) for i in absent), "absent items flagged")
    check(rep["benchmarks"][0]["scoring"]["labels"] == "either", "scoring.labels is not 'either'")
    rep, dropped = c.probe("--drop-labels")
    c.compare(dropped, labels="dropped")
    check(rep["benchmarks"][0]["scoring"]["labels"] == "dropped", "--drop-labels: scoring.labels")
    check(all(dropped[i]["verdict"] == "contaminated" for i in unlabelled) and
          not any(dropped[i]["verdict"] == "contaminated" for i in verbatim),
          f"--drop-labels: {verdicts(dropped, unlabelled)}, verbatim {verdicts(dropped, verbatim)}")
    rep, kept = c.probe("--keep-labels")
    c.compare(kept, labels="kept")
    check(not any(flagged(kept[i]["verdict"]) for i in unlabelled),
          f"--keep-labels: {verdicts(kept, unlabelled)} (labels break every n-gram)")
    check(all(kept[i]["verdict"] == "contaminated" for i in verbatim),
          f"--keep-labels, verbatim copies: {verdicts(kept, verbatim)}")
    r = contam("probe", c.ix, "--keep-labels", "--drop-labels", c.bench)
    r.expect(1)
    check("exclude each other" in r.err, f"both label options: {r.err.strip()}")


@S.test
def labels_added(tmp):
    """An example without labels whose options a copy pastes as "A. ...",
    "(B) ..." or inline (MMLU's question and option columns): read a
    second time with a, b, c, d added before the options, found with
    labels_added; an unlabelled copy is found as before, absent items are
    not, and --drop-labels (one reading) misses the labelled copies."""
    rng = random.Random(5)
    c = Case(tmp, "added")
    styles = ["\n{l}. {o}", "\n({l}) {o}", " {l}) {o}", "\n{l}: {o}"]
    for i in range(16):
        q = words(rng, 9)
        opts = [words(rng, 3) for _ in range(4)]
        c.items.append((q, opts))
        if i < 12:  # a copy with labels, in one of four layouts
            st = styles[i % 4]
            copy = "Question: " + q + "".join(st.format(l=l, o=o) for l, o in zip("ABCD", opts))
            copy += "\nAnswer: B"
        elif i < 14:  # a copy without labels
            copy = "\n".join([q] + opts)
        else:
            continue
        c.docs.append(words(rng, 80) + "\n" + copy + "\n" + words(rng, 80))
    for i in range(20):
        c.docs.append(words(rng, 150))
    c.write()
    rep, exs = c.probe()
    c.compare(exs)
    labelled, plain, absent = range(12), range(12, 14), range(14, 16)
    check(all(exs[i]["verdict"] == "contaminated" and exs[i].get("labels_added") for i in labelled),
          f"labelled copies: {[(exs[i]['verdict'], exs[i]['coverage'], exs[i].get('labels_added')) for i in labelled]}")
    check(all("labels a, b, c" in exs[i].get("why", "") for i in labelled),
          "the why of a labelled copy does not say labels were added")
    check(all(exs[i]["verdict"] == "contaminated" and not exs[i].get("labels_added")
              for i in plain), f"unlabelled copies: {verdicts(exs, plain)}")
    check(not any(flagged(exs[i]["verdict"]) for i in absent), "absent items flagged")
    rep, dropped = c.probe("--drop-labels")
    c.compare(dropped, labels="dropped")
    check(not any(dropped[i]["verdict"] == "contaminated" for i in labelled),
          f"--drop-labels finds labelled copies: {verdicts(dropped, labelled)}")


@S.test
def template_sentence(tmp):
    rng = random.Random(3)
    c = Case(tmp, "template")
    tpl = words(rng, 16)
    for i in range(40):
        c.items.append((tpl + " " + words(rng, 12), [words(rng, 2) for _ in range(4)]))
    for i in range(30):
        c.docs.append(words(rng, 150))
    c.docs[0] = c.docs[0] + " " + tpl + " " + c.docs[0]
    q, ch = c.items[5]                           # item 5 copied whole
    c.docs[1] = c.docs[1] + "\n" + q + "\n" + "\n".join(ch)
    c.write()
    # the template rule recomputed: n-grams in > 5 % and >= 5 of the examples
    cnt = collections.Counter()
    for q, ch in c.items:
        cnt.update({k for _, k in ref.field_ngrams([q] + ch)[1]})
    tkeys = {k for k, m in cnt.items() if m > 0.05 * len(c.items) and m >= 5}
    check(len(tkeys) == 16 - N + 1, f"{len(tkeys)} template n-grams recomputed, 9 expected")
    rep, exs = c.probe()
    c.compare(exs, templates=tkeys)
    others = [i for i in range(40) if i != 5]
    check(not any(flagged(exs[i]["verdict"]) for i in others),
          f"the shared template flags: {verdicts(exs, others)}")
    check(flagged(exs[5]["verdict"]), f"the item copied whole: {exs[5]['verdict']}")
    t = rep["benchmarks"][0]["scoring"]["template"]
    check(t["distinct_ngrams"] == 9 and t["share"] == 0.05, f"report's template: {t}")
    check(all(e["template_ngrams"] == 9 for e in exs), "per-example template_ngrams != 9")
    rep, off = c.probe("--no-templates")
    c.compare(off)
    check(all(flagged(off[i]["verdict"]) for i in others),
          f"--no-templates: {verdicts(off, others)} (the template is 16 words in the corpus)")


@S.test
def cjk_phrase(tmp):
    rng = random.Random(4)
    c = Case(tmp, "cjk")
    for i in range(20):
        c.items.append((hanzi(rng, 40), [hanzi(rng, 2) for _ in range(2)]))
    for i in range(30):
        c.docs.append(hanzi(rng, 400))
    for i in range(6):                 # items 0-5: a 10-character phrase
        q = c.items[i][0]
        c.docs[i] = c.docs[i][:150] + q[12:22] + c.docs[i][150:]
    for i in range(6, 12):             # items 6-11: the 40-character question
        c.docs[i] = c.docs[i][:150] + c.items[i][0] + c.docs[i][150:]
    c.write()
    rep, exs = c.probe()
    c.compare(exs)
    phrase, copy = range(6), range(6, 12)
    check(not any(flagged(exs[i]["verdict"]) for i in phrase), f"10-char phrases flag: {verdicts(exs, phrase)}")
    check(all(flagged(exs[i]["verdict"]) for i in copy), f"40-char copies: {verdicts(exs, copy)}")
    check(not any(flagged(exs[i]["verdict"]) for i in range(12, 20)), "absent CJK items flagged")
    rep, w1 = c.probe("--cjk-chars-per-word", "1")
    c.compare(w1, cjk=1)
    check(all(flagged(w1[i]["verdict"]) for i in phrase),
          f"--cjk-chars-per-word 1: phrases {verdicts(w1, phrase)} (10 characters = 10 words)")


@S.test
def short_items_are_not_llama2_clean(tmp):
    """Examples too short to score are in no Llama 2 bucket (they were
    counted clean: a benchmark of short items, every one of them in the
    corpus, read llama2 clean 100%), and --fail-above does not pass a
    benchmark none of whose examples was scored."""
    rng = random.Random(7)
    c = Case(tmp, "short")
    for _ in range(4):
        q = words(rng, 5)
        c.items.append((q, []))
        c.docs.append(words(rng, 30) + " " + q + " " + words(rng, 30))
    c.write()
    out = os.path.join(c.dir, "r.json")
    r = contam("probe", c.ix, "-o", out, "--field", "question", "--fail-above", "0",
               c.bench).expect(3)
    check("none of its 4 examples was scored" in r.err, r.err[-400:])
    rep = json.load(open(out))
    b = rep["benchmarks"][0]
    l2 = b["definitions"]["llama2"]
    check(b["too_short"] == 4 and l2["too_short"] == 4 and l2["clean"]["count"] == 0 and
          l2["not_dirty"]["count"] == 0, f"llama2: {l2}")
    check(all(e["definitions"]["llama2"]["bucket"] == "too_short" for e in rep["examples"]),
          f"buckets: {[e['definitions']['llama2'] for e in rep['examples']]}")
    # every rendered format says what its n holds but nothing scored
    for fmt, want in (("md", "Not scored"), ("latex", "\\item Not scored"),
                      ("html", "<b>Not scored</b>"), ("csv", "4 of 4 examples too short")):
        o = contam("report", "--format", fmt, out).expect(0).out
        check(want in o and "4 of 4 examples too short to score" in o, f"report {fmt}: {o[-400:]}")


@S.test
def cjk_null_control(tmp):
    rng = random.Random(5)
    c = Case(tmp, "cjknull")
    for i in range(60):
        c.items.append((hanzi(rng, 40), [hanzi(rng, 3) for _ in range(4)]))
    for i in range(40):
        c.docs.append(hanzi(rng, 300))
    for i in range(6):
        q, ch = c.items[i]
        c.docs[i] = c.docs[i][:100] + q + "\n" + "\n".join(ch) + "\n" + c.docs[i][100:]
    c.write()
    rep, exs = c.probe("--null-control")
    c.compare(exs)
    b = rep["benchmarks"][0]
    real = b["partial"] + b["contaminated"]
    nc = b["null_control"]
    print(f"  CJK: {real} flagged of 60, null control {nc['flagged']['count']} of {nc['examples']}")
    check(real == 6, f"{real} flagged, 6 copied")
    check(nc["examples"] == 60, f"null control over {nc['examples']} examples")
    check(nc["flagged"]["count"] == 0, f"null control flags {nc['flagged']['count']}: the shuffle "
          "does not shuffle CJK tokens")


def main():
    return S.run()


if __name__ == "__main__":
    sys.exit(main())
