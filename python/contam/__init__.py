"""contam: find benchmark test data inside training corpora, from Python.

A thin layer over libcontam (the extension ``contam._contam``, written
against include/contam.h).  Results are the command line's: a probe here
writes the same report JSON as ``contam probe`` (the examples are
serialized to JSON lines in memory and read by the library's own JSONL
reader).

    import contam
    contam.build("corpus.cidx", ["corpus/"], ngram=8, fpr=1e-3)
    ix = contam.Index.open("corpus.cidx")
    report = ix.probe([{"question": q, "answer": a} for q, a in pairs],
                      name="mybench", id_field=None)
    print(report.table())
    clean = report.clean_indices()            # examples to keep
    report.to_lm_eval_samples("mybench")      # {"mybench": [doc ids]}

Threads and signals: build, probe and scan release the GIL and run on a
worker thread; Ctrl-C (SIGINT) stops them within about 0.1 s of the
library's next poll, raises KeyboardInterrupt and leaves no file behind.

Fork: the library's builds, scans and loads of a compressed index use
OpenMP, whose thread pool does not survive os.fork().  The binding runs
every such call on a fresh worker thread, never on the calling thread, so
the pool belongs to a thread that is gone by the time you fork: a child
forked after any number of contam calls can open, probe, build and scan
with any thread count (tests/python/test_binding.py test_fork).  Two
things stay unsafe: forking while another thread is inside a contam call,
and a process whose own code runs OpenMP on the main thread before
forking (then use the "spawn" or "forkserver" start method).  An Index
pickles by path, so workers reopen it instead of sharing the mapping.
"""

import io
import json
import operator
import os
import tempfile
import warnings
from collections.abc import Mapping

from . import _contam
from ._contam import (Error, FormatError, IOError, CorruptError, ParamError,  # noqa: A004
                      LimitError)

__all__ = ["Index", "Report", "Impact", "ScanResult", "build", "scan", "impact",
           "Error", "FormatError", "IOError", "CorruptError", "ParamError",
           "LimitError", "version"]

version = _contam.version
__version__ = version
DEFINITIONS = ("contam", "gpt3", "palm", "llama2")

# contam_bench_format of contam.h
_FMT_JSONL = 1


class _TqdmProgress:
    """progress=True: a tqdm bar over the bytes read, closed when the call
    returns or raises."""

    def __init__(self, tqdm, desc):
        self._tqdm = tqdm
        self._desc = desc
        self.bar = None

    def __call__(self, p):
        if self.bar is None:
            self.bar = self._tqdm(total=p["bytes_total"] or None, unit="B",
                                  unit_scale=True, desc=self._desc)
        self.bar.update(p["bytes_done"] - self.bar.n)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _progress_arg(progress, desc):
    if progress is True:
        try:
            from tqdm import tqdm  # optional
        except ImportError:
            warnings.warn("progress=True wants tqdm, which is not installed: no bar",
                          RuntimeWarning, stacklevel=3)
            return None
        return _TqdmProgress(tqdm, desc)
    if progress is False:
        return None
    if progress is not None and not callable(progress):
        raise TypeError("progress must be a callable taking a dict, True (tqdm) or None")
    return progress


def _run_with_progress(progress, call):
    try:
        return call(progress)
    finally:
        if isinstance(progress, _TqdmProgress):
            progress.close()


def _count(name, v, lo=1, hi=2**32 - 1):
    """An integer argument in lo..hi (the C side takes 32 bits: a bigger
    or negative number would wrap, never be an error)."""
    if isinstance(v, bool) or not isinstance(v, int):
        try:
            v = operator.index(v)
        except TypeError:
            raise TypeError(f"{name} wants an integer, not {type(v).__name__}") from None
    if v < lo and lo == 1 and hi >= 2**32 - 1:
        raise ParamError(f"{name} wants a positive number, not {v}")
    if not lo <= v <= hi:
        raise ParamError(f"{name} wants {lo}..{hi}, not {v}")
    return v


def _opt_count(name, v, lo=1, hi=2**32 - 1):
    """None (the default) or _count."""
    return 0 if v is None else _count(name, v, lo, hi)


