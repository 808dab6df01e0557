#!/usr/bin/env bash
# A soak of the fleet as processes on loopback (dev.bkv.deploy.FleetSoak, test scope): the
# witness, 5 nodes in 3 datacenters and the frontend under a steady load of client processes,
# a node killed with SIGKILL and restarted every 30 s in turn, and one datacenter lost (nodes
# killed, storage deleted, started again empty). Checks at the end: no acknowledged
# registration lost, every guess count right, memory flat. Exit 0 when every check held.
#   bench/soak.sh                      # 10 minutes of load
#   bench/soak.sh --seconds 120        # shorter; also --clients N --users N --kill-every S
#   BKV_SOAK_PORTS=22000-22999 bench/soak.sh   # the loopback ports its servers take
# The summary goes to bench/results/soak-<date>.txt (or BKV_SOAK_SUMMARY). Every process it
# started is killed when it ends, however it ends (Ctrl-C included).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

summary="${BKV_SOAK_SUMMARY:-bench/results/soak-$(date -u +%Y-%m-%d)-$(hostname -s).txt}"
ports="${BKV_SOAK_PORTS:-20000-31999}"
work="$(mktemp -d)"
driver=""
stop() {
  # The driver leads its own process group, and every child it started is in it.
  if [[ -n "$driver" ]] && kill -0 "$driver" 2>/dev/null; then
    kill -TERM -- "-$driver" 2>/dev/null || true
    for _ in $(seq 1 20); do
      kill -0 -- "-$driver" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$driver" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

echo "soak: building..." >&2
mvn -o -q -B -pl impl test-compile >&2
mvn -o -q -B -pl impl dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/cp.txt" >&2
cp="impl/target/test-classes:impl/target/classes:$(cat "$work/cp.txt")"

echo "soak: running (summary: $summary)" >&2
setsid java -Xmx512m -Dbkv.deploy.ports="$ports" -cp "$cp" dev.bkv.deploy.FleetSoak \
  --summary "$summary" --dir "$work" "$@" &
driver=$!
set +e
wait "$driver"
status=$?
set -e
echo "soak: exit $status, summary in $summary" >&2
exit "$status"
