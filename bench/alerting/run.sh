#!/usr/bin/env bash
# One alert cycle of 50 rules over a generated document set vs the same aggregation queries sent directly.
# Usage: bench/alerting/run.sh [--docs N] [--rules R] [--rounds K] [--opensearch URL] [--keep]
#        (defaults: 10,000,000 documents, 50 rules, 3 rounds, http://127.0.0.1:9200)
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -pl bench/alerting -am package -DskipTests
exec java -Xms512m -Xmx1g -cp "bench/alerting/target/classes:bench/alerting/target/lib/*" \
  dev.trailmark.bench.alerting.AlertCycleBench "$@"