def _paths(x, what):
    if isinstance(x, (str, bytes, os.PathLike)):
        x = [x]
    out = [os.fsdecode(p) for p in x]
    if not out:
        raise ParamError(f"no {what} given")
    return out


def _fields_arg(fields):
    if fields is None:
        return None
    if isinstance(fields, str):
        return [fields]
    return list(fields)


def build(out, inputs, *, ngram=8, fpr=1e-3, threads=None, text_field="text",
          memory=None, uncompressed=False, strict=False, progress=None,
          minhash=False):
    """Index corpus files or directories into the index file `out`.

    As ``contam index -o OUT INPUTS``: directories are walked, the filter
    is sized from a sample of the inputs' content for `fpr` (or to
    `memory` bytes), `text_field` (a str or a list of dotted paths) names
    the JSONL text.  threads=None uses every core.  `progress` is called
    on this thread about every 0.25 s with a dict (bytes_done,
    bytes_total, documents, ngrams, errors, files_done, files_total,
    seconds); progress=True shows a tqdm bar when tqdm is installed.
    The file is written atomically: on any error or KeyboardInterrupt
    nothing is left at `out`.  An input that yields no document is an
    error (FormatError), never an empty index.  minhash=True also stores
    near-duplicate signatures with the defaults of ``contam index
    --minhash`` (docs/NEARDUP.md), for ``Index.probe(near_dup=True)``.
    """
    args = dict(ngram=_count("ngram", ngram, 1, 32), fpr=float(fpr),
                threads=_opt_count("threads", threads), text_fields=_fields_arg(text_field),
                memory=_opt_count("memory", memory, hi=2**64 - 1),
                uncompressed=bool(uncompressed), strict=bool(strict), minhash=bool(minhash))
    out, inputs = os.fsdecode(out), _paths(inputs, "inputs")
    _run_with_progress(_progress_arg(progress, "contam index"),
                       lambda p: _contam.build(out, inputs, progress=p, **args))


_COMPRESS_EXT = (".gz", ".zst", ".zstd", ".bz2", ".xz", ".zip")
_GENERIC_STEMS = ("test", "dev", "val", "valid", "validation", "train", "data", "eval")


def _bench_name(path):
    """The name `contam probe` gives one benchmark file: the file name
    without a compression suffix and one extension; a generic stem
    (test.jsonl) keeps its directory (gsm8k/test)."""
    p = path.rstrip("/") or path
    d, base = os.path.split(p)
    for ext in _COMPRESS_EXT:
        if base.endswith(ext) and len(base) > len(ext):
            base = base[:-len(ext)]
            break
    i = base.rfind(".")
    stem = base[:i] if i > 0 else base
    if stem in _GENERIC_STEMS:
        parent = os.path.basename(d.rstrip("/"))
        if parent and parent not in (".", ".."):
            return f"{parent}/{stem}"
    return stem


def _not_a_file(e, path):
    """The library's IOError for a str that names no file, with a hint when
    it looks like text rather than a path."""
    if (os.path.exists(path) or not any(c.isspace() for c in path)
            or f"'{path}'" not in str(e)):
        return e
    return IOError(f"{e} (a str is read as the path of a benchmark file; "
                   "give texts as a list: probe([text]))")


def _jsonable(o):
    # numpy scalars and arrays (datasets rows) and the like
    if hasattr(o, "tolist"):
        return o.tolist()
    if hasattr(o, "item"):
        return o.item()
    raise TypeError(f"cannot serialize {type(o).__name__} in an example")


def _iter_examples(examples):
    """Rows of an iterable, or of a duck-typed datasets.Dataset."""
    if isinstance(examples, Mapping):
        # a dict iterates over its keys: a datasets.DatasetDict would be
        # probed as its split names
        raise TypeError("examples is a mapping (a DatasetDict?): give one split, "
                        "ds['test'], or a list of dicts")
    if hasattr(examples, "to_dict") and hasattr(examples, "columns"):
        # a pandas DataFrame iterates over its column names, not its rows
        return iter(examples.to_dict("records"))
    if hasattr(examples, "__iter__"):
        return iter(examples)
    if hasattr(examples, "__getitem__") and hasattr(examples, "__len__"):
        return (examples[i] for i in range(len(examples)))
    raise TypeError("examples must be an iterable of str or dict, a Dataset, or a file path")


