#!/usr/bin/env bash
# contam-index-array.sh -- index a corpus with a Slurm job array, then merge.
#
# Why this shape: a Bloom filter of a union of inputs is the OR of the
# filters of its parts, so S independent `contam index` runs over S shard
# lists, followed by one streaming `contam merge`, give the same bytes as a
# single run -- provided every part has the same geometry, which is why a
# size (--expected-ngrams or --memory) is required rather than estimated per
# shard.  Slurm already schedules, retries and accounts for array tasks;
# this script only splits the inputs and writes two small batch scripts.
#
# How the split works: largest file first, each into the shard with the
# fewest bytes so far (ties: the earlier input, the lower shard), using a
# binary heap so 100k files into 1000 shards stay fast.  The result is
# deterministic and no shard ends up more than one file's size above
# another.  contam-mpi uses the same rule for its ranks.
#
# Exit status: 0 success, 1 usage error, 2 input or submission error.
set -euo pipefail

prog=contam-index-array.sh

usage() {
	cat <<'EOF'
usage: contam-index-array.sh -o OUT -s SHARDS (--expected-ngrams N | --memory SIZE)
                             [options] INPUT...

Index a corpus on a Slurm cluster: split the input files into SHARDS lists of
balanced byte size, submit a job array whose task i runs

    contam index -q --allow-empty SIZING -o WORKDIR/part-i.cidx FILES-OF-SHARD-i

and a job that starts when every task has succeeded (afterok) and runs

    contam merge -o OUT WORKDIR/part-0.cidx ... WORKDIR/part-(S-1).cidx

The merged OUT is byte-identical to one `contam index` over all inputs with
the same sizing flags.  INPUTs are files or directories, walked by contam
itself (`contam index --list-inputs`: the same order and the same skips);
all nodes must see them at the same paths (a shared file system).  A shard
may hold only files that give no document, so tasks run with --allow-empty;
the one-shot rule that every INPUT gives documents is not checked here.

options:
  -o, --output OUT          the merged index
  -s, --shards S            number of array tasks (partial indexes)
      --expected-ngrams N   size every part for N distinct n-grams in total
      --memory SIZE         or: size every part's filter to SIZE bytes
                            (one of the two is required: every part must have
                            the same geometry; `contam plan` helps choose)
      --fpr P, -n/--ngram N, -t/--threads T, --text-field F, --winnow W,
      --strict, --max-record SIZE
                            passed to every `contam index` as given
      --include GLOB, --exclude GLOB
                            filter the walks, as in `contam index`
  -l, --list FILE           read more INPUTs from FILE, one per line
  -w, --workdir DIR         shard lists, batch scripts, parts and logs
                            (default: OUT.parts)
      --contam PATH         the contam binary the nodes run (default: the
                            one on PATH, made absolute)
      --max-parallel M      run at most M array tasks at once (--array=...%M)
      --sbatch-arg ARG      pass ARG to both sbatch calls; repeat as needed
                            (e.g. --sbatch-arg=--partition=cpu
                             --sbatch-arg=--time=4:00:00)
      --dry-run             print the shard lists and the exact commands
                            (sbatch lines, every task's contam command, the
                            merge); write nothing, submit nothing
  -h, --help                this help

example:
  contam-index-array.sh -o cc.cidx -s 64 --expected-ngrams 2e11 \
      --sbatch-arg=--cpus-per-task=32 --sbatch-arg=--mem=200G \
      /shared/CC-MAIN-2024-10/
EOF
}

die() { # die CODE MESSAGE
	echo "$prog: error: $2" >&2
	exit "$1"
}

# Shell-quote words into one copy-pasteable command line.
quote_cmd() {
	local q
	q=$(printf '%q ' "$@")
	printf '%s\n' "${q% }"
}

output="" shards="" workdir="" contam_bin="" max_parallel="" dry_run=0
sizing=() index_opts=() sbatch_args=() inputs=() walk_opts=()

need_arg() { [ "$2" -ge 2 ] || die 1 "$1 wants a value (see '$prog --help')"; }

