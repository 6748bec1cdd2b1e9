package dev.trailmark.agent.testapp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import java.util.Map;
import net.bytebuddy.ByteBuddy;

/**
 * An application bundling its own OpenTelemetry API, Micrometer, ByteBuddy and Jackson, of other
 * versions than the agent's: it uses each, prints their versions, then serves like {@link
 * ServiceApp}.
 */
public final class ConflictApp {

  public static void main(String[] args) throws Exception {
    Class<?> generated =
        new ByteBuddy()
            .subclass(Object.class)
            .name("dev.trailmark.agent.testapp.Generated")
            .make()
            .load(ConflictApp.class.getClassLoader())
            .getLoaded();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Counter counter = registry.counter("app.counter");
    counter.increment(3);
    String json = new ObjectMapper().writeValueAsString(Map.of("count", counter.count()));
    Span span = GlobalOpenTelemetry.getTracer("app").spanBuilder("app-span").startSpan();
    span.end();
    System.out.println(
        "CONFLICT micrometer="
            + Counter.class.getPackage().getImplementationVersion()
            + " jackson="
            + ObjectMapper.class.getPackage().getImplementationVersion()
            + " otel-api-from="
            + GlobalOpenTelemetry.class.getProtectionDomain().getCodeSource().getLocation()
            + " bytebuddy-from="
            + ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation()
            + " generated="
            + generated.getName()
            + " json="
            + json);
    ServiceApp.main(args);
  }
}
