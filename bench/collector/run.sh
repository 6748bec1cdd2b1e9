#!/usr/bin/env bash
# Documents/s from the real AWS SDK (PutLogEvents) through the local collector into OpenSearch, next to a raw
# _bulk load of the same documents straight into OpenSearch, in one run; plus PutLogEvents -> searchable latency.
# Usage: bench/collector/run.sh [--events N] [--rounds R] [--threads T] [--batch B] [--latency-events L]
#        (defaults: 100000 per round, 3 rounds alternating which side goes first, 4, 1000, 200). Starts (or reuses) the local OpenSearch on 127.0.0.1:9200.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -pl collector,bench/collector -am install -DskipTests
exec java -Xms512m -Xmx1g -cp "bench/collector/target/classes:bench/collector/target/lib/*" \
  dev.trailmark.bench.collector.IngestBench "$@"
