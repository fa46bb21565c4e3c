#!/usr/bin/env python3
"""test_parquet_files.py -- every real Parquet file in ../shared/data/parquet
(SOURCES.md there) is read or rejected with a clear error, and where an
oracle lies beside a file, the strings contam reads equal it.

- `contam cat FILE --text-field '*'` (every string column) must succeed on
  every file except those in EXPECT_FAIL, which must fail with exit 2 and a
  message naming the file and what is wrong (never a traceback, a crash or
  an empty success);
- hyparquet .json oracles: per row, every string value of the oracle is
  among contam's strings, and every string contam reads is an oracle string
  or map key (map keys are object keys in the oracle);
- parquet-testing *_expect.csv oracles: column by column;
- the other oracles (binary_truncated_min_max.expected.jsonl, p2strings.csv,
  dictionary_multipage key counts, the duckdb compression matrix's rows);
- hand-made files (parquet_craft.py): GZIP of two members, hostile claims;
- GSM8K: the Hugging Face split gives the same probe report, example by
  example, as its JSONL (planted copies in a JSONL corpus), and indexing the
  Parquet split gives the same n-grams as indexing the JSONL.

Skips cleanly when ../shared/data/parquet is absent.
"""
import csv
import json
import os
import re
import sys

from clitest import SHARED, Suite, check, contam

S = Suite("test_parquet_files")
PQ = os.path.join(SHARED, "parquet")
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")

# Files that must be rejected, and why (the reader's message must say it).
EXPECT_FAIL = {
    "duckdb/broken/duckdb_fuzzer_4384.parquet": "has no children",
    "duckdb/broken/fuzzer4360.parquet": "has no children",
    "duckdb/broken/fuzzer4362.parquet": "no PAR1 magic",
    "duckdb/broken/fuzzer4381.parquet": "CRC-32",
    "duckdb/broken/internal_6129.parquet": "DELTA_LENGTH_BYTE_ARRAY",
    "duckdb/broken/internal_6165.parquet": "no PAR1 magic",
    "duckdb/broken/issue22325_datapage_v2_neg_compressed_bytes.parquet": "level lengths",
    "duckdb/broken/page_size_corruption.parquet": "does not fit the chunk",
    "duckdb/broken/rle_malicious_bitwidth.parquet": "bit width 63",
    "parquet-testing/bad_data/ARROW-GH-41321.parquet": "damaged levels",
    "parquet-testing/bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet": "does not fit",
    "parquet-testing/bad_data/PARQUET-1481.parquet": "has no children",
    "parquet-testing/nation.dict-malformed.parquet": "does not fit the chunk",
    "parquet-testing/rle-dict-uncompressed-corrupt-checksum.parquet": "CRC-32",
    "parquet-testing/stress/large_string_map.brotli.parquet": "memory ceiling",
    # no string column at all: '*' selects nothing
    "duckdb/broken/issue22325_datapage_v2_negative_def_levels.parquet": "no column '*'",
    "parquet-testing/bad_data/ARROW-GH-43605.parquet": "no column '*'",
    "parquet-testing/bad_data/ARROW-GH-45185.parquet": "no column '*'",
    "parquet-testing/bad_data/ARROW-GH-47662.parquet": "no column '*'",
    "parquet-testing/bad_data/ARROW-RS-GH-6229-LEVELS.parquet": "no column '*'",
    "parquet-testing/concatenated_gzip_members.parquet": "no column '*'",
    "parquet-testing/page_v2_empty_compressed.parquet": "no column '*'",
    "parquet-testing/datapage_v2_empty_datapage.snappy.parquet": "no column '*'",
}


def files():
    out = []
    for d, _, names in os.walk(PQ):
        for n in names:
            if n.endswith(".parquet"):
                out.append(os.path.relpath(os.path.join(d, n), PQ))
    return sorted(out)


def cat(path, field="*"):
    r = contam("cat", "--text-field", field, path, timeout=60)
    docs = [json.loads(l) for l in r.out.split("\n") if l.strip()]
    return r, docs


def strings(v, keys):
    """The strings of an oracle value; object keys go to `keys`."""
    if isinstance(v, str):
        yield v
    elif isinstance(v, list):
        for x in v:
            yield from strings(x, keys)
    elif isinstance(v, dict):
        for k, x in v.items():
            keys.add(k)
            yield from strings(x, keys)


def pieces(texts):
    out = []
    for t in texts:
        out.extend(t.split("\n"))
    return out


