#!/usr/bin/env bash
# The console's endpoints (log search, log page 2 via search_after, trace with its logs, services table) next to the same
# searches sent straight to OpenSearch, p50/p95 in one run, rounds interleaved; then a 1,000-span trace rendered in
# headless Chromium. Usage: bench/console/run.sh [--logs N] [--spans N] [--requests R] [--renders K]
#        (defaults: 200000 logs, 50000 spans, 200 requests per endpoint and side, 5 renders; the issue's full size is
#        --logs 1000000 --spans 100000). Starts (or reuses) the local OpenSearch on 127.0.0.1:9200; deletes its indices after.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -pl bench/console -am package -DskipTests
exec java -Xms256m -Xmx1g -cp "bench/console/target/classes:bench/console/target/lib/*" \
  dev.trailmark.bench.console.ConsoleBench "$@"
