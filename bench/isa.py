#!/usr/bin/env python3
"""Each ISA's path of `contam index` on this machine, on the same file.

    bench/isa.py bench/data/256M/corpus.jsonl.zst [--rounds 5] [--threads 1]

Runs, in interleaved rounds (every command once per round, so a noisy
neighbour hits all of them alike): the decompressor alone (`zstd -dc` or
`gzip -dc`, to a pipe that discards), then `contam index` with
CONTAM_SIMD=off (scalar), CONTAM_SIMD=avx2 (the AVX2 path, also on an
AVX-512 CPU: what an AVX2-only machine runs) and the default (the CPU's
best).  Reports per command the median CPU time (user + sys of the
children) and wall time, each as a ratio to the decompressor's in the same
round, and MB of text per CPU second (per core).  The index files of the
three paths are compared byte for byte (they must be identical).

--scan BENCH also runs `contam scan --bench BENCH` with the same three
paths, and `rg -F -f LINES` over the corpus's plain text (corpus.txt
beside it; give corpus.txt itself to scan the same bytes) when rg is installed, LINES being the benchmark's question lines
(`--rg-lines FILE`, one fixed string a line).

Text size and word count come from corpus.json beside the file
(bench/gen_corpus.py); --text-bytes/--words otherwise.
"""
import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_name():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def cpu_flags():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('flags'):
                    fl = set(line.split(':', 1)[1].split())
                    return [x for x in ('avx2', 'avx512f', 'avx512bw', 'avx512dq',
                                        'vaes', 'vpclmulqdq') if x in fl]
    except OSError:
        pass
    return []


def run(cmd, env=None, stdout=subprocess.DEVNULL, shell=False):
    """(wall s, cpu s) of one child; exits on a failure (rg: 1 is no match)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE, shell=shell)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0 and not (cmd[0] == 'rg' and p.returncode == 1):
        sys.exit('bench/isa.py: %r failed (%d): %s' % (cmd, p.returncode,
                                                       p.stderr.decode(errors='replace')[-500:]))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('corpus')
    ap.add_argument('--contam', default=os.path.join(ROOT, 'build', 'src', 'cli', 'contam'))
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--text-bytes', type=int)
    ap.add_argument('--words', type=int)
    ap.add_argument('--scan', metavar='BENCH', help='also contam scan --bench BENCH')
    ap.add_argument('--rg-lines', metavar='FILE', help='fixed strings for rg -F -f')
    ap.add_argument('--paths', default='off,avx2,best')
    ap.add_argument('--markdown', action='store_true', help='print a markdown table')
    a = ap.parse_args()

    meta = {}
    mj = os.path.join(os.path.dirname(os.path.abspath(a.corpus)), 'corpus.json')
    if os.path.exists(mj):
        with open(mj) as f:
            meta = json.load(f)
    text_bytes = a.text_bytes or meta.get('text_bytes')
    words = a.words or meta.get('words')
    if not text_bytes:
        sys.exit('bench/isa.py: no corpus.json beside %s: give --text-bytes' % a.corpus)
    if a.corpus.endswith('.zst'):
        dec = ['zstd', '-dc', a.corpus]
    elif a.corpus.endswith('.gz'):
        dec = ['gzip', '-dc', a.corpus]
    else:
        dec = ['cat', a.corpus]
    paths = a.paths.split(',')
    tmp = tempfile.mkdtemp(prefix='contam-isa-')
    env0 = dict(os.environ)
    env0.pop('CONTAM_SIMD', None)

    def env_for(p):
        e = dict(env0)
        if p != 'best':
            e['CONTAM_SIMD'] = p
        return e

    cmds = [(' '.join(dec[:-1]), dec, None)]
    for p in paths:
        c = [a.contam, 'index', '-q', '--threads', str(a.threads),
             '-o', os.path.join(tmp, 'ix-%s.cidx' % p)]
        if words:
            c += ['--expected-ngrams', str(words)]
        cmds.append(('index -t %d %s' % (a.threads, p), c + [a.corpus], env_for(p)))
    if a.scan:
        for p in paths:
            c = [a.contam, 'scan', '-q', '--threads', str(a.threads), '--bench', a.scan,
                 '-o', os.path.join(tmp, 'scan-%s.jsonl' % p), a.corpus]
            cmds.append(('scan -t %d %s' % (a.threads, p), c, env_for(p)))
        txt = os.path.join(os.path.dirname(os.path.abspath(a.corpus)), 'corpus.txt')
        if a.rg_lines and shutil.which('rg') and os.path.exists(txt):
            cmds.append(('rg -F -f (1 thread)', ['rg', '-j', '1', '-F', '-c', '-f', a.rg_lines, txt], None))

    rows = {name: [] for name, _, _ in cmds}
    for r in range(a.rounds):
        base = None
        for name, c, e in cmds:
            wall, cpu = run(c, env=e)
            if base is None:
                base = (wall, cpu)
            rows[name].append((wall, cpu, wall / base[0], cpu / base[1]))
    same = None
    files = [os.path.join(tmp, 'ix-%s.cidx' % p) for p in paths]
    blobs = [open(f, 'rb').read() for f in files]
    same = all(b == blobs[0] for b in blobs)
    ver = subprocess.run([a.contam, '--version'], capture_output=True, text=True).stdout.strip()
    shutil.rmtree(tmp)

    out = []
    out.append('CPU: %s (%s); %d rounds, interleaved; %s (%.1f MB of text)' % (
        cpu_name(), ' '.join(cpu_flags()), a.rounds, os.path.basename(a.corpus), text_bytes / 1e6))
    out.append('contam: %s' % ver.replace('\n', '; '))
    out.append('index bytes identical across %s: %s' % ('/'.join(paths), 'yes' if same else 'NO'))
    out.append('')
    out.append('| command | CPU s (median) | CPU / %s | wall s | wall / %s | MB/s per core |' % (dec[0], dec[0]))
    out.append('|---|---:|---:|---:|---:|---:|')
    for name, _, _ in cmds:
        v = rows[name]
        cpu = statistics.median(x[1] for x in v)
        wall = statistics.median(x[0] for x in v)
        rc = statistics.median(x[3] for x in v)
        rw = statistics.median(x[2] for x in v)
        out.append('| `%s` | %.2f | %.2f | %.2f | %.2f | %.0f |' % (
            name, cpu, rc, wall, rw, text_bytes / 1e6 / cpu))
    print('\n'.join(out))
    if not same:
        sys.exit(1)


if __name__ == '__main__':
    main()