def _to_jsonl(examples):
    """(JSONL bytes, whether the rows were strings)."""
    buf = io.StringIO()
    strings = None
    n = 0
    for row in _iter_examples(examples):
        if isinstance(row, str):
            kind = True
            row = {"text": row}
        elif isinstance(row, dict) or hasattr(row, "keys"):
            kind = False
            row = dict(row)
        else:
            raise TypeError(f"example {n}: expected str or dict, got {type(row).__name__}")
        if strings is None:
            strings = kind
        elif strings != kind:
            raise TypeError(f"example {n}: strings and dicts mixed")
        buf.write(json.dumps(row, ensure_ascii=False, default=_jsonable))
        buf.write("\n")
        n += 1
    if n == 0:
        raise ParamError("no examples given")
    return buf.getvalue().encode("utf-8"), bool(strings)


class Index:
    """An index file, loaded.  Use Index.open(path)."""

    def __init__(self, path, mmap=True):
        self.path = os.fsdecode(path)
        self.mmap = bool(mmap)
        self._ix = _contam.open(self.path, self.mmap)

    @classmethod
    def open(cls, path, mmap=True):
        """Load and verify an index file.  mmap=True maps it (an index
        built with uncompressed=True is then not read into memory); a
        compressed index is read whole either way.  Answers are the same."""
        return cls(path, mmap)

    def __reduce__(self):
        # pickles by path and parameters: a worker reopens the file
        return (Index.open, (self.path, self.mmap))

    def __repr__(self):
        return f"contam.Index.open({self.path!r}, mmap={self.mmap})"

    def info(self):
        """A dict: ngram, k, nblocks, seed, winnow, recipe, filter_bytes,
        ngrams_inserted, documents, fill, fpr, ..., "inputs" (the
        manifest: path, kind, size, documents, ngrams, errors, problems)
        and "minhash" (index --minhash: bands, rows, windows, threshold,
        keys, fill, band_fpr, item_fpr, ...; None without the section)."""
        return self._ix.stats()

    def contains_ngrams(self, text):
        """One bool per n-gram of `text` (tokenized with the index's
        recipe and n): is it in the filter?  An empty list when the text
        has fewer than n tokens."""
        return self._ix.contains_ngrams(text)

    def probe(self, examples, *, fields=None, name=None, definition="contam",
              min_span=None, id_field=None, label=None, question_fields=None,
              answer_fields=None, records=None, near_dup=False,
              near_dup_bands=None, no_header=False, header=False,
              lines_per_record=None):
        """Probe a benchmark against this index; returns a Report.

        examples: an iterable of str (each one example), an iterable of
        dicts (a JSON record each; `fields` picks dotted paths such as
        "question.stem", default every string value, as the CLI), an
        object with __iter__ or __len__/__getitem__ giving dicts (a
        Hugging Face datasets.Dataset), or a path (str / os.PathLike) of
        a benchmark file, read as ``contam probe`` reads it.
        name: the benchmark's name (default: "examples", or for a file
        the name ``contam probe`` gives it: its stem, gsm8k/test for a
        generic test.jsonl).  definition: the default of Report.clean_indices and
        to_lm_eval_samples.  id_field: a field holding each example's id.
        min_span, label, question_fields, answer_fields, records: as the
        CLI's --min-span, --label, --question-field, --answer-field,
        --records.  near_dup=True: as --near-dup (the index needs its
        minhash section, index --minhash): each example gets near_dup,
        near_dup_bands, near_dup_jaccard, near_dup_shingles; each
        benchmark a "near_dup" object.  near_dup_bands=N (with
        near_dup=True): as --near-dup-bands, near_dup needs at least N
        of the index's bands (default 1: any; more than its b is a
        ParamError); 2 on big corpora and short examples.
        no_header=True / header=True: as --no-header / --header, for a
        CSV/TSV file whose first row is data (MMLU's files) or is the
        header although it looks like data.  lines_per_record=N: as
        --lines-per-record, a txt file's records are N lines (fields are
        then line numbers "0".."N-1").  A directory is not read here (the
        CLI walks one): give its files.
        """
        if definition not in DEFINITIONS:
            raise ParamError(f"unknown definition '{definition}' (contam, gpt3, palm, llama2)")
        min_span = _opt_count("min_span", min_span)
        lines_per_record = _opt_count("lines_per_record", lines_per_record)
        if no_header and header:
            raise ParamError("no_header and header say opposite things: give one")
        if near_dup_bands is not None:
            near_dup_bands = _count("near_dup_bands", near_dup_bands)
            if not near_dup:
                raise ParamError("near_dup_bands wants near_dup=True")
        if isinstance(examples, (str, os.PathLike)):
            path = os.fsdecode(examples)
            if name is None:
                name = _bench_name(path)
            benches = [(name, path)]
            fl = _fields_arg(fields)
        else:
            data, strings = _to_jsonl(examples)
            if name is None:
                name = "examples"
            benches = [(name, name, data, _FMT_JSONL)]
            fl = _fields_arg(fields)
            if strings and fl is None and not question_fields:
                fl = ["text"]
        try:
            js, table, flags, warns = _contam.probe(
                self._ix, self.path, benches, fields=fl, id_field=id_field,
                min_span=min_span, label=label,
                question_fields=_fields_arg(question_fields),
                answer_fields=_fields_arg(answer_fields), records=records,
                **({"near_dup": True} if near_dup else {}),
                **({"near_dup_bands": near_dup_bands} if near_dup_bands else {}),
                **({"no_header": True} if no_header else {}),
                **({"force_header": True} if header else {}),
                **({"lines_per_record": lines_per_record} if lines_per_record else {}))
        except IOError as e:
            if len(benches[0]) != 2:
                raise
            raise _not_a_file(e, benches[0][1]) from None
        except FormatError as e:
            # the library names the CLI's flags; here they are arguments
            msg = str(e)
            for flag, arg in (("--no-header", "no_header=True"), ("--header", "header=True"),
                              ("--lines-per-record", "lines_per_record=N")):
                msg = msg.replace(flag, arg)
            if msg == str(e):
                raise
            raise FormatError(msg) from None
        r = Report(js, table=table, flags=flags, definition=definition)
        r.warnings = [w for w in warns.split("\n") if w]
        return r


