#!/usr/bin/env bash
# Same bytes, same reports: run one fixed set of index, probe, scan and
# purify commands with two contam binaries and compare every output byte
# for byte.  A refactor that claims "behaviour stays as it is" passes it.
#
#   scripts/samebytes.sh OLD_CONTAM NEW_CONTAM [WORKDIR]
#
# OLD_CONTAM is usually a build of the commit before the change
# (git worktree add /tmp/old <commit>; meson setup + ninja there).
# The corpora are the generated demo corpus (every input format) and, when
# ../shared/data exists beside the repository, real samples from it.
# Exit 0 when every output is identical, 1 when any differs (named).
set -uo pipefail
old=${1:?usage: samebytes.sh OLD_CONTAM NEW_CONTAM [WORKDIR]}
new=${2:?usage: samebytes.sh OLD_CONTAM NEW_CONTAM [WORKDIR]}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${3:-$(mktemp -d /tmp/samebytes.XXXXXX)}
shared=${CONTAM_SHARED_DATA:-$root/../shared/data}
mkdir -p "$work"
python3 "$root/scripts/gen_testdata.py" "$work/gen" >/dev/null
# the generated corpus in two halves, for merges and --add
mkdir -p "$work/split/a" "$work/split/b"
for f in essay.txt plain.jsonl shard.jsonl.gz books.tar.gz; do
	cp "$work/gen/corpus/$f" "$work/split/a/" || exit 2
done
for f in pages.zip web.warc.wet.gz shard.jsonl.zst essay.txt.gz; do
	cp "$work/gen/corpus/$f" "$work/split/b/" || exit 2
done
# fixed geometry (sized from a count, not from the inputs), so that the
# halves' sections merge
mh="--expected-ngrams 100000 --doc-freq-memory 1M --minhash"

