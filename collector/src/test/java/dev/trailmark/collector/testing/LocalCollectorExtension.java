package dev.trailmark.collector.testing;

import dev.trailmark.collector.local.LocalCollector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class one {@link LocalCollector} on ephemeral ports, writing into the class's {@link
 * OpenSearchExtension} node under the class's index prefix, and closes it after the class. Register
 * it after {@link OpenSearchExtension}: {@code @ExtendWith({OpenSearchExtension.class,
 * LocalCollectorExtension.class})}.
 */
public final class LocalCollectorExtension implements ParameterResolver, AfterAllCallback {

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(LocalCollectorExtension.class);

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == LocalCollector.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
    ExtensionContext classContext = OpenSearchExtension.classContext(context);
    OpenSearchInstance os = OpenSearchExtension.instance(context);
    return classContext
        .getStore(NS)
        .getOrComputeIfAbsent("collector", k -> new Running(os), Running.class)
        .collector;
  }

  /**
   * Runs before {@link OpenSearchExtension}'s cleanup, so nothing is written after the indices go.
   */
  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    Running running = context.getStore(NS).remove("collector", Running.class);
    if (running != null) {
      running.close();
    }
  }

  private static final class Running implements AutoCloseable {
    final Path stateDir;
    final LocalCollector collector;

    Running(OpenSearchInstance os) {
      try {
        stateDir = Files.createTempDirectory("trailmark-collector-it-");
        collector =
            LocalCollector.builder()
                .openSearch(os.baseUri())
                .indexPrefix(os.indexPrefix())
                .httpPort(0)
                .xrayUdpPort(0)
                .stateDir(stateDir)
                .build()
                .start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (Exception e) {
        throw new IllegalStateException("the local collector did not start", e);
      }
    }

    @Override
    public void close() throws Exception {
      collector.close();
      try (Stream<Path> files = Files.walk(stateDir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