while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	-o|--output) need_arg "$1" $#; output=$2; shift 2 ;;
	--output=*) output=${1#*=}; shift ;;
	-s|--shards) need_arg "$1" $#; shards=$2; shift 2 ;;
	--shards=*) shards=${1#*=}; shift ;;
	--expected-ngrams|--memory) need_arg "$1" $#; sizing+=("$1" "$2"); shift 2 ;;
	--expected-ngrams=*|--memory=*) sizing+=("${1%%=*}" "${1#*=}"); shift ;;
	--fpr|-n|--ngram|-t|--threads|--text-field|--winnow|--max-record)
		need_arg "$1" $#; index_opts+=("$1" "$2"); shift 2 ;;
	--fpr=*|--ngram=*|--threads=*|--text-field=*|--winnow=*|--max-record=*)
		index_opts+=("${1%%=*}" "${1#*=}"); shift ;;
	--strict) index_opts+=("$1"); shift ;;
	--include|--exclude) need_arg "$1" $#; walk_opts+=("$1" "$2"); shift 2 ;;
	--include=*|--exclude=*) walk_opts+=("${1%%=*}" "${1#*=}"); shift ;;
	-l|--list)
		need_arg "$1" $#
		[ -r "$2" ] || die 2 "cannot read '$2': No such file or directory"
		while IFS= read -r line || [ -n "$line" ]; do
			[ -n "$line" ] && inputs+=("$line")
		done <"$2"
		shift 2 ;;
	-w|--workdir) need_arg "$1" $#; workdir=$2; shift 2 ;;
	--workdir=*) workdir=${1#*=}; shift ;;
	--contam) need_arg "$1" $#; contam_bin=$2; shift 2 ;;
	--contam=*) contam_bin=${1#*=}; shift ;;
	--max-parallel) need_arg "$1" $#; max_parallel=$2; shift 2 ;;
	--max-parallel=*) max_parallel=${1#*=}; shift ;;
	--sbatch-arg) need_arg "$1" $#; sbatch_args+=("$2"); shift 2 ;;
	--sbatch-arg=*) sbatch_args+=("${1#*=}"); shift ;;
	--dry-run) dry_run=1; shift ;;
	--) shift; inputs+=("$@"); break ;;
	-*) die 1 "unknown option '$1' (see '$prog --help')" ;;
	*) inputs+=("$1"); shift ;;
	esac
done

[ -n "$output" ] || die 1 "no output: give -o OUT (see '$prog --help')"
[ -n "$shards" ] || die 1 "give the number of array tasks with -s SHARDS"
if ! [[ "$shards" =~ ^[1-9][0-9]*$ ]] || [ "$shards" -gt 100000 ]; then
	die 1 "--shards wants a count of 1..100000, not '$shards'"
fi
[ -z "$max_parallel" ] || [[ "$max_parallel" =~ ^[1-9][0-9]*$ ]] ||
	die 1 "--max-parallel wants a positive count, not '$max_parallel'"