class Report:
    """A probe report: the JSON ``contam probe`` writes, parsed.

    .data: the whole report (dict); .examples: per-example dicts with the
    JSON report's keys (benchmark, source, record, line, id, tokens,
    ngrams, hits, overlap, coverage, longest, verdict, definitions, ...);
    .benchmarks: per-benchmark dicts; .warnings: the library's notes on
    how the benchmark was read (what the CLI prints to stderr)."""

    def __init__(self, report_json, *, table=None, flags=None, definition="contam"):
        self._json = report_json
        self.data = json.loads(report_json)
        self._table = table
        self._flags = flags
        self.definition = definition
        self.path = None  # set by save() and load()
        # the library's notes on how the benchmark was read (the CLI's
        # stderr lines: "demo: no --field: using every string value: ...")
        self.warnings = []

    @classmethod
    def load(cls, path):
        """A report JSON file written by ``contam probe``."""
        with open(path, encoding="utf-8") as f:
            r = cls(f.read())
        r.path = os.fsdecode(path)
        return r

    def __reduce__(self):
        return (Report, (self._json,), {"_table": self._table, "_flags": self._flags,
                                         "definition": self.definition, "path": self.path,
                                         "warnings": self.warnings})

    def __setstate__(self, state):
        self.__dict__.update(state)

    @property
    def examples(self):
        """The per-example results: a list of dicts with the keys of the
        report JSON's "examples" (benchmark, source, record, line, id,
        tokens, ngrams, hits, overlap, coverage, longest, verdict,
        definitions, ...), in benchmark order, so position i is the
        i-th example given to probe."""
        return self.data["examples"]

    @property
    def benchmarks(self):
        """The per-benchmark summaries: a list of dicts with the keys of
        the report JSON's "benchmarks" (name, examples, contaminated,
        partial, clean, too_short, fields, records, missing_fields, ...)."""
        return self.data["benchmarks"]

    def __len__(self):
        return len(self.data["examples"])

    def to_json(self):
        """The report JSON, byte for byte as the library wrote it."""
        return self._json

    def save(self, path):
        """Write the report JSON to `path` atomically."""
        path = os.fsdecode(path)
        tmp = f"{path}.tmp.{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(self._json)
        os.replace(tmp, path)
        self.path = path

    def table(self):
        """The readable per-benchmark table ``contam probe`` prints."""
        if self._table is None:
            raise ParamError("this report was loaded from JSON: use render('md')")
        return self._table

    def render(self, format="md", *, definitions=None, provenance=False):
        """The report as ``contam report --format FORMAT`` renders it:
        "md", "latex", "html", "csv" or "conda"."""
        with tempfile.TemporaryDirectory(prefix="contam-") as d:
            p = os.path.join(d, "report.json")
            with open(p, "w", encoding="utf-8") as f:
                f.write(self._json)
            return _contam.render([p], format, definitions, bool(provenance))

    def _flagged(self, definition):
        definition = definition or self.definition
        if definition not in DEFINITIONS:
            raise ParamError(f"unknown definition '{definition}' (contam, gpt3, palm, llama2)")
        n = self.data.get("index", {}).get("ngram")
        why = _contam.definition_unavailable(definition, n) if n else None
        if why:
            raise ParamError(f"definition {definition}: {why}")
        d = DEFINITIONS.index(definition)
        if self._flags is not None:
            return [bool(self._flags[i * 4 + d]) for i in range(len(self))]
        return [_flagged_json(e, definition) for e in self.examples]

    def flagged_indices(self, definition=None):
        """Positions (0-based, in report order) of the examples flagged
        under `definition` (contam: partial or contaminated; gpt3; palm;
        llama2: not clean)."""
        return [i for i, f in enumerate(self._flagged(definition)) if f]

    def clean_indices(self, definition=None):
        """Positions of the examples not flagged under `definition`
        (clean and too_short: what ``probe --write-clean`` keeps).  For
        examples given as a list or Dataset, these index it:
        ``dataset.select(report.clean_indices())``."""
        return [i for i, f in enumerate(self._flagged(definition)) if not f]

    def to_lm_eval_samples(self, task, definition=None):
        """{task: [doc ids of the clean examples]}: the mapping
        lm-evaluation-harness's --samples takes (json.dump it).  The doc id
        is the example's id (id_field; an integer when it is one) or else
        its record number, which is the row of a Dataset."""
        ids = []
        # an id taken without id_field (an "id" key) is the data's own,
        # not lm-eval's doc id: the row is
        auto = {b["name"] for b in self.benchmarks if b.get("id_auto")}
        for i in self.clean_indices(definition):
            e = self.examples[i]
            v = e.get("id") if e.get("benchmark") not in auto else None
            if v is None:
                v = e["record"]
            elif isinstance(v, str) and v.lstrip("-").isdigit():
                v = int(v)
            ids.append(v)
        return {task: ids}


