#!/usr/bin/env bash
# Runs PIT on each package in turn (one at a time, under nice), then prints the tables.
# Usage, from the repository root: impl/mutation/run-all.sh [package ...]
# With no argument it runs all six; e.g. `impl/mutation/run-all.sh tlog` runs one.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=("$@")
if [ ${#packages[@]} -eq 0 ]; then
  packages=(audit bundle evidence consensus vault tlog)
fi
for p in "${packages[@]}"; do
  echo "== $p"
  nice -n 10 mvn -o -Pmutation -f pom.xml test-compile "pitest:mutationCoverage@$p" > "target/pit-$p.log" 2>&1 \
    || { echo "PIT failed for $p: see impl/target/pit-$p.log"; exit 1; }
done
java mutation/PitSummary.java target/pit-reports
