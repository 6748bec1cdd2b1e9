#!/usr/bin/env bash
# audit scan events/s over a generated day of CloudTrail logs vs the raw Jackson parse rate of the
# same files. Usage: bench/audit-rules/run.sh [--events N] [--rounds R]   (defaults: 1,000,000 and 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -pl audit-rules,bench/audit-rules install -DskipTests
exec java -Xms1g -Xmx2g -cp "bench/audit-rules/target/classes:bench/audit-rules/target/lib/*" \
  dev.trailmark.bench.audit.ScanBench "$@"