[ ${#inputs[@]} -gt 0 ] || die 1 "no inputs: give corpus files or directories (see '$prog --help')"
[ ${#sizing[@]} -eq 2 ] || die 1 "give exactly one of --expected-ngrams or --memory: every part must have the same filter geometry (size the whole corpus with 'contam plan')"
workdir=${workdir:-$output.parts}
if [ -z "$contam_bin" ]; then
	contam_bin=$(command -v contam || true)
	[ -n "$contam_bin" ] || contam_bin=contam
fi
case "$contam_bin" in
*/*) contam_bin=$(cd "$(dirname "$contam_bin")" && pwd)/$(basename "$contam_bin") ;;
esac

# ---- expand the inputs into "size<TAB>path" lines, in contam's order ----
# contam itself walks them (`contam index --list-inputs`), so the tasks read
# exactly what a one-shot `contam index` would: the same order, the same
# skips (unknown kinds, contam's own outputs, hidden names, --include /
# --exclude, a directory reached twice), listed on stderr
listing=$(mktemp "${TMPDIR:-/tmp}/contam-array.XXXXXX")
trap 'rm -rf "$listing" "$listing".*' EXIT
for arg in "${inputs[@]}"; do
	[ -e "$arg" ] || die 2 "cannot open '$arg': No such file or directory"
	case "$arg" in
	*$'\n'*|*$'\t'*) die 2 "'$arg': paths with tabs or newlines are not supported" ;;
	esac
done
# what the walk skipped goes to task 0 (--skips-from), so that the merged
# index carries it as one contam index of the walk does
"$contam_bin" index --list-inputs --skips-to "$listing.skips" "${walk_opts[@]}" -- "${inputs[@]}" >"$listing" ||
	die 2 "cannot list the inputs"
if LC_ALL=C grep -q $'\r' "$listing"; then
	die 2 "a walked path holds a carriage return: not supported"
fi
# a file named twice would land in two parts, and contam merge refuses an
# input present in two parts: refuse it now
dup=$(cut -f2- "$listing" | LC_ALL=C sort | uniq -d | head -n 1)
[ -z "$dup" ] || die 1 "input '$dup' is given twice"
nfiles=$(wc -l <"$listing")
[ "$nfiles" -gt 0 ] || die 2 "no input files found"
if [ "$shards" -gt "$nfiles" ]; then
	echo "$prog: warning: $shards shards for $nfiles input file(s): using $nfiles" >&2
	shards=$nfiles
fi

# ---- split: largest first into the lightest shard (a min-heap) ---------
# out: "shard<TAB>input number<TAB>size<TAB>path", in input order
awk -F'\t' '{ print $1 "\t" NR "\t" substr($0, index($0, "\t") + 1) }' "$listing" |
	LC_ALL=C sort -t$'\t' -k1,1nr -k2,2n |
	awk -F'\t' -v S="$shards" '
	function less(a, b) { return load[a] < load[b] || (load[a] == load[b] && a < b) }
	function sift(i,   c, t) {
		for (;;) {
			c = 2 * i
			if (c > S) return
			if (c < S && less(heap[c + 1], heap[c])) c++
			if (!less(heap[c], heap[i])) return
			t = heap[c]; heap[c] = heap[i]; heap[i] = t; i = c
		}
	}
	BEGIN { for (i = 1; i <= S; i++) { heap[i] = i - 1; load[i - 1] = 0 } }
	{
		s = heap[1]
		load[s] += $1
		sift(1)
		path = substr($0, length($1) + length($2) + 3)
		print s "\t" $2 "\t" $1 "\t" path
	}' | LC_ALL=C sort -t$'\t' -k2,2n >"$listing.split"

# One pass writes every shard list (into a scratch directory; the real run
# moves them into WORKDIR), so a 100k-file crawl in 1000 shards stays fast.
lists="$listing.d"
mkdir "$lists"
for ((i = 0; i < shards; i++)); do : >"$lists/shard-$i.list"; done
LC_ALL=C sort -t$'\t' -k1,1n -k2,2n "$listing.split" |
	awk -F'\t' -v dir="$lists" '
	f == "" || $1 != cur { if (f != "") close(f); cur = $1; f = dir "/shard-" $1 ".list" }
	{ print substr($0, length($1) + length($2) + length($3) + 4) >> f }'
declare -a shard_bytes
while read -r s b; do shard_bytes[s]=$b; done < <(
	awk -F'\t' '{ b[$1] += $3 } END { for (s in b) printf "%d %.0f\n", s, b[s] }' "$listing.split")

part() { printf '%s/part-%d.cidx' "$workdir" "$1"; }

# the tasks read their files as the walk found them (--walked: one that
# turns out unreadable is counted, not the end of the task)
skips_opt() { # skips_opt SHARD DIR -> task SHARD's --skips-from, if any
	if [ "$1" = 0 ] && [ -s "$listing.skips" ]; then
		printf '%s\n' --skips-from "$2/skips.jsonl"
	fi
}

index_cmd() { # index_cmd SHARD -> the contam command of task SHARD
	local -a files skips
	mapfile -t files <"$lists/shard-$1.list"
	mapfile -t skips < <(skips_opt "$1" "$workdir")
	quote_cmd "$contam_bin" index -q --allow-empty --walked "${skips[@]}" "${sizing[@]}" "${index_opts[@]}" -o "$(part "$1")" "${files[@]}"
}

merge_cmd() {
	local -a parts=()
	for ((i = 0; i < shards; i++)); do parts+=("$(part "$i")"); done
	quote_cmd "$contam_bin" merge -q -o "$output" "${parts[@]}"
}

array="0-$((shards - 1))${max_parallel:+%$max_parallel}"
index_sbatch=(sbatch --parsable --job-name=contam-index "--array=$array"
	"--output=$workdir/logs/index-%A_%a.log" "${sbatch_args[@]}" "$workdir/index.sbatch")
merge_sbatch=(sbatch --parsable --job-name=contam-merge --dependency=afterok:JOBID
	"--output=$workdir/logs/merge-%j.log" "${sbatch_args[@]}" "$workdir/merge.sbatch")

total=$(awk -F'\t' '{ t += $3 } END { printf "%.0f", t }' "$listing.split")
if [ "$dry_run" = 1 ]; then
	echo "# $nfiles input file(s), $total bytes, in $shards shard(s); workdir $workdir"
	for ((i = 0; i < shards; i++)); do
		mapfile -t files <"$lists/shard-$i.list"
		echo "# shard $i: ${#files[@]} file(s), ${shard_bytes[i]:-0} bytes -> $workdir/shard-$i.list"
		for f in "${files[@]}"; do echo "shard $i: $f"; done
	done
	echo "# commands"
	echo "submit: $(quote_cmd "${index_sbatch[@]}")"
	for ((i = 0; i < shards; i++)); do
		echo "task $i: $(index_cmd "$i")"
	done
	echo "submit: $(quote_cmd "${merge_sbatch[@]}")"
	echo "merge: $(merge_cmd)"
	exit 0
fi

# ---- write the shard lists and the two batch scripts, submit ----------
command -v sbatch >/dev/null || die 2 "sbatch not found: run on a Slurm login node (or use --dry-run)"
mkdir -p "$workdir/logs" || die 2 "cannot create '$workdir'"
rm -f "$workdir"/shard-*.list
mv "$lists"/shard-*.list "$workdir"/ || die 2 "cannot write the shard lists in '$workdir'"
if [ -s "$listing.skips" ]; then
	cp "$listing.skips" "$workdir/skips.jsonl" || die 2 "cannot write '$workdir/skips.jsonl'"
fi
{
	echo '#!/usr/bin/env bash'
	echo "# written by $prog: task i indexes the files of shard-i.list"
	echo 'set -euo pipefail'
	# shellcheck disable=SC2016 # expanded by the task, not here
	echo 'i=$SLURM_ARRAY_TASK_ID'
	echo "mapfile -t files <$(printf '%q' "$workdir")/shard-\$i.list"
	echo "skips=()"
	if [ -s "$listing.skips" ]; then
		echo "[ \"\$i\" != 0 ] || skips=(--skips-from $(printf '%q' "$workdir")/skips.jsonl)"
	fi
	echo "exec $(quote_cmd "$contam_bin" index -q --allow-empty --walked "${sizing[@]}" "${index_opts[@]}") \\"
	echo "    \"\${skips[@]}\" -o $(printf '%q' "$workdir")/part-\$i.cidx \"\${files[@]}\""
} >"$workdir/index.sbatch"
{
	echo '#!/usr/bin/env bash'
	echo "# written by $prog: OR-merge the parts once every task succeeded"
	echo 'set -euo pipefail'
	echo "exec $(merge_cmd)"
} >"$workdir/merge.sbatch"

jobid=$("${index_sbatch[@]}") || die 2 "sbatch of the index array failed"
jobid=${jobid%%;*} # --parsable prints "id" or "id;cluster"
merge_sbatch=("${merge_sbatch[@]/afterok:JOBID/afterok:$jobid}")
merge_id=$("${merge_sbatch[@]}") || die 2 "sbatch of the merge failed (array job $jobid is queued; scancel it or submit $workdir/merge.sbatch by hand)"
merge_id=${merge_id%%;*}
echo "$prog: array job $jobid ($shards tasks over $nfiles files, $total bytes); merge job $merge_id writes '$output'"
echo "$prog: watch with: squeue -j $jobid,$merge_id   logs in $workdir/logs/"
