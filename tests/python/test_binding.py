"""test_binding.py -- the Python binding (python/, `import contam`).

Run by meson with PYTHONPATH at build/python; skips (exit 77) when the
module was not built.  Environment: CONTAM_BIN (the CLI, for the identity
checks), CONTAM_SOURCE_ROOT, CONTAM_SHARED_DATA.
"""
import csv
import json
import os
import pickle
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("CONTAM_SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("CONTAM_BIN") or os.path.join(ROOT, "build", "src", "cli", "contam")
SHARED = os.environ.get("CONTAM_SHARED_DATA") or os.path.join(ROOT, "..", "shared", "data")
CORPUS = os.path.join(ROOT, "testdata", "corpus")
BENCH = os.path.join(ROOT, "testdata", "bench", "demo.jsonl")

try:
    import contam
except ImportError as e:  # not built (-Dpython=disabled, no python3-dev)
    print(f"SKIP: contam module not importable: {e}")
    sys.exit(77)


def cli(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    if r.returncode:
        raise AssertionError(f"contam {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return r


def per_example(examples):
    # the per-example results; `source` is the file path from the CLI and
    # the benchmark name from Python
    return [{k: v for k, v in e.items() if k != "source"} for e in examples]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class Dataset:
    """Duck-typed datasets.Dataset: __len__/__getitem__ giving dicts, no
    __iter__ of its own beyond the sequence protocol."""

    def __init__(self, rows):
        self._rows = rows

    def __len__(self):
        return len(self._rows)

    def __getitem__(self, i):
        if not 0 <= i < len(self._rows):
            raise IndexError(i)
        return dict(self._rows[i])


def big_corpus(d, files=16, lines=15000):
    """A generated corpus that takes seconds to index (copies of one
    file: the work is per byte)."""
    r = random.Random(7)
    vocab = ["".join(r.choices("abcdefghijklmnopqrstuvwxyz", k=r.randint(3, 9)))
             for _ in range(20000)]
    first = os.path.join(d, "big0.jsonl")
    with open(first, "w") as f:
        for _ in range(lines):
            f.write(json.dumps({"text": " ".join(r.choices(vocab, k=200))}) + "\n")
    for i in range(1, files):
        shutil.copyfile(first, os.path.join(d, f"big{i}.jsonl"))
    return d


class Binding(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="contam-py-")
        cls.ix_path = os.path.join(cls.tmp, "c.cidx")
        contam.build(cls.ix_path, [CORPUS])
        cls.ix = contam.Index.open(cls.ix_path)
        cls.cli_ix = os.path.join(cls.tmp, "cli.cidx")
        cli("index", "-q", "-o", cls.cli_ix, CORPUS)
        cls.cli_report = os.path.join(cls.tmp, "cli.json")
        cli("probe", "-q", cls.ix_path, BENCH, "-o", cls.cli_report)
        with open(cls.cli_report, encoding="utf-8") as f:
            cls.cli_json = json.load(f)
        cls.big = None

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def big_dir(cls):
        if cls.big is None:
            d = os.path.join(cls.tmp, "big")
            os.mkdir(d)
            cls.big = big_corpus(d)
        return cls.big

    # ---- build, open, info ---------------------------------------------

    def test_build_same_file_as_cli(self):
        with open(self.ix_path, "rb") as a, open(self.cli_ix, "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_info(self):
        i = self.ix.info()
        self.assertEqual(i["ngram"], 8)
        self.assertEqual(i["recipe"], "nfkc-casefold-alnum-cjk/v1")
        self.assertGreater(i["documents"], 10)
        self.assertTrue(any(e["path"].endswith("plain.jsonl") for e in i["inputs"]))
        whole = contam.Index.open(self.ix_path, mmap=False).info()
        self.assertEqual(whole["bits_set"], i["bits_set"])

    def test_contains_ngrams(self):
        q = read_jsonl(BENCH)[0]["question"]
        hits = self.ix.contains_ngrams(q)
        self.assertGreater(len(hits), 10)
        self.assertTrue(all(isinstance(h, bool) for h in hits))
        self.assertGreater(sum(hits), len(hits) // 2)
        self.assertEqual(self.ix.contains_ngrams("too short"), [])
        miss = self.ix.contains_ngrams("zq " * 3 + " ".join(f"w{i}x" for i in range(30)))
        self.assertLess(sum(miss), 3)

    # ---- probe: the CLI's answers --------------------------------------

    def test_probe_dicts_same_as_cli(self):
        r = self.ix.probe(read_jsonl(BENCH), name="demo")
        self.assertEqual(per_example(r.examples), per_example(self.cli_json["examples"]))
        self.assertEqual(r.benchmarks[0]["contaminated"],
                         self.cli_json["benchmarks"][0]["contaminated"])
        self.assertTrue(any(e["verdict"] == "contaminated" for e in r.examples))
        self.assertTrue(any(e["verdict"] == "clean" for e in r.examples))
        self.assertEqual(r.warnings, [])  # nothing odd in how it was read
        self.assertTrue(r.benchmarks[0]["fields_auto"])

    def test_probe_path_same_as_cli(self):
        r = self.ix.probe(BENCH)
        self.assertEqual(r.examples, self.cli_json["examples"])
        self.assertEqual(r.benchmarks, self.cli_json["benchmarks"])

    def test_probe_dataset_and_strings(self):
        rows = read_jsonl(BENCH)
        fields = ["question", "answer"]
        want = self.ix.probe(rows, fields=fields, name="demo")
        ds = self.ix.probe(Dataset(rows), fields=fields, name="demo")
        self.assertEqual(ds.examples, want.examples)
        # strings: one example each, as a txt benchmark of one line each
        texts = [r["question"] for r in rows]
        s = self.ix.probe(texts, name="q")
        byfield = self.ix.probe(rows, fields=["question"], name="q")
        self.assertEqual(per_example(s.examples), per_example(byfield.examples))
        self.assertEqual(len(s), len(rows))

    def test_probe_dotted_fields(self):
        rows = [{"q": {"stem": r["question"]}, "a": r["answer"]} for r in read_jsonl(BENCH)]
        r = self.ix.probe(rows, fields="q.stem")
        flat = self.ix.probe([x["q"]["stem"] for x in rows])
        self.assertEqual([e["verdict"] for e in r.examples],
                         [e["verdict"] for e in flat.examples])

    def test_probe_options_same_as_cli(self):
        out = os.path.join(self.tmp, "opt.json")
        cli("probe", "-q", self.ix_path, BENCH, "--field", "question", "--id-field", "id",
            "--min-span", "13", "-o", out)
        with open(out, encoding="utf-8") as f:
            want = json.load(f)
        r = self.ix.probe(read_jsonl(BENCH), fields=["question"], id_field="id", min_span=13,
                          name="demo")
        self.assertEqual(per_example(r.examples), per_example(want["examples"]))

    def test_probe_layout_options_same_as_cli(self):
        """no_header, header and lines_per_record read a file as the CLI's
        --no-header, --header and --lines-per-record do; the refusal names
        the argument, not the flag."""
        with open(BENCH, encoding="utf-8") as f:
            recs = [json.loads(x) for x in f if x.strip()]
        headerless = os.path.join(self.tmp, "nohead.csv")
        with open(headerless, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            for e in recs:
                w.writerow([e["question"], e.get("answer", "")])
        twolines = os.path.join(self.tmp, "two.txt")
        with open(twolines, "w", encoding="utf-8") as f:
            for e in recs:
                f.write(e["question"].replace("\n", " ") + "\n" +
                        str(e.get("answer", "")).replace("\n", " ") + "\n")
        with self.assertRaises(contam.FormatError) as cm:
            self.ix.probe(headerless)
        self.assertIn("no_header=True", str(cm.exception))
        self.assertNotIn("--no-header", str(cm.exception))
        for path, flags, kw in ((headerless, ["--no-header"], {"no_header": True}),
                                (twolines, ["--lines-per-record", "2"],
                                 {"lines_per_record": 2})):
            out = os.path.join(self.tmp, "layout.json")
            cli("probe", "-q", self.ix_path, path, *flags, "-o", out)
            with open(out, encoding="utf-8") as f:
                want = json.load(f)
            r = self.ix.probe(path, **kw)
            self.assertEqual(per_example(r.examples), per_example(want["examples"]))
        with self.assertRaises(contam.ParamError):
            self.ix.probe(headerless, no_header=True, header=True)

    def test_shared_benchmark_same_as_cli(self):
        bench = os.path.join(SHARED, "benchmarks", "gsm8k", "test.jsonl")
        c4 = os.path.join(SHARED, "corpus", "c4")
        if not os.path.exists(bench) or not os.path.isdir(c4):
            self.skipTest("no ../shared/data")
        rows = read_jsonl(bench)
        # a corpus with every third of the first 300 questions planted in it
        d = os.path.join(self.tmp, "gsm")
        os.mkdir(d)
        with open(os.path.join(d, "planted.jsonl"), "w", encoding="utf-8") as f:
            for r in rows[:300:3]:
                f.write(json.dumps({"text": "Some page.\n" + r["question"]}) + "\n")
        ix_path = os.path.join(self.tmp, "gsm.cidx")
        contam.build(ix_path, [d, c4])
        out = os.path.join(self.tmp, "gsm.json")
        cli("probe", "-q", ix_path, bench, "--field", "question", "--field", "answer",
            "-o", out)
        with open(out, encoding="utf-8") as f:
            want = json.load(f)
        ix = contam.Index.open(ix_path)
        r = ix.probe(rows, fields=["question", "answer"], name="gsm8k/test")
        self.assertEqual(per_example(r.examples), per_example(want["examples"]))
        self.assertEqual(len(r), len(rows))
        verdicts = {e["verdict"] for e in r.examples}
        self.assertTrue({"clean", "partial"} <= verdicts or {"clean", "contaminated"} <= verdicts,
                        verdicts)
        byfile = ix.probe(bench, fields=["question", "answer"])
        self.assertEqual(byfile.examples, want["examples"])
        self.assertEqual(byfile.benchmarks, want["benchmarks"])
        self.assertEqual(r.clean_indices(), [i for i, e in enumerate(want["examples"])
                                             if e["verdict"] in ("clean", "too_short")])

    # ---- the report ----------------------------------------------------

    def test_report_outputs(self):
        r = self.ix.probe(read_jsonl(BENCH), name="demo", id_field="id")
        self.assertEqual(json.loads(r.to_json())["examples"], r.examples)
        self.assertIn("| demo |", r.render("md"))
        self.assertIn("\\begin{tabular", r.render("latex"))
        self.assertIn("<table", r.render("html"))
        self.assertIn("demo", r.table())
        with self.assertRaises(contam.ParamError):
            r.render("nope")
        clean = r.clean_indices()
        flagged = r.flagged_indices()
        self.assertEqual(sorted(clean + flagged), list(range(len(r))))
        for i in clean:
            self.assertIn(r.examples[i]["verdict"], ("clean", "too_short"))
        for i in flagged:
            self.assertIn(r.examples[i]["verdict"], ("partial", "contaminated"))
        g = r.clean_indices(definition="gpt3")
        self.assertEqual(g, [i for i, e in enumerate(r.examples)
                             if not e["definitions"]["gpt3"]])
        s = r.to_lm_eval_samples("demo")
        self.assertEqual(list(s), ["demo"])
        self.assertEqual(s["demo"], [r.examples[i]["id"] for i in clean])
        noid = self.ix.probe(Dataset(read_jsonl(BENCH)), name="demo")
        self.assertEqual(noid.to_lm_eval_samples("t")["t"], noid.clean_indices())
        # a report loaded from JSON answers the same
        back = contam.Report(r.to_json())
        self.assertEqual(back.clean_indices(), clean)
        self.assertEqual(back.clean_indices("llama2"), r.clean_indices("llama2"))
        self.assertEqual(back.clean_indices("palm"), r.clean_indices("palm"))

    def test_pickle(self):
        ix = pickle.loads(pickle.dumps(self.ix))
        self.assertIsInstance(ix, contam.Index)
        self.assertEqual((ix.path, ix.mmap), (self.ix.path, self.ix.mmap))
        self.assertEqual(ix.info(), self.ix.info())
        r = self.ix.probe(BENCH)
        r2 = pickle.loads(pickle.dumps(r))
        self.assertEqual(r2.examples, r.examples)
        self.assertEqual(r2.clean_indices(), r.clean_indices())
        self.assertEqual(pickle.dumps(self.ix), pickle.dumps(contam.Index.open(self.ix_path)))

    # ---- errors --------------------------------------------------------

    def test_errors(self):
        with self.assertRaises(contam.IOError) as c:
            contam.Index.open(os.path.join(self.tmp, "missing.cidx"))
        self.assertIsInstance(c.exception, OSError)
        self.assertIn("missing.cidx", str(c.exception))
        self.assertIn("No such file", str(c.exception))
        self.assertEqual(c.exception.code, -2)
        bad = os.path.join(self.tmp, "trunc.cidx")
        with open(self.ix_path, "rb") as f, open(bad, "wb") as g:
            g.write(f.read()[:3000])
        with self.assertRaises(contam.CorruptError) as c:
            contam.Index.open(bad)
        self.assertIn("trunc.cidx", str(c.exception))
        flip = os.path.join(self.tmp, "flip.cidx")
        with open(self.ix_path, "rb") as f:
            b = bytearray(f.read())
        b[len(b) // 2] ^= 0xff
        with open(flip, "wb") as g:
            g.write(b)
        with self.assertRaises(contam.Error):
            contam.Index.open(flip, mmap=False)
        with self.assertRaises(contam.FormatError):
            contam.Index.open(BENCH)
        with self.assertRaises(contam.FormatError) as c:
            self.ix.probe(read_jsonl(BENCH), fields=["nope"])
        self.assertIn("nope", str(c.exception))
        with self.assertRaises(contam.IOError):
            self.ix.probe(os.path.join(self.tmp, "missing.jsonl"))
        with self.assertRaises(contam.Error):
            contam.build(os.path.join(self.tmp, "x.cidx"), [os.path.join(self.tmp, "nothing")])
        with self.assertRaises(TypeError):
            self.ix.probe([1, 2])
        with self.assertRaises(contam.ParamError):
            self.ix.probe([])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.cidx")))

    def test_build_options_and_progress(self):
        seen = []
        out = os.path.join(self.tmp, "o.cidx")
        contam.build(out, os.path.join(CORPUS, "plain.jsonl"), ngram=5, fpr=1e-4, threads=1,
                     progress=seen.append)
        cli_out = os.path.join(self.tmp, "o-cli.cidx")
        cli("index", "-q", "-n", "5", "--fpr", "1e-4", "-t", "1", "-o", cli_out,
            os.path.join(CORPUS, "plain.jsonl"))
        with open(out, "rb") as a, open(cli_out, "rb") as b:
            self.assertEqual(a.read(), b.read())
        self.assertEqual(contam.Index.open(out).info()["ngram"], 5)
        with self.assertRaises(TypeError):
            contam.build(out, [CORPUS], progress=3)
        # a long build reports progress on the calling thread
        calls = []
        contam.build(os.path.join(self.tmp, "p.cidx"), [self.big_dir()],
                     progress=lambda p: calls.append((threading.get_ident(), p["bytes_done"])))
        self.assertGreater(len(calls), 1)
        self.assertEqual({t for t, _ in calls}, {threading.get_ident()})
        self.assertEqual([b for _, b in calls], sorted(b for _, b in calls))

    # ---- scan, impact --------------------------------------------------

    def test_scan(self):
        res = contam.scan(BENCH, [CORPUS], fields=["question", "answer"])
        hits = list(res)
        self.assertTrue(hits)
        self.assertTrue(all(isinstance(h, dict) for h in hits))
        out = os.path.join(self.tmp, "scan.json")
        hout = os.path.join(self.tmp, "hits.jsonl")
        cli("scan", "-q", "--bench", BENCH, CORPUS, "--field", "question", "--field", "answer",
            "-o", hout, "--report", out)
        self.assertEqual(hits, read_jsonl(hout))
        self.assertEqual(next(res), hits[0])
        with open(out, encoding="utf-8") as f:
            want = json.load(f)
        self.assertEqual(res.report.examples, want["examples"])
        mem = contam.scan(read_jsonl(BENCH), CORPUS, fields=["question", "answer"], name="demo")
        self.assertEqual(per_example(mem.report.examples), per_example(want["examples"]))

    def test_impact(self):
        rows = read_jsonl(BENCH)
        samples = os.path.join(self.tmp, "samples_demo_2024-01-01T00-00-00.jsonl")
        with open(samples, "w", encoding="utf-8") as f:
            for i, r in enumerate(rows):
                f.write(json.dumps({"doc_id": i, "doc": r, "target": r["answer"],
                                    "filter": "none", "metrics": ["acc"],
                                    "acc": float(i % 3 == 0)}) + "\n")
        rep = self.ix.probe(samples, fields="doc.question", id_field="doc_id")
        rpath = os.path.join(self.tmp, "imp.json")
        rep.save(rpath)
        im = contam.impact(rep, samples, resamples=200, permutations=200)
        cli_md = cli("impact", rpath, samples, "--resamples", "200", "--permutations",
                     "200").stdout
        self.assertEqual(im.render("md"), cli_md)
        cli_json = json.loads(cli("impact", rpath, samples, "--resamples", "200",
                                  "--permutations", "200", "--format", "json").stdout)
        self.assertEqual(im.data, cli_json)
        self.assertTrue(cli_json)
        for k in cli_json:
            self.assertEqual(im[k], cli_json[k])
        wout = os.path.join(self.tmp, "clean_samples.json")
        cli("impact", rpath, samples, "--resamples", "200", "--permutations", "200",
            "--write-samples", wout)
        with open(wout, encoding="utf-8") as f:
            self.assertEqual(im.clean_samples, json.load(f))
        self.assertEqual(contam.impact(rpath, [samples], resamples=200,
                                       permutations=200).data, im.data)
        # a Report never saved: the outputs do not name a temporary file
        unsaved = self.ix.probe(samples, fields="doc.question", id_field="doc_id")
        im2 = contam.impact(unsaved, samples, resamples=200, permutations=200)
        self.assertEqual(im2.data["report"], "(unsaved contam.Report)")
        for fmt in ("md", "latex", "json"):
            self.assertIn("(unsaved contam.Report)", im2.render(fmt), fmt)
            self.assertNotIn("report.json", im2.render(fmt), fmt)
        self.assertEqual(im2.data["tasks"], im.data["tasks"])
        self.assertTrue(im.data["tasks"])

    def test_bad_numbers(self):
        # the C side takes 32-bit unsigned counts: a negative or too big
        # number must be refused, not wrapped (min_span=-1 was 4294967295)
        rows = read_jsonl(BENCH)
        for ms in (0, -1, 2**32 + 3):
            with self.assertRaises(contam.ParamError, msg=ms) as c:
                self.ix.probe(rows, min_span=ms)
            self.assertIn("min_span", str(c.exception))
            self.assertEqual(c.exception.code, -5)
        with self.assertRaises(TypeError):
            self.ix.probe(rows, min_span=2.5)
        out = os.path.join(self.tmp, "bad", "n.cidx")
        os.makedirs(os.path.dirname(out))
        for kw in ({"ngram": -1}, {"ngram": 2**32 + 8}, {"ngram": 33}, {"threads": 0},
                   {"threads": -1}, {"memory": -5}):
            with self.assertRaises(contam.ParamError, msg=kw) as c:
                contam.build(out, [CORPUS], **kw)
            self.assertIn(next(iter(kw)), str(c.exception))
        with self.assertRaises(contam.ParamError):
            contam.scan(BENCH, [CORPUS], min_span=-1)
        with self.assertRaises(contam.ParamError):
            self.ix.probe(rows, near_dup=True, near_dup_bands=-1)
        self.assertEqual(os.listdir(os.path.dirname(out)), [])
        with self.assertRaises(contam.ParamError) as c:
            contam.impact(self.cli_report, [BENCH], resamples=-1)
        self.assertIn("resamples", str(c.exception))
        with self.assertRaises(TypeError) as c:
            self.ix.contains_ngrams(b"some bytes")
        self.assertIn("str", str(c.exception))

    def test_examples_mistakes(self):
        # a DatasetDict (a dict of splits) would be probed as its split
        # names; a str of text is read as a path, and the error says so
        with self.assertRaises(TypeError) as c:
            self.ix.probe({"test": read_jsonl(BENCH)})
        self.assertIn("split", str(c.exception))
        with self.assertRaises(contam.IOError) as c:
            self.ix.probe("How many eggs does Janet sell?")
        self.assertIn("cannot open", str(c.exception))
        self.assertIn("probe([text])", str(c.exception))
        with self.assertRaises(contam.IOError) as c:
            self.ix.probe(os.path.join(self.tmp, "missing.jsonl"))
        self.assertNotIn("probe([text])", str(c.exception))
        with self.assertRaises(contam.IOError) as c:
            contam.scan("some words of text", [CORPUS])
        self.assertIn("probe([text])", str(c.exception))

    def test_error_classes(self):
        # e.code on every contam.Error, also one raised by the Python layer
        want = {"IOError": -2, "CorruptError": -3, "FormatError": -4, "ParamError": -5,
                "LimitError": -6}
        for name, code in want.items():
            cls = getattr(contam, name)
            self.assertTrue(issubclass(cls, contam.Error), name)
            self.assertEqual(cls.code, code, name)
            self.assertTrue(cls.__doc__, name)
        self.assertIsNone(contam.Error.code)
        with self.assertRaises(contam.ParamError) as c:
            self.ix.probe(read_jsonl(BENCH), definition="gpt4")
        self.assertEqual(c.exception.code, -5)
        with self.assertRaises(contam.IOError) as c:
            contam.Index.open(os.path.join(self.tmp, "missing.cidx"))
        e = pickle.loads(pickle.dumps(c.exception))
        self.assertEqual((type(e), e.code, str(e)),
                         (contam.IOError, -2, str(c.exception)))

    def test_tqdm_progress(self):
        # progress=True with a tqdm module (a stand-in: tqdm is not a
        # dependency): a bar is made, advanced to the total and closed
        import types
        bars = []

        class Bar:
            def __init__(self, total=None, **kw):
                self.total, self.n, self.closed = total, 0, False
                bars.append(self)

            def update(self, k):
                self.n += k

            def close(self):
                self.closed = True
        fake = types.ModuleType("tqdm")
        fake.tqdm = Bar
        saved = sys.modules.get("tqdm")
        sys.modules["tqdm"] = fake
        try:
            contam.build(os.path.join(self.tmp, "tq.cidx"), [self.big_dir()], progress=True)
            self.assertEqual(len(bars), 1)
            self.assertTrue(bars[0].closed)
            self.assertEqual(bars[0].n, bars[0].total)
            self.assertGreater(bars[0].total, 0)
            # closed on an error too
            bars.clear()
            out = os.path.join(self.tmp, "tq2.cidx")
            main = threading.get_ident()
            t = threading.Timer(0.6, signal.pthread_kill, (main, signal.SIGINT))
            t.start()
            with self.assertRaises(KeyboardInterrupt):
                try:
                    contam.build(out, [self.big_dir()], progress=True)
                finally:
                    t.join()
            self.assertTrue(all(b.closed for b in bars))
            self.assertFalse(os.path.exists(out))
            # without tqdm: a warning, and the build still runs
            sys.modules["tqdm"] = None
            with self.assertWarns(RuntimeWarning):
                contam.build(os.path.join(self.tmp, "tq3.cidx"), [CORPUS], progress=True)
            self.assertTrue(os.path.exists(os.path.join(self.tmp, "tq3.cidx")))
        finally:
            if saved is None:
                sys.modules.pop("tqdm", None)
            else:
                sys.modules["tqdm"] = saved

    def test_stub_and_docstrings(self):
        # __init__.pyi names the parameters the functions take, and every
        # public call has a docstring (help(contam.Index.probe) etc.)
        import ast
        import inspect
        stub = os.path.join(os.path.dirname(contam.__file__), "__init__.pyi")
        with open(stub, encoding="utf-8") as f:
            tree = ast.parse(f.read())

        def stub_params(fn):
            a = fn.args
            return ([x.arg for x in a.posonlyargs + a.args] + ["*"] * bool(a.kwonlyargs)
                    + [x.arg for x in a.kwonlyargs])

        def real_params(obj):
            ps, star = [], False
            for p in inspect.signature(obj).parameters.values():
                if p.kind == p.KEYWORD_ONLY and not star:
                    ps.append("*")
                    star = True
                ps.append(p.name)
            return ps
        checked = 0
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                fn = getattr(contam, node.name)
                self.assertEqual(stub_params(node), real_params(fn), node.name)
                self.assertTrue(fn.__doc__, node.name)
                checked += 1
            elif isinstance(node, ast.ClassDef) and not issubclass(getattr(contam, node.name),
                                                                   BaseException):
                cls = getattr(contam, node.name)
                self.assertTrue(cls.__doc__, node.name)
                in_stub = set()
                for f in node.body:
                    if not isinstance(f, ast.FunctionDef):
                        continue
                    in_stub.add(f.name)
                    raw = inspect.getattr_static(cls, f.name)
                    if isinstance(raw, property):
                        self.assertTrue(raw.__doc__, f"{node.name}.{f.name}")
                        continue
                    if f.name.startswith("__") and f.name != "__init__":
                        continue
                    want = stub_params(f)
                    if isinstance(raw, classmethod):
                        want = want[1:]
                    self.assertEqual(want, real_params(getattr(cls, f.name)),
                                     f"{node.name}.{f.name}")
                    if f.name != "__init__":
                        self.assertTrue(getattr(cls, f.name).__doc__, f"{node.name}.{f.name}")
                    checked += 1
                public = {n for n in vars(cls) if not n.startswith("_")}
                self.assertEqual(public - in_stub, set(), f"{node.name}: not in the stub")
        self.assertGreater(checked, 15)

    def test_threads_share_an_index(self):
        # probes and info() from several Python threads on one Index at
        # once give what one thread gets
        from concurrent.futures import ThreadPoolExecutor
        rows = read_jsonl(BENCH)
        ix = contam.Index.open(self.ix_path)
        want = ix.probe(rows, name="demo").to_json()
        info = contam.Index.open(self.ix_path).info()
        with ThreadPoolExecutor(4) as ex:
            got = list(ex.map(lambda i: ix.probe(rows, name="demo").to_json() if i % 2
                              else ix.info(), range(12)))
        self.assertEqual(got[1::2], [want] * 6)
        self.assertEqual(got[0::2], [info] * 6)

    # ---- threads, signals, fork ----------------------------------------

    def ticks_during(self, call):
        """(ticks, seconds): how often a Python thread sleeping 10 ms a
        tick ran during call()."""
        stop = threading.Event()
        ticks = [0]

        def spin():
            while not stop.is_set():
                ticks[0] += 1
                time.sleep(0.01)
        t = threading.Thread(target=spin)
        t.start()
        t0 = time.monotonic()
        try:
            call()
        finally:
            stop.set()
            t.join()
        return ticks[0], time.monotonic() - t0

    def test_gil_released_during_build(self):
        ticks, dt = self.ticks_during(
            lambda: contam.build(os.path.join(self.tmp, "gil.cidx"), [self.big_dir()],
                                 threads=1))
        self.assertGreater(dt, 0.5, "the build was too short to tell")
        # a thread sleeping 10 ms per tick gets about 100 ticks a second;
        # with the GIL held through the build it would get almost none
        # (a loaded machine gets fewer: the bound leaves room)
        self.assertGreater(ticks, dt * 10, (ticks, dt))

    def test_gil_released_during_probe_and_scan(self):
        # the scan of the whole big corpus (a quarter of it took under
        # 0.3 s on a quiet machine once the scan's look-ahead skipped
        # documents without a benchmark n-gram), and a probe of many
        # examples given as a file (no time spent in Python writing them
        # as JSON lines)
        ticks, dt = self.ticks_during(lambda: contam.scan(BENCH, [self.big_dir()], threads=1))
        self.assertGreater(dt, 0.3, "the scan was too short to tell")
        self.assertGreater(ticks, dt * 10, (ticks, dt))
        # a fast machine probes 15,000 examples in about 0.3 s: the file
        # doubles until the probe takes long enough to count ticks in
        rng = random.Random(3)
        path = os.path.join(self.tmp, "many.txt")
        lines = 15000
        while True:
            with open(path, "w") as f:
                for _ in range(lines):
                    f.write(" ".join("w%d" % rng.randrange(5000) for _ in range(40)) + "\n")
            ticks, dt = self.ticks_during(lambda: self.ix.probe(path))
            if dt > 0.3 or lines >= 120000:
                break
            lines *= 2
        self.assertGreater(dt, 0.3, "the probe was too short to tell")
        self.assertGreater(ticks, dt * 10, (ticks, dt))

    def test_interrupt(self):
        out = os.path.join(self.tmp, "int", "never.cidx")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        big = self.big_dir()
        sent = []
        main = threading.get_ident()

        def killer():
            time.sleep(0.6)
            sent.append(time.monotonic())
            signal.pthread_kill(main, signal.SIGINT)
        t = threading.Thread(target=killer)
        t0 = time.monotonic()
        t.start()
        with self.assertRaises(KeyboardInterrupt):
            try:
                contam.build(out, [big])
            finally:
                done = time.monotonic()
                t.join()
        self.assertTrue(sent, "the build ended before the signal")
        self.assertLess(done - sent[0], 1.5, f"stopped {done - sent[0]:.2f} s after SIGINT")
        self.assertGreater(sent[0] - t0, 0.5)
        self.assertEqual(os.listdir(os.path.dirname(out)), [], "a file was left")
        # the module still works after an interrupt
        self.assertTrue(self.ix.probe(BENCH).examples)

    def test_interrupt_scan(self):
        main = threading.get_ident()
        sent = []

        def killer():
            time.sleep(0.5)
            sent.append(time.monotonic())
            signal.pthread_kill(main, signal.SIGINT)
        t = threading.Thread(target=killer)
        t.start()
        with self.assertRaises(KeyboardInterrupt):
            try:
                contam.scan(BENCH, [self.big_dir()])
            finally:
                done = time.monotonic()
                t.join()
        self.assertTrue(sent, "the scan ended before the signal")
        self.assertLess(done - sent[0], 1.5)

    def test_interrupt_probe(self):
        # a probe long enough to be stopped in the middle (about 2 s here)
        rng = random.Random(7)
        vocab = ["w%d" % i for i in range(5000)]
        examples = [" ".join(rng.choice(vocab) for _ in range(40)) for _ in range(60000)]
        main = threading.get_ident()
        sent = []

        def killer():
            time.sleep(0.5)
            sent.append(time.monotonic())
            signal.pthread_kill(main, signal.SIGINT)
        t = threading.Thread(target=killer)
        t.start()
        with self.assertRaises(KeyboardInterrupt):
            try:
                self.ix.probe(examples)
            finally:
                done = time.monotonic()
                t.join()
        self.assertTrue(sent, "the probe ended before the signal")
        self.assertLess(done - sent[0], 1.0, f"stopped {done - sent[0]:.2f} s after SIGINT")
        self.assertTrue(self.ix.probe(BENCH).examples)

    def test_interrupt_by_progress_exception(self):
        out = os.path.join(self.tmp, "cb", "never.cidx")
        os.makedirs(os.path.dirname(out))

        class Stop(Exception):
            pass

        def cb(p):
            raise Stop()
        with self.assertRaises(Stop):
            contam.build(out, [self.big_dir()], progress=cb)
        self.assertEqual(os.listdir(os.path.dirname(out)), [])

    def test_fork(self):
        # the parent has used OpenMP (builds with all cores, loads of a
        # compressed index); a forked child opens, probes and builds
        contam.build(os.path.join(self.tmp, "pre.cidx"), [CORPUS])
        want = [e["verdict"] for e in self.ix.probe(BENCH).examples]
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.close(r)
                ix = contam.Index.open(self.ix_path)
                got = [e["verdict"] for e in ix.probe(read_jsonl(BENCH), name="demo").examples]
                child_ix = os.path.join(self.tmp, "child.cidx")
                contam.build(child_ix, [CORPUS], threads=1)
                ok = got == want and contam.Index.open(child_ix).info()["documents"] > 0
                # all cores too: the binding runs OpenMP only on worker
                # threads, so the parent's pools are not the child's
                contam.build(child_ix, [CORPUS])
                ok = ok and contam.Index.open(child_ix, mmap=False).info()["documents"] > 0
                os.write(w, b"ok" if ok else b"differ")
                code = 0
            finally:
                os._exit(code)
        os.close(w)
        deadline = time.monotonic() + 60
        while True:
            p, status = os.waitpid(pid, os.WNOHANG)
            if p:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                self.fail("the forked child hung")
            time.sleep(0.05)
        msg = os.read(r, 100)
        os.close(r)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        self.assertEqual(msg, b"ok")

    # ---- meson install ---------------------------------------------------

    def test_meson_install(self):
        build = os.environ.get("MESON_BUILD_ROOT")
        meson = shutil.which("meson")
        if not build or not meson:
            self.skipTest("not run by meson test")
        dest = os.path.join(self.tmp, "dest")
        r = subprocess.run([meson, "install", "-C", build, "--no-rebuild", "--destdir", dest],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        inits = [os.path.join(dp, "__init__.py") for dp, _, fs in os.walk(dest)
                 if os.path.basename(dp) == "contam" and "__init__.py" in fs]
        self.assertEqual(len(inits), 1, inits)
        pkg = os.path.dirname(inits[0])
        self.assertTrue(os.path.exists(os.path.join(pkg, "__init__.pyi")))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.path.dirname(pkg)
        r = subprocess.run([sys.executable, "-c", "import contam, sys; print(contam.__file__); "
                            "print(len(contam.Index.open(sys.argv[1]).probe(sys.argv[2])))",
                            self.ix_path, BENCH], capture_output=True, text=True, env=env,
                           cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(pkg), r.stdout)
        self.assertEqual(r.stdout.split()[-1], str(len(self.cli_json["examples"])))

    def test_import_from_build_tree(self):
        # the two ways the README gives: PYTHONPATH=build/python, and
        # meson devenv (python/meson.build adds build/python to it)
        build = os.environ.get("MESON_BUILD_ROOT")
        meson = shutil.which("meson")
        if not build or not meson:
            self.skipTest("not run by meson test")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        code = "import contam; print(contam.__file__)"
        want = os.path.join(build, "python", "contam", "__init__.py")
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           cwd=self.tmp, env=dict(env, PYTHONPATH=os.path.join(build, "python")))
        self.assertEqual((r.returncode, r.stdout.strip()), (0, want), r.stderr)
        r = subprocess.run([meson, "devenv", "-C", build, sys.executable, "-c", code],
                           capture_output=True, text=True, cwd=self.tmp, env=env)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, want), r.stderr)

    # ---- the README's example ------------------------------------------

    def test_readme_example(self):
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        m = re.search(r"<!-- python-example -->\s*```python\n(.*?)```", readme, re.S)
        self.assertIsNotNone(m, "README has no python example")
        d = os.path.join(self.tmp, "readme")
        os.mkdir(d)
        shutil.copytree(CORPUS, os.path.join(d, "corpus"))
        shutil.copy(BENCH, os.path.join(d, "demo.jsonl"))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(contam.__file__)))
        r = subprocess.run([sys.executable, "-c", m.group(1)], cwd=d, capture_output=True,
                           text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(d, "demo_clean_samples.json")) as f:
            s = json.load(f)
        want = [e["record"] for e in self.cli_json["examples"]
                if e["verdict"] in ("clean", "too_short")]
        self.assertEqual(s, {"demo": want})
        self.assertIn("demo", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
