#!/usr/bin/env bash
# Log-shipper benchmarks: (a) JMH application-thread cost of one log.info per appender (p50/p99, bytes
# allocated per event); (b) sustained events/s from a forked application to the local collector, Trailmark's
# CloudWatchLogsAppender next to ca.pjer:logback-awslogs-appender 1.6.0, with loss counted in OpenSearch.
# Uses the OpenSearch that `./trailmark up` runs, or starts one ($TRAILMARK_HOME) and stops it after.
# Usage: bench/log-shipper/run.sh [events-per-throughput-run (default 20000)]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
events="${1:-20000}"
cd "$root"
echo "== building bench/log-shipper"
mvn -B -q -pl bench/log-shipper -am install -DskipTests >/dev/null
cp="$here/target/classes:$here/target/lib/*"
echo "== (a) JMH: application-thread cost of log.info (SampleTime, ns; p50, p99, p99.9; gc.alloc.rate.norm = bytes/event, all threads)"
java -cp "$cp" org.openjdk.jmh.Main AppenderCostBenchmark -prof gc -rf text -rff "$here/target/jmh.txt" \
  | grep -E "^(Benchmark|AppenderCostBenchmark\.logInfo( |:p0\.50 |:p0\.99 |:p0\.999 |:gc\.alloc\.rate\.norm))|^\[" || true
echo "== (b) sustained throughput and loss, $events events per appender"
java -cp "$cp" dev.trailmark.bench.shipper.ThroughputBench "$events" | grep -v '^  \['