@S.test
def every_file_read_or_rejected(c):
    if not os.path.isdir(PQ):
        return "skip"
    fs = files()
    check(len(fs) >= 90, f"only {len(fs)} Parquet files under {PQ}")
    bad = []
    for rel in fs:
        r, docs = cat(os.path.join(PQ, rel))
        if rel in EXPECT_FAIL:
            if r.rc != 2 or EXPECT_FAIL[rel] not in r.err or rel.split("/")[-1] not in r.err:
                bad.append(f"{rel}: expected exit 2 with '{EXPECT_FAIL[rel]}', got "
                           f"{r.rc}: {r.err.strip()[-300:]}")
        elif r.rc != 0:
            bad.append(f"{rel}: exit {r.rc}: {r.err.strip()[-300:]}")
    S.note(f"{len(fs)} files: {len(fs) - len(EXPECT_FAIL)} read, {len(EXPECT_FAIL)} rejected")
    check(not bad, "\n".join(bad))


@S.test
def json_oracles(c):
    if not os.path.isdir(PQ):
        return "skip"
    compared = 0
    bad = []
    for rel in files():
        js = os.path.join(PQ, rel[:-len(".parquet")] + ".json")
        if rel in EXPECT_FAIL or not os.path.exists(js):
            continue
        rows = json.load(open(js, encoding="utf-8"))
        r, docs = cat(os.path.join(PQ, rel))
        check(r.rc == 0, f"{rel}: {r.err}")
        got = {d["record"]: pieces([d["text"]]) for d in docs}
        for i, row in enumerate(rows):
            keys = set()
            want = pieces(list(strings(row, keys)))
            have = got.get(i, [])
            # '\ufffd': contam cat prints invalid UTF-8 so, as JSON does
            # timestamps (INT96/INT64) are strings in the oracle only
            miss = [s for s in want if s not in have and "\ufffd" not in s
                    and not ISO_TIME.match(s)]
            extra = [s for s in have if s not in want and s not in keys
                     and "\ufffd" not in s]
            if miss or extra:
                bad.append(f"{rel} row {i}: missing {miss[:3]}, extra {extra[:3]}")
                break
        extra_rows = [k for k in got if k >= len(rows)]
        if extra_rows:
            bad.append(f"{rel}: rows {extra_rows[:3]} past the oracle's {len(rows)}")
        compared += 1
    S.note(f"{compared} files compared with their .json oracle")
    check(compared >= 20, f"only {compared} oracles compared")
    check(not bad, "\n".join(bad))


