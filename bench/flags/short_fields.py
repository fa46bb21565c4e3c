"""short_fields.py -- examples whose text has >= 8 tokens joined but no field of 8 tokens:
per-field scoring cannot score them.  Per benchmark directory: count, examples, share."""
import sys, collections
import os
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE); sys.path.insert(0, os.path.join(HERE, '..', '..', 'tests', 'cli'))
import benchload
from contam_ref import tokenize
fam=collections.Counter(); famall=collections.Counter(); tot=[0,0,0]
for rel in benchload.benchmark_files():
    if 'hendrycks' in rel: continue
    for ex in benchload.load(rel):
        L=[len(tokenize(f)) for f in ex]
        f=rel.split('/')[0]
        famall[f]+=1; tot[0]+=1
        if sum(L)>=8 and max(L or [0])<8:
            fam[f]+=1; tot[1]+=1
for f,c in fam.most_common(): print(f, c, famall[f], f"{c/famall[f]:.1%}")
print('TOTAL', tot[1], tot[0])
