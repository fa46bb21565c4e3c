"""shared_values.py -- identical field values (>= 8 tokens) shared by more than 2 % of a
benchmark file's examples, sorted short-then-long: the evidence for counting only long
identical values once (templates.py mode dedup2n).  Prints: file, examples, examples with the
value, share, its length in tokens, its first 14 tokens.

usage: bench/flags/shared_values.py   (run from anywhere)
"""
import os
import sys, collections
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE); sys.path.insert(0, os.path.join(HERE, '..', '..', 'tests', 'cli'))
import benchload
from contam_ref import tokenize
rows=[]
for rel in benchload.benchmark_files():
    if 'hendrycks' in rel: continue
    exs=benchload.load(rel); E=len(exs)
    vals=collections.Counter()
    for ex in exs:
        for t in {tuple(tokenize(f)) for f in ex}:
            if len(t)>=8: vals[t]+=1
    for v,c in vals.items():
        if c>=2 and c> 0.02*E:
            rows.append((rel,E,c,len(v)," ".join(v[:14])))
for r in sorted(rows, key=lambda r:(r[3]>=16, -r[2]/r[1])):
    print(r[0], r[1], r[2], f"{r[2]/r[1]:.1%}", "len", r[3], "::", r[4])