# name|command line, with $C for the binary and $O for its output dir
cases=(
"gen-index|index -q -o \$O/gen.cidx $work/gen/corpus"
"gen-index-winnow|index -q --winnow 4 -o \$O/genw.cidx $work/gen/corpus"
"gen-index-docfreq|index -q --doc-freq -o \$O/gendf.cidx $work/gen/corpus"
"gen-index-part0|index -q --partition 0/2 -o \$O/genp0.cidx $work/gen/corpus"
"gen-index-part1|index -q --partition 1/2 -o \$O/genp1.cidx $work/gen/corpus"
"gen-probe|probe -q \$O/gen.cidx --field question --field answer --id-field id $work/gen/bench/demo.jsonl -o \$O/gen-probe.json"
"gen-probe-null|probe -q \$O/gen.cidx --null-control --field question --field answer $work/gen/bench/demo.jsonl -o \$O/gen-probe-null.json"
"gen-probe-qa|probe -q \$O/gen.cidx --question-field question --answer-field answer $work/gen/bench/demo.jsonl -o \$O/gen-probe-qa.json"
"gen-probe-parts|probe -q \$O/genp0.cidx,\$O/genp1.cidx --field question --field answer $work/gen/bench/demo.jsonl -o \$O/gen-probe-parts.json"
"gen-probe-csv|probe -q \$O/genw.cidx $work/gen/bench/demo.csv -o \$O/gen-probe-csv.json"
"gen-probe-df|probe -q \$O/gendf.cidx --max-doc-freq 3 --field question --field answer $work/gen/bench/demo.jsonl -o \$O/gen-probe-df.json"
"gen-scan|scan -q --field question --field answer --bench $work/gen/bench/demo.jsonl -o \$O/gen-hits.jsonl --report \$O/gen-scan.json $work/gen/corpus"
"gen-purify|scan -q --field question --field answer --bench $work/gen/bench/demo.jsonl -o \$O/gen-hits2.jsonl --purify \$O/purified $work/gen/corpus"
"gen-purify-cut|scan -q --field question --field answer --bench $work/gen/bench/demo.jsonl -o \$O/gen-hits3.jsonl --purify-mode cut --purify \$O/purified-cut $work/gen/corpus"
"gen-info|info \$O/gen.cidx"
"gen-scan-qa|scan -q --question-field question --answer-field answer --bench $work/gen/bench/demo.jsonl -o \$O/gen-hits-qa.jsonl --report \$O/gen-scan-qa.json $work/gen/corpus"
"gen-probe-qa-confirm|probe -q \$O/gen.cidx --question-field question --answer-field answer $work/gen/bench/demo.jsonl -o \$O/gen-probe-qa-confirm.json --confirm $work/gen/corpus"
"td-index|index -q -o \$O/td.cidx $root/testdata/corpus"
"td-probe|probe -q \$O/td.cidx --name demo --field question --field answer --id-field id $root/testdata/bench/demo.jsonl -o \$O/td-probe.json"
"td-probe-csv|probe -q \$O/td.cidx $root/testdata/bench/demo.csv -o \$O/td-probe-csv.json"
"td-scan|scan -q --field question --field answer --bench $root/testdata/bench/demo.jsonl -o \$O/td-hits.jsonl --report \$O/td-scan.json $root/testdata/corpus"
"td-purify|scan -q --field question --field answer --bench $root/testdata/bench/demo.jsonl -o \$O/td-hits2.jsonl --purify \$O/td-purified $root/testdata/corpus/books.tar.gz $root/testdata/corpus/crawl.warc.gz $root/testdata/corpus/essay.txt $root/testdata/corpus/essay.txt.gz $root/testdata/corpus/pages.zip $root/testdata/corpus/plain.jsonl $root/testdata/corpus/shard.jsonl.gz $root/testdata/corpus/shard.jsonl.zst $root/testdata/corpus/web.warc.wet.gz"
"td-purify-cut|scan -q --field question --field answer --bench $root/testdata/bench/demo.jsonl -o \$O/td-hits3.jsonl --purify-mode cut --purify \$O/td-purified-cut $root/testdata/corpus/books.tar.gz $root/testdata/corpus/crawl.warc.gz $root/testdata/corpus/essay.txt $root/testdata/corpus/essay.txt.gz $root/testdata/corpus/pages.zip $root/testdata/corpus/plain.jsonl $root/testdata/corpus/shard.jsonl.gz $root/testdata/corpus/shard.jsonl.zst $root/testdata/corpus/web.warc.wet.gz"
"td-purify-refused|scan -q --field question --field answer --bench $root/testdata/bench/demo.jsonl -o \$O/td-hits4.jsonl --purify \$O/td-refused $root/testdata/corpus"
"gen-report-md|report \$O/gen-probe.json \$O/gen-probe-null.json"
"gen-report-latex|report --format latex \$O/gen-probe.json"
"gen-report-csv|report --format csv -o \$O/gen-report.csv \$O/gen-probe.json \$O/gen-probe-qa.json"
"gen-report-html|report --format html -o \$O/gen-report.html \$O/gen-probe.json \$O/gen-probe-null.json"
"gen-probe-table|probe \$O/gen.cidx --field question --field answer -o \$O/gen-probe-t.json $work/gen/bench/demo.jsonl"
"gen-confirm|probe -q \$O/gen.cidx --field question --field answer -o \$O/gen-confirm.json $work/gen/bench/demo.jsonl --confirm $work/gen/corpus"
"err-load|info \$O/no-such.cidx"
"err-merge|merge -o \$O/bad-merge.cidx \$O/gen.cidx \$O/genw.cidx"
"err-report|report \$O/no-such-report.json"
"gen-index-t1|index -q --threads 1 -o \$O/gen-t1.cidx $work/gen/corpus"
"gen-index-t2|index -q --threads 2 -o \$O/gen-t2.cidx $work/gen/corpus"
"gen-index-docfreq-t2|index -q --threads 2 --doc-freq --winnow 4 -o \$O/gendfw-t2.cidx $work/gen/corpus"
"gen-scan-t1|scan -q --threads 1 --field question --field answer --bench $work/gen/bench/demo.jsonl -o \$O/gen-hits-t1.jsonl --report \$O/gen-scan-t1.json $work/gen/corpus"
"gen-scan-t2|scan -q --threads 2 --field question --field answer --bench $work/gen/bench/demo.jsonl -o \$O/gen-hits-t2.jsonl --report \$O/gen-scan-t2.json $work/gen/corpus"
"gen-probe-confirm|probe -q \$O/gen.cidx --field question --field answer -o \$O/gen-probe-confirm.json $work/gen/bench/demo.jsonl --confirm $work/gen/corpus"
"gen-index-dfpart0|index -q --doc-freq --memory 1M --partition 0/3 -o \$O/gendfp0.cidx $work/gen/corpus"
"gen-index-dfpart1|index -q --doc-freq --memory 1M --partition 1/3 -o \$O/gendfp1.cidx $work/gen/corpus"
"gen-index-dfpart2|index -q --doc-freq --memory 1M --partition 2/3 -o \$O/gendfp2.cidx $work/gen/corpus"
"gen-probe-dfparts|probe -q \$O/gendfp2.cidx,\$O/gendfp0.cidx,\$O/gendfp1.cidx --null-control --max-doc-freq 2 --field question --field answer $work/gen/bench/demo.jsonl -o \$O/gen-probe-dfparts.json"
"gen-probe-lonepart|probe -q \$O/gendfp1.cidx --field question $work/gen/bench/demo.jsonl -o \$O/gen-probe-lonepart.json"
"sec-index|index -q $mh -o \$O/sec.cidx $work/split/a $work/split/b"
"sec-index-a|index -q $mh -o \$O/seca.cidx $work/split/a"
"sec-index-b|index -q $mh -o \$O/secb.cidx $work/split/b"
"sec-merge|merge -o \$O/secm.cidx \$O/seca.cidx \$O/secb.cidx"
"sec-add|index -q --add \$O/seca.cidx $work/split/b"
"sec-part0|index -q $mh --partition 0/2 -o \$O/secp0.cidx $work/split/a $work/split/b"
"sec-part1|index -q $mh --partition 1/2 -o \$O/secp1.cidx $work/split/a $work/split/b"
"sec-part0-a|index -q $mh --partition 0/2 -o \$O/secp0a.cidx $work/split/a"
"sec-part0-b|index -q $mh --partition 0/2 -o \$O/secp0b.cidx $work/split/b"
"sec-part0-merge|merge -o \$O/secp0m.cidx \$O/secp0a.cidx \$O/secp0b.cidx"
"sec-checkpoint|index -q $mh --checkpoint-every 1 -o \$O/secck.cidx $work/split/a $work/split/b"
"sec-raw|index -q $mh --uncompressed-filter -o \$O/secraw.cidx $work/split/a"
"sec-probe-merged|probe -q \$O/secm.cidx --near-dup --max-doc-freq 3 --field question --field answer $work/gen/bench/demo.jsonl -o \$O/sec-probe-merged.json"
"sec-probe-parts|probe -q \$O/secp0.cidx,\$O/secp1.cidx --near-dup --max-doc-freq 3 --field question --field answer $work/gen/bench/demo.jsonl -o \$O/sec-probe-parts.json"
"sec-probe-raw|probe -q \$O/secraw.cidx --near-dup --field question --field answer $work/gen/bench/demo.jsonl -o \$O/sec-probe-raw.json"
"sec-info|info \$O/secp0m.cidx"
"sec-verify|verify \$O/secm.cidx"
"sec-index-nomh|index -q --expected-ngrams 100000 --doc-freq-memory 1M -o \$O/secnomh.cidx $work/split/b"
"sec-index-nodf|index -q --expected-ngrams 100000 --minhash -o \$O/secnodf.cidx $work/split/b"
"sec-err-nomh|merge -o \$O/sec-bad1.cidx \$O/secm.cidx \$O/secnomh.cidx"
"sec-err-nodf|merge -o \$O/sec-bad2.cidx \$O/secnodf.cidx \$O/secm.cidx"
"sec-err-parts|probe -q \$O/secp0.cidx,\$O/secnomh.cidx --field question $work/gen/bench/demo.jsonl -o \$O/sec-bad-parts.json"
)
if [ -d "$shared/corpus" ]; then
	c=$shared/corpus b=$shared/benchmarks
	cases+=(
"real-index|index -q -o \$O/real.cidx $c/commoncrawl_whirlwind $c/c4 $c/dolma_tests $c/wikitext-2 $c/commoncrawl_resiliparse_tests"
"real-index-cjk|index -q -o \$O/cjk.cidx $c/zhwiki $c/jawiki $c/kowiki $c/chinese_web"
"real-probe-gsm8k|probe -q \$O/real.cidx --field question --field answer $b/gsm8k -o \$O/real-gsm8k.json"
"real-probe-mmlu|probe -q \$O/real.cidx --null-control --no-header $b/mmlu/data/test -o \$O/real-mmlu.json"
"real-probe-arc|probe -q \$O/real.cidx $b/arc -o \$O/real-arc.json"
"real-probe-cjk|probe -q \$O/cjk.cidx $b/ceval $b/cmmlu -o \$O/real-cjk.json"
"real-scan|scan -q --bench $b/gsm8k --bench $b/arc -o \$O/real-hits.jsonl --report \$O/real-scan.json $c/c4 $c/commoncrawl_whirlwind $c/dolma_tests"
"real-purify|scan -q --bench $b/truthfulqa -o \$O/real-hits2.jsonl --purify \$O/real-purified $c/c4 $c/commoncrawl_whirlwind"
"real-scan-qa|scan -q --question-field question --answer-field answer --bench $b/gsm8k -o \$O/real-hits-qa.jsonl --report \$O/real-scan-qa.json $c/c4 $c/commoncrawl_whirlwind $c/dolma_tests"
"real-index-t1|index -q --threads 1 -o \$O/real-t1.cidx $c/commoncrawl_whirlwind $c/c4 $c/dolma_tests $c/wikitext-2 $c/commoncrawl_resiliparse_tests"
"real-index-t2|index -q --threads 2 -o \$O/real-t2.cidx $c/commoncrawl_whirlwind $c/c4 $c/dolma_tests $c/wikitext-2 $c/commoncrawl_resiliparse_tests"
"real-scan-t1|scan -q --threads 1 --bench $b/gsm8k --bench $b/arc -o \$O/real-hits-t1.jsonl --report \$O/real-scan-t1.json $c/c4 $c/commoncrawl_whirlwind $c/dolma_tests"
"real-scan-t2|scan -q --threads 2 --bench $b/gsm8k --bench $b/arc -o \$O/real-hits-t2.jsonl --report \$O/real-scan-t2.json $c/c4 $c/commoncrawl_whirlwind $c/dolma_tests"
"real-index-part0|index -q --partition 0/2 -o \$O/realp0.cidx $c/commoncrawl_whirlwind $c/c4 $c/dolma_tests $c/wikitext-2"
"real-index-part1|index -q --partition 1/2 -o \$O/realp1.cidx $c/commoncrawl_whirlwind $c/c4 $c/dolma_tests $c/wikitext-2"
"real-probe-mmlu-parts|probe -q \$O/realp0.cidx,\$O/realp1.cidx --null-control --no-header $b/mmlu/data/test -o \$O/real-mmlu-parts.json"
	)