def _flagged_json(e, definition):
    d = e.get("definitions", {})
    if definition == "contam":
        return e["verdict"] in ("partial", "contaminated")
    if definition == "llama2":
        return d.get("llama2", {}).get("bucket") in ("dirty", "not_clean")
    return bool(d.get(definition))


class ScanResult:
    """The exact scan's hit records (iterate: one dict per matching
    document) and its report (.report: a Report with doc_count per
    example)."""

    def __init__(self, report_json, hits_jsonl):
        self.report = Report(report_json)
        self.hits = [json.loads(line) for line in hits_jsonl.splitlines() if line.strip()]
        self._next = iter(self.hits)

    def __iter__(self):
        return iter(self.hits)

    def __next__(self):
        # next(contam.scan(...)) works as on a generator
        return next(self._next)

    def __len__(self):
        return len(self.hits)


def scan(bench, corpus, *, fields=None, name=None, id_field=None, min_span=None,
         ngram=8, text_field="text", threads=None, progress=None):
    """Exact scan (``contam scan``): stream the corpus past the benchmark's
    n-grams.  bench: a benchmark file path, or examples as Index.probe
    takes them.  Returns a ScanResult: iterating it yields the hit
    records as dicts (document provenance and matched byte ranges);
    .report is the scan's report.  GIL released; Ctrl-C stops it."""
    if isinstance(bench, (str, os.PathLike)):
        path = os.fsdecode(bench)
        if name is None:
            name = _bench_name(path)
        benches = [(name, path)]
        fl = _fields_arg(fields)
    else:
        data, strings = _to_jsonl(bench)
        name = name or "examples"
        benches = [(name, name, data, _FMT_JSONL)]
        fl = _fields_arg(fields)
        if strings and fl is None:
            fl = ["text"]
    args = dict(fields=fl, id_field=id_field, min_span=_opt_count("min_span", min_span),
                ngram=_count("ngram", ngram, 1, 32), text_fields=_fields_arg(text_field),
                threads=_opt_count("threads", threads))
    corpus = _paths(corpus, "corpus inputs")
    try:
        js, hits = _run_with_progress(_progress_arg(progress, "contam scan"),
                                      lambda p: _contam.scan(benches, corpus, progress=p, **args))
    except IOError as e:
        if len(benches[0]) != 2:
            raise
        raise _not_a_file(e, benches[0][1]) from None
    return ScanResult(js, hits)


