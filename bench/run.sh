#!/usr/bin/env bash
# Runs the JMH benchmarks with short settings, measures OpenSSL's native figures for the same
# operations in the same run, and writes bench/results/<name>.{json,md} and the charts of what
# the run measured, bench/results/<name>-<chart>.svg (a chart the run has no figures for is skipped,
# with a line on stderr).
#   bench/run.sh                 # all benchmarks, short settings
#   bench/run.sh Primitives      # a JMH include regex
#   BKV_JMH_ARGS="-f 2 -wi 5 -i 10" bench/run.sh   # longer runs
#   bench/run.sh FleetTraceBench # what a trace recorder costs the fleet, next to the default no-op sink
#   bench/run.sh VaultMemory     # vault memory per user only (VaultMemoryBench is not a JMH benchmark)
#   bench/run.sh FleetLoadLatency  # fleet commit latency at half its peak load only (not JMH either)
#   bench/run.sh FleetHttpLogins   # logins/s over HTTP with 5 node processes (not JMH), and
#                                  # FleetLoginBench.fleetLogin in process for the ratio
#   bench/run.sh WitnessGroupCommit  # the witness's durable appends at 1, 16, 64 submitters and the raw fsync rate
#   bench/run.sh --charts-only 2026-12-06-vm  # no benchmark: draws the charts of bench/results/2026-12-06-vm.json again
# The charts come from the report alone (its JSON; the FleetLoadLatency and FleetHttpLogins lines of
# its Markdown), so the same report always gives the same SVG bytes. Once bench/target is built:
#   java -cp "bench/target/classes:bench/target/lib/*" dev.bkv.bench.BenchCharts bench/results/NAME.json
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cp="bench/target/classes:bench/target/lib/*"

if [[ "${1:-}" == "--charts-only" ]]; then
  if [[ $# -ne 2 || ! -f "bench/results/$2.json" ]]; then
    echo "usage: bench/run.sh --charts-only NAME   (NAME.json in bench/results)" >&2
    exit 2
  fi
  echo "bench: building..." >&2
  mvn -q -B -pl bench -am -DskipTests package >&2
  java -cp "$cp" dev.bkv.bench.BenchCharts "bench/results/$2.json"
  exit 0
fi

include="${1:-.*Bench.*}"
jmh_args="${BKV_JMH_ARGS:--f 1 -wi 5 -w 1s -i 5 -r 1s}"
# VaultMemoryBench: users measured, and a heap that holds a million of them with room to collect.
memory_users="100000 1000000"
memory_heap="-Xmx4g"
name="${BKV_BENCH_NAME:-$(date -u +%Y-%m-%d)-$(hostname -s)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "bench: building..." >&2
mvn -q -B -pl bench -am -DskipTests package >&2

listed="$(java -cp "$cp" org.openjdk.jmh.Main -l "$include" | tail -n +2)" # after the "Benchmarks:" line
if [[ -n "$listed" ]]; then
  echo "bench: JMH $jmh_args $include" >&2
  # shellcheck disable=SC2086
  java -cp "$cp" org.openjdk.jmh.Main $jmh_args -rf json -rff "$work/jmh.json" "$include" >&2
else
  echo "bench: no JMH benchmark matches $include" >&2
  echo '[]' > "$work/jmh.json"
fi

memory=()
if grep -qE -- "$include" <<< "dev.bkv.bench.VaultMemoryBench"; then
  echo "bench: vault memory per user ($memory_heap, users: $memory_users)" >&2
  # shellcheck disable=SC2086
  java $memory_heap -cp "$cp" dev.bkv.bench.VaultMemoryBench $memory_users > "$work/memory.json"
  memory=("$work/memory.json")
fi

load=""
if [[ "$include" == ".*Bench.*" ]] || grep -qE -- "$include" <<< "dev.bkv.bench.FleetLoadLatency"; then
  echo "bench: fleet commit latency at half its peak load (5 HSMs, memory and fsync)" >&2
  load="$(for storage in memory fsync; do java -cp "$cp" dev.bkv.bench.FleetLoadLatency 5 "$storage"; done)"
fi

http_logins=""
http_clients=16
if [[ "$include" == ".*Bench.*" ]] || grep -qE -- "$include" <<< "dev.bkv.bench.FleetHttpLogins"; then
  # The in-process figure it is divided by comes from this run: the JMH results above, or a
  # run of that one benchmark now when the include left it out.
  logins_jmh="$work/jmh.json"
  if ! grep -q '"dev.bkv.bench.FleetLoginBench.fleetLogin"' "$logins_jmh"; then
    echo "bench: JMH $jmh_args FleetLoginBench.fleetLogin (the in-process figure for FleetHttpLogins)" >&2
    logins_jmh="$work/logins-jmh.json"
    # shellcheck disable=SC2086
    java -cp "$cp" org.openjdk.jmh.Main $jmh_args -rf json -rff "$logins_jmh" 'FleetLoginBench.fleetLogin' >&2
  fi
  echo "bench: fleet logins over HTTP ($http_clients clients; 5 node processes, frontend, witness on loopback)" >&2
  http_logins="$(java -cp "$cp" dev.bkv.bench.FleetHttpLogins "$http_clients" "$logins_jmh")"
fi

echo "bench: openssl speed (native baseline, same run)" >&2
# -elapsed: wall-clock time, as JMH reports; openssl's default is CPU time, which on a busy
# machine leaves the native figure untouched while every JMH figure grows with the load.
{
  openssl version
  openssl speed -elapsed -seconds 2 -mr ecdhp256 ecdsap256 ed25519 sha256 2>/dev/null
  openssl speed -elapsed -seconds 2 -mr -evp aes-256-gcm 2>/dev/null
} > "$work/openssl.txt"

command="bench/run.sh${*:+ $*} (JMH: $jmh_args; $(head -1 "$work/openssl.txt"))"
java -cp "$cp" dev.bkv.bench.BenchReport "$work/jmh.json" "$work/openssl.txt" bench/results "$name" "$command" ${memory[@]+"${memory[@]}"}
if [[ -n "$load" ]]; then
  # FleetLoadLatency is an open-loop measurement that JMH's modes do not express: its lines
  # are appended to the report as printed.
  {
    echo
    echo "## Fleet commit latency under load"
    echo
    echo "\`FleetLoadLatency\`: the fleet's peak committed guesses per second, then an open-loop load at half"
    echo "that rate; a guess's latency runs from its arrival to its release (group commit on the leader)."
    echo
    echo '```'
    echo "$load"
    echo '```'
  } >> "bench/results/$name.md"
fi
if [[ -n "$http_logins" ]]; then
  # Not JMH either (separate processes, a fixed window): its line is appended as printed.
  {
    echo
    echo "## Fleet logins over HTTP"
    echo
    echo "\`FleetHttpLogins\`: $http_clients client threads doing full OPAQUE logins (recoveries; the phone's KE1/KE3"
    echo "included, Identity KSF) through \`bkv frontend\` to 5 \`bkv node\` processes (durable storage) on loopback,"
    echo "5 s warm-up then a 10 s window; divided by \`FleetLoginBench.fleetLogin\` (in process, in memory, server"
    echo "side only) from the same run."
    echo
    echo '```'
    echo "$http_logins"
    echo '```'
  } >> "bench/results/$name.md"
fi
java -cp "$cp" dev.bkv.bench.BenchCharts "bench/results/$name.json"
echo "bench: wrote bench/results/$name.json, .md and the charts above" >&2