fi

run_all() { # binary outdir
	local C=$1 O=$2 line name cmd
	rm -rf "$O"
	mkdir -p "$O"
	for line in "${cases[@]}"; do
		name=${line%%|*}
		cmd=${line#*|}
		cmd=${cmd//\$O/$O}
		# shellcheck disable=SC2086
		(cd "$work" && "$C" $cmd >"$O/$name.stdout" 2>"$O/$name.stderr")
		echo $? >"$O/$name.rc"
	done
}

run_all "$old" "$work/old"
run_all "$new" "$work/new"

# Outputs name their own directory (paths in reports, manifests) and carry
# timings and gzip header times: compare with those made equal.
norm() { # file old|new
	case $1 in
	*.gz) gzip -dc "$1" | sed "s#$work/$2#W#g" ;;
	*) sed -e "s#$work/$2#W#g" -e 's/"seconds": [0-9.e+-]*/"seconds": T/' \
	       -e 's/"elapsed[a-z_]*": [0-9.e+-]*/"elapsed": T/' "$1" ;;
	esac
}
status=0
while IFS= read -r f; do
	rel=${f#"$work/old/"}
	g=$work/new/$rel
	if [ ! -e "$g" ]; then
		echo "MISSING in new: $rel"
		status=1
	elif ! cmp -s "$f" "$g" && ! cmp -s <(norm "$f" old) <(norm "$g" new); then
		echo "DIFFERS: $rel"
		status=1
	fi
done < <(find "$work/old" -type f | sort)
while IFS= read -r g; do
	rel=${g#"$work/new/"}
	[ -e "$work/old/$rel" ] || { echo "EXTRA in new: $rel"; status=1; }
done < <(find "$work/new" -type f | sort)
n=$(find "$work/old" -type f | wc -l)
if [ $status = 0 ]; then
	echo "samebytes: $n outputs identical ($work)"
else
	echo "samebytes: outputs differ ($work/old vs $work/new)"
fi
exit $status