class Impact:
    """``contam impact``'s result: .data (the JSON table, parsed),
    .render("md"|"latex"|"json"), .clean_samples (the {task: [doc_id]}
    mapping of lm-eval's --samples), .missing_examples, .missing_lines."""

    def __init__(self, js, md, latex, samples, me, ml):
        self._out = {"json": js, "md": md, "latex": latex}
        self.data = json.loads(js)
        self.clean_samples = json.loads(samples)
        self.missing_examples = me
        self.missing_lines = ml

    def __getitem__(self, key):
        return self.data[key]

    def render(self, format="md"):
        """The table as ``contam impact --format FORMAT`` prints it."""
        if format not in self._out:
            raise ParamError(f"unknown format '{format}' (md, latex, json)")
        return self._out[format]


_UNSAVED = "(unsaved contam.Report)"


def impact(report, lm_eval_samples_path, *, definition="contam", resamples=10000,
           permutations=10000, seed=1, allow_missing=False):
    """Contamination's effect on scores, as ``contam impact``: `report` a
    Report or a report JSON path from probing lm-eval --log_samples files
    (fields doc.<field>, id_field doc_id), lm_eval_samples_path one
    samples_*.jsonl or a list of them.  A Report that was saved or loaded
    is read from its file (the table names it); an unsaved one is named
    "(unsaved contam.Report)".  Returns an Impact."""
    samples = _paths(lm_eval_samples_path, "samples files")
    # the CLI's bounds (contam impact --resamples, --permutations, --seed)
    resamples = _count("resamples", resamples, 1, 100000000)
    permutations = _count("permutations", permutations, 1, 100000000)
    seed = _count("seed", seed, 0, 2**64 - 1)
    if isinstance(report, Report) and report.path:
        report = report.path  # the table names the report file
    if isinstance(report, Report):
        with tempfile.TemporaryDirectory(prefix="contam-") as d:
            p = os.path.join(d, "report.json")
            report.save(p)
            # the tables name the report: not a temporary file that is gone
            r = _contam.impact(p, samples, definition=definition, resamples=resamples,
                               permutations=permutations, seed=seed,
                               allow_missing=allow_missing, report_name=_UNSAVED)
    else:
        r = _contam.impact(os.fsdecode(report), samples, definition=definition,
                           resamples=resamples, permutations=permutations, seed=seed,
                           allow_missing=allow_missing)
    return Impact(*r)