@S.test
def csv_oracles(c):
    if not os.path.isdir(PQ):
        return "skip"
    compared = 0
    bad = []
    for rel in files():
        cs = os.path.join(PQ, rel[:-len(".parquet")] + "_expect.csv")
        if not os.path.exists(cs):
            continue
        with open(cs, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        head, body = rows[0], rows[1:]
        path = os.path.join(PQ, rel)
        for j, name in enumerate(head):
            name = name.strip()
            r, docs = cat(path, name)
            if r.rc != 0 and "no column" in r.err:
                r, docs = cat(path, name + ":")
            if r.rc != 0 and "not a string column" in r.err:
                continue  # a number column: not read by a string reader
            check(r.rc == 0, f"{rel} column {name}: {r.err}")
            got = {d["record"]: d["text"] for d in docs}
            for i, row in enumerate(body):
                want = row[j]
                have = got.get(i)
                # an empty unquoted field is null: no document, or ""
                if want == "" and have in (None, ""):
                    continue
                if have != want:
                    bad.append(f"{rel} column {name} row {i}: {have!r} != {want!r}")
                    break
            compared += 1
    S.note(f"{compared} columns compared with *_expect.csv")
    check(compared >= 10, f"only {compared} columns compared")
    check(not bad, "\n".join(bad))


@S.test
def other_oracles(c):
    """The oracles that are neither .json nor *_expect.csv: the strings
    must equal them, row by row (or key counts, for the counted one)."""
    if not os.path.isdir(PQ):
        return "skip"
    compared = 0
    # parquet-testing: one JSON object per row, six string columns
    base = os.path.join(PQ, "parquet-testing", "binary_truncated_min_max")
    if os.path.exists(base + ".expected.jsonl"):
        rows = [json.loads(l) for l in open(base + ".expected.jsonl", encoding="utf-8")]
        for col in rows[0]:
            r, docs = cat(base + ".parquet", col)
            check(r.rc == 0, f"{col}: {r.err}")
            got = [(d["record"], d["text"]) for d in docs]
            want = [(i, row[col]) for i, row in enumerate(rows) if row[col] is not None]
            # the README renders bytes that are not UTF-8 one char a byte;
            # contam cat prints them as U+FFFD
            for k, (i, w) in enumerate(want):
                if k < len(got) and got[k][0] == i and "\ufffd" in got[k][1]:
                    try:
                        w.encode("latin-1").decode("utf-8")
                    except UnicodeError:
                        want[k] = got[k]
            check(got == want, f"binary_truncated_min_max {col}: {got[:3]} != {want[:3]}")
            compared += 1
    # duckdb p2strings.csv: id,id_string without a header, in row order
    p2 = os.path.join(PQ, "duckdb", "p2strings")
    if os.path.exists(p2 + ".csv"):
        with open(p2 + ".csv", newline="", encoding="utf-8") as f:
            want = [row[1] for row in csv.reader(f)]
        r, docs = cat(p2 + ".parquet", "id_string")
        check(r.rc == 0 and [d["text"] for d in docs] == want and
              [d["record"] for d in docs] == list(range(len(want))),
              f"p2strings: {len(docs)} rows, {len(want)} expected")
        compared += 1
    # duckdb dictionary_multipage: how often each key occurs (40 x 1250)
    dm = os.path.join(PQ, "duckdb", "dictionary_multipage")
    if os.path.exists(dm + ".expected_counts.duckdb.tsv"):
        want = {}
        for l in open(dm + ".expected_counts.duckdb.tsv", encoding="utf-8"):
            k, n = l.rstrip("\n").split("\t")
            want[k] = int(n)
        r, docs = cat(dm + ".parquet", "k")
        have = {}
        for d in docs:
            have[d["text"]] = have.get(d["text"], 0) + 1
        check(r.rc == 0 and have == want, f"dictionary_multipage counts differ: {r.err}")
        compared += 1
    # duckdb compression matrix: nested_nulls.string of every row (NULL:
    # no struct; {'string': NULL, ...}: a null string), same in 12 files
    cm = os.path.join(PQ, "duckdb", "compression")
    exp = os.path.join(cm, "expected_rows.duckdb.tsv")
    if os.path.exists(exp):
        want = {}
        for l in open(exp, encoding="utf-8"):
            f = l.rstrip("\n").split("\t")
            m = re.match(r"\{'string': (.*), 'int': .*\}$", f[2])
            if m and m.group(1) != "NULL":
                want[int(f[0])] = m.group(1)
        check(len(want) >= 10, f"only {len(want)} strings in {exp}")
        for n in sorted(os.listdir(cm)):
            if not n.endswith(".parquet"):
                continue
            r, docs = cat(os.path.join(cm, n), "nested_nulls.string")
            have = {d["record"]: d["text"] for d in docs}
            check(r.rc == 0 and have == want, f"{n}: {have} != {want}: {r.err}")
            compared += 1
    S.note(f"{compared} columns compared with the other oracles")
    check(compared >= 15, f"only {compared} compared")


@S.test
def gsm8k_same_report_as_jsonl(c):
    hf = os.path.join(PQ, "huggingface", "gsm8k", "main", "test-00000-of-00001.parquet")
    jl = os.path.join(SHARED, "benchmarks", "gsm8k", "test.jsonl")
    if not (os.path.exists(hf) and os.path.exists(jl)):
        return "skip"
    rows = [json.loads(l) for l in open(jl, encoding="utf-8")]
    corpus = os.path.join(c, "corpus.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for i, r in enumerate(rows):
            if i % 11 == 0:
                t = "A forum post. " + r["question"] + " " + r["answer"]
            elif i % 11 == 5:
                t = "Half of it: " + r["question"]
            else:
                t = f"unrelated filler text {i} about gardening in the spring rain"
            f.write(json.dumps({"text": t}) + "\n")
    idx = os.path.join(c, "g.cidx")
    contam("index", "-q", "-o", idx, corpus).expect(0)
    reps = []
    for b in (jl, hf):
        out = os.path.join(c, os.path.basename(b) + ".json")
        contam("probe", idx, b, "-o", out).expect(0)
        reps.append(json.load(open(out)))
    ex = [[(e["record"], e["verdict"], e["coverage"], e["hits"], e["ngrams"])
           for e in r["examples"]] for r in reps]
    check(len(ex[0]) == len(rows), f"{len(ex[0])} examples from the JSONL")
    check(ex[0] == ex[1], "per-example verdicts differ between JSONL and Parquet")
    counts = [(r["benchmarks"][0]["contaminated"], r["benchmarks"][0]["partial"])
              for r in reps]
    check(counts[0] == counts[1] and counts[0][0] > 0,
          f"verdict counts {counts}")
    # --field on the Parquet split: the columns by name
    out = os.path.join(c, "q.json")
    contam("probe", idx, "--field", "question", hf, "-o", out).expect(0)
    q = json.load(open(out))
    check(len(q["examples"]) == len(rows), "--field question: examples")
    # the split as a corpus: the same n-grams as the JSONL
    a = os.path.join(c, "a.cidx")
    b = os.path.join(c, "b.cidx")
    ra = contam("index", "-o", a, "--text-field", "question", hf).expect(0)
    rb = contam("index", "-o", b, "--text-field", "question", jl).expect(0)
    na = [l for l in ra.err.splitlines() if "wrote" in l]
    nb = [l for l in rb.err.splitlines() if "wrote" in l]
    check(na and nb and na[0].split(":", 2)[2] == nb[0].split(":", 2)[2],
          f"index of Parquet vs JSONL: {na} / {nb}")


@S.test
def clear_errors(c):
    hf = os.path.join(PQ, "huggingface", "gsm8k", "main", "test-00000-of-00001.parquet")
    if not os.path.exists(hf):
        return "skip"
    # the default text column is absent: named, with the columns there are
    r = contam("index", "-o", os.path.join(c, "x.cidx"), hf)
    check(r.rc == 2 and "no column 'text'" in r.err and "'question'" in r.err, r.err)
    # a benchmark --field that does not exist
    r = contam("probe", "--help")
    idx = os.path.join(c, "y.cidx")
    t = os.path.join(c, "t.jsonl")
    open(t, "w").write(json.dumps({"text": "one two three four five six seven eight nine"}) + "\n")
    contam("index", "-q", "-o", idx, t).expect(0)
    r = contam("probe", idx, "--field", "nope", hf)
    check(r.rc == 2 and "no column 'nope'" in r.err, r.err)
    # purify cannot write Parquet back
    r = contam("scan", "--bench", t, "--purify", os.path.join(c, "pur"),
               "--text-field", "question", hf)
    check(r.rc != 0 and "Parquet" in r.err, f"purify of Parquet: {r.rc} {r.err}")
    # --write-clean cannot write a Parquet benchmark's records back:
    # refused before anything is written
    clean = os.path.join(c, "clean")
    r = contam("probe", idx, "--field", "question", "--write-clean", clean, hf,
               "-o", os.path.join(c, "wc.json"))
    check(r.rc != 0 and "Parquet file" in r.err and "convert it to JSONL" in r.err
          and not os.path.exists(clean), f"write-clean of Parquet: {r.rc} {r.err}")
    # an integer column is not read as text
    at = os.path.join(PQ, "parquet-testing", "alltypes_plain.parquet")
    r = contam("cat", "--text-field", "id", at)
    check(r.rc == 2 and "INT32" in r.err and "not a string column" in r.err, r.err)


@S.test
def crafted_files(c):
    """Hand-made files (parquet_craft.py): strings in a GZIP page of two
    members; a page that claims 2^31 nulls in 100 bytes and a dictionary
    that expands past the memory ceiling are refused quickly, in little
    memory, with the file, the column and the ceiling named."""
    import gzip
    import resource
    from parquet_craft import data_page, dict_page, levels, parquet, plain, rle_run
    words = [b"the first string", b"second", b"and a third string here"]
    body = levels(3) + plain(words)
    # two gzip members: the page's bytes split in the middle of a value
    two = gzip.compress(body[:12]) + gzip.compress(body[12:])
    files = {
        "plain.parquet": parquet([data_page(3, body)], 3, 3),
        "gzip2.parquet": parquet([data_page(3, body, two)], 3, 3, codec=2),
    }
    for name, data in files.items():
        path = os.path.join(c, name)
        open(path, "wb").write(data)
        r, docs = cat(path, "text")
        check(r.rc == 0, f"{name}: {r.err}")
        check([d["text"] for d in docs] == [w.decode() for w in words] and
              [d["record"] for d in docs] == [0, 1, 2], f"{name}: {docs}")
    # a gzip page whose members give fewer bytes than the header says
    bad = os.path.join(c, "gzipshort.parquet")
    open(bad, "wb").write(parquet([data_page(3, body, gzip.compress(body[:12]))], 3, 3,
                                  codec=2))
    r, _ = cat(bad, "text")
    check(r.rc == 2 and "gzipshort.parquet" in r.err and "'text'" in r.err and
          "GZIP" in r.err, r.err)
    n = 1 << 31
    hostile = {
        "nulls.parquet": (parquet([data_page(n, levels(n, 0))], n, n),
                          "over the memory ceiling"),
        # one 1 MiB string, 600 rows of it: 600 MiB of text from 1 MiB
        "dict.parquet": (parquet([dict_page([b"x" * (1 << 20)]),
                                  # bit width 1, index 0 600 times
                                  data_page(600, levels(600) + bytes([1]) + rle_run(600, 0),
                                            encoding=8)],
                                 600, 600, has_dict=True),
                         "exceed the memory ceiling"),
    }
    for name, (data, want) in hostile.items():
        path = os.path.join(c, name)
        open(path, "wb").write(data)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        r, _ = cat(path, "text")
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        check(r.rc == 2 and name in r.err and "'text'" in r.err and want in r.err,
              f"{name}: {r.rc} {r.err}")
        if not os.environ.get("ASAN_OPTIONS") and after > before:
            check(after < 1200 * 1024, f"{name}: {after // 1024} MiB resident")


if __name__ == "__main__":
    sys.exit(S.run())
