#!/usr/bin/env bash
# No agent vs Trailmark's agent vs the OpenTelemetry Java agent on the same service; prints one table.
# Usage: bench/java-agent/run.sh [--startups N] [--seconds S] [--warmup S] [--clients C] [--sampler S|default [--sampler-arg A]] [--metrics none|collector] [--metrics-step-millis MS] [--service http|jdbc]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
B=bench/java-agent/target
if [ ! -f java-agent/target/trailmark-agent.jar ] || [ ! -f "$B/otel-agent/opentelemetry-javaagent.jar" ] || [ ! -d "$B/lib" ]; then
  mvn -B -q -pl bench/java-agent -am package -DskipTests
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -cp "$B/classes:$B/lib/*" dev.trailmark.bench.agent.AgentBenchmark \
  --agent java-agent/target/trailmark-agent.jar \
  --otel-agent "$B/otel-agent/opentelemetry-javaagent.jar" "$@"
