#!/usr/bin/env bash
# A fuzzing campaign: every Jazzer target (or those named) for a given time each, one after
# another, under nice, then a summary table. A target is a class with a static
# fuzzerTestOneInput whose first input byte picks a decoder of its area (testsupport.FuzzSelector);
# its seeds are the regression inputs the normal build replays.
#
#   impl/fuzz/campaign.sh [-d SECONDS] [-m] [-o DIR] [TARGET...]   (default: 600 s each, every target)
#
# Writes into DIR (default impl/target/fuzz-campaign): logs/<target>.log, corpus/<target>/ (what the
# fuzzer kept), findings/<target>/ (crash and timeout inputs) and summary.md. A campaign starts from
# the target's regression seeds and from impl/fuzz/corpus/<target>/, the corpus earlier campaigns
# kept after minimization, which the normal build does not replay. With -m, each
# target's corpus is then merged (libFuzzer -merge=1) into a copy of its seeds, and the inputs
# that cover more than the seeds land in added/<target>/: the candidates for new committed seeds. Exit code: 0 when no target found anything, 1 when one did, 2 on bad
# usage. The classes are copied before the first target starts, so the tree may change meanwhile.
set -euo pipefail

TARGETS_ALL=(crypto tlog text hsm peer http)
declare -A CLASS=(
  [crypto]=dev.bkv.crypto.opaque.CryptoFuzzTest
  [tlog]=dev.bkv.tlog.TlogFuzzTest
  [text]=dev.bkv.client.TextFormatsFuzzTest
  [hsm]=dev.bkv.hsm.HsmFuzzTest
  [peer]=dev.bkv.consensus.PeerFuzzTest
  [http]=dev.bkv.net.HttpFuzzTest
)
# One input that takes longer than this is a hang. The slowest legitimate input (an OPAQUE
# login, a witness fsync) takes well under a second alone, but a campaign runs niced on a
# shared machine, where an input can wait seconds for a core.
TIMEOUT_SECONDS=60
NICE=${NICE:-15}
HEAP=${FUZZ_HEAP:-1g}

usage() {
  echo "usage: $0 [-d SECONDS] [-m] [-o DIR] [TARGET...]   targets: ${TARGETS_ALL[*]}" >&2
  exit 2
}

duration=600
merge=false
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/impl/target/fuzz-campaign
while getopts "d:mo:h" opt; do
  case $opt in
    d) [[ $OPTARG =~ ^[1-9][0-9]*$ ]] || usage; duration=$OPTARG ;;
    m) merge=true ;;
    o) out=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${TARGETS_ALL[@]}")
for t in "${targets[@]}"; do
  [[ -n ${CLASS[$t]:-} ]] || { echo "unknown target: $t" >&2; usage; }
done

mkdir -p "$out"/{logs,corpus,added,findings}
out=$(cd "$out" && pwd)
cd "$root"
echo "building the test classes and their classpath"
mvn -o -q -pl impl test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$out/classpath.txt"
rm -rf "$out/classes"
mkdir -p "$out/classes"
cp -r impl/target/classes impl/target/test-classes "$out/classes/"
cp="$out/classes/test-classes:$out/classes/classes:$(cat "$out/classpath.txt")"

jazzer() {
  nice -n "$NICE" java -Xmx"$HEAP" -cp "$cp" com.code_intelligence.jazzer.Jazzer \
    --instrumentation_includes='dev.bkv.**' "$@"
}

summary=$out/summary.md
{
  echo "Campaign of $(date -u +%FT%TZ): ${#targets[@]} targets, $duration s each, nice -n $NICE, $(nproc) cores"
  echo
  echo "| target | class | seconds | executions | exec/s | cov | ft | corpus | seeds | added | findings |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
} > "$summary"

found=0
for t in "${targets[@]}"; do
  class=${CLASS[$t]}
  seeds=$out/classes/test-classes/$(echo "${class%.*}" | tr . /)/${class##*.}Inputs/fuzz
  mkdir -p "$seeds" "$out/corpus/$t" "$out/findings/$t"
  log=$out/logs/$t.log
  echo "$(date -u +%T) fuzzing $t ($class) for $duration s"
  start=$(date +%s)
  # --keep_going: a finding is recorded and the campaign goes on, so one bug does not hide others.
  kept=()
  [[ -d $root/impl/fuzz/corpus/$t ]] && kept=("$root/impl/fuzz/corpus/$t")
  jazzer --target_class="$class" --keep_going=50 -max_total_time="$duration" -timeout="$TIMEOUT_SECONDS" \
    -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$out/findings/$t/" \
    "$out/corpus/$t" "$seeds" "${kept[@]}" > "$log" 2>&1 || true
  seconds=$(( $(date +%s) - start ))

  if $merge; then
    # What the campaign adds over the seeds: merge its corpus into a copy of them; the files
    # that the merge adds cover something no seed does.
    merged=$out/merge-$t
    rm -rf "$merged" "$out/added/$t"
    mkdir -p "$merged" "$out/added/$t"
    cp "$seeds"/* "$merged"/ 2>/dev/null || true
    jazzer --target_class="$class" -merge=1 -timeout="$TIMEOUT_SECONDS" -rss_limit_mb=4096 \
      "$merged" "$out/corpus/$t" > "$out/logs/$t.merge.log" 2>&1 || true
    for f in "$merged"/*; do
      [[ -e $seeds/$(basename "$f") ]] || cp "$f" "$out/added/$t/"
    done
    rm -rf "$merged"
  fi

  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  field() { sed -nE "s/.* $1: ([0-9]+).*/\1/p" <<< "$last"; }
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -1)
  rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log" | tail -1)
  corp=$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<< "$last")
  findings=$(find "$out/findings/$t" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
  found=$((found + findings))
  echo "| $t | ${class##*.} | $seconds | ${runs:-?} | ${rate:-?} | $(field cov) | $(field ft) | ${corp:-?} |" \
    "$(find "$seeds" -type f | wc -l) | $($merge && find "$out/added/$t" -type f | wc -l || echo -) | $findings |" >> "$summary"
  echo "$(date -u +%T) $t: ${runs:-?} executions, $findings findings"
done
echo >> "$summary"
echo "Findings: $found (inputs under $out/findings/)" >> "$summary"
cat "$summary"
[[ $found -eq 0 ]]
