"""report_fixtures.py -- probe report JSONs in the published schema
(docs/REPORT.md section 3) for the `contam report` tests: any number of
benchmarks x corpora, with known counts, so the renderers can be checked
at paper scale without indexing three corpora.  Wilson intervals are
computed as the probe computes them (z = 1.96)."""
import json
import math
import os
import random

NAMES = ["gsm8k/test", "mmlu/high_school_european_history", "arc/ARC-Challenge-Test",
         "hellaswag/validation", "truthfulqa/mc", "winogrande/dev", "piqa/valid",
         "bigbench_hard/logical_deduction_five_objects", "boolq/val", "sciq/test",
         "openbookqa/test", "commonsenseqa/dev", "squad/dev-v2.0", "triviaqa/verified-web-dev",
         "lambada/test", "humaneval/test", "mbpp/test", "math/algebra", "siqa/dev", "copa/test"]
LABELS = ["Common Crawl 2025-05", "C4 (en, 2019-04)", "Dolma v1.7"]


def wilson(k, n, z=1.959963984540054):
    if n == 0:
        return [0.0, 0.0]
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return [max(0.0, c - h), min(1.0, c + h)]


def g6(v):
    return float("%.6g" % v)


def rate(k, n):
    lo, hi = wilson(k, n)
    return {"count": k, "n": n, "rate": g6(k / n if n else 0), "ci95": [g6(lo), g6(hi)]}


def benchmark(name, n, rng, null=True):
    cont = rng.randint(0, max(1, n // 12))
    part = rng.randint(0, max(1, n // 20))
    gpt3 = min(n, cont + part + rng.randint(0, 3))
    palm = rng.randint(0, cont)
    dirty = rng.randint(0, cont + 1) if cont + 1 <= n else cont
    notclean = min(n, dirty + rng.randint(0, part + 2))
    b = {"name": name, "sources": [name + ".jsonl"], "examples": n, "contaminated": cont,
         "partial": part, "clean": n - cont - part, "too_short": 0,
         "contaminated_rate": g6(cont / n), "partial_rate": g6(part / n),
         "expected_false_contaminated": g6(rng.random() * 0.01), "scored": n,
         "definitions": {
             "contam": {"available": True, "min_span": 10, "contaminated": rate(cont, n),
                        "partial": rate(part, n), "flagged": rate(cont + part, n),
                        "expected_false_contaminated": g6(rng.random() * 0.01),
                        "expected_false_flagged": g6(rng.random() * 3)},
             "gpt3": {"available": True, "min_tokens": 13, "run_of_hits": 6,
                      "approximation": "a span of >= 13 tokens is a chain of >= 6 overlapping 8-gram hits",
                      "contaminated": rate(gpt3, n), "expected_false": g6(rng.random() * 8)},
             "palm": {"available": True, "min_overlap": 0.7, "contaminated": rate(palm, n),
                      "expected_false": g6(rng.random() * 0.1)},
             "llama2": {"available": True, "min_span": 10, "approximation": "Llama 2 matched skip-grams",
                        "clean": rate(n - notclean, n), "not_clean": rate(notclean, n),
                        "not_dirty": rate(n - dirty, n), "dirty": rate(dirty, n),
                        "expected_false_dirty": g6(rng.random() * 0.01),
                        "expected_false_not_clean": g6(rng.random() * 2)},
             "longest": {"available": True, "max": rng.randint(0, 80), "mean": 3.5}},
         "coverage_histogram": [n - cont - part, 0, part, 0, 0, 0, 0, 0, 0, cont]}
    if null:
        nc = rng.randint(0, 2)
        b["null_control"] = {"examples": n, "contaminated": rate(0, n), "partial": rate(nc, n),
                             "flagged": rate(nc, n), "gpt3": rate(rng.randint(0, 3), n),
                             "palm": rate(0, n), "llama2_dirty": rate(0, n),
                             "llama2_not_clean": rate(nc, n), "estimates": "shuffled"}
    return b


def report(label, index, benches, null=True, seed=1):
    rng = random.Random(seed)
    bs = [benchmark(name, n, rng, null) for name, n in benches]
    r = {"report_version": 1, "tool": {"name": "contam", "version": "0.1.0"}}
    if label is not None:
        r["label"] = label
    r["index"] = {"path": index, "ngram": 8, "recipe": "nfkc-casefold-alnum-cjk/v1",
                  "fpr": 0.0012, "ngrams_inserted": 123456, "documents": 1000, "fill": 0.19,
                  "k": 8, "filter_bytes": 1048576, "min_span": 10, "seed": "0x636f6e74616d3031",
                  "winnow": 0, "inputs": 12, "inputs_digest": "0123456789abcdef"}
    r["options"] = {"min_span": 10, "fields": ["question"], "null_control": null}
    r["benchmarks"] = bs
    r["examples"] = []
    return r


def write_set(tmp, nbench=20, ncorpora=3, split=False, sizes=None):
    """ncorpora corpora x nbench benchmarks; split: one report file per
    benchmark and corpus (as one probe run per benchmark writes them)."""
    rng = random.Random(5)
    benches = [(NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else f"_{i}"),
                sizes[i] if sizes else rng.choice([100, 250, 500, 1000, 1319, 14042]))
               for i in range(nbench)]
    paths = []
    for c in range(ncorpora):
        label = LABELS[c % len(LABELS)]
        index = f"/data/idx/corpus{c}.cidx"
        if split:
            for j, b in enumerate(benches):
                p = os.path.join(tmp, f"c{c}_b{j}.json")
                json.dump(report(label, index, [b], seed=100 * c + j), open(p, "w"))
                paths.append(p)
        else:
            p = os.path.join(tmp, f"c{c}.json")
            json.dump(report(label, index, benches, seed=c + 1), open(p, "w"))
            paths.append(p)
    return paths, benches
