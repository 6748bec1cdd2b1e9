package dev.trailmark.collector.testing;

import dev.trailmark.collector.opensearch.LocalOpenSearch;
import dev.trailmark.collector.opensearch.OpenSearchLauncher;
import dev.trailmark.collector.opensearch.OpenSearchLauncherConfig;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class a real OpenSearch: the one {@code ./trailmark up} or an earlier test class
 * already runs, or one started here once per test JVM and stopped when that JVM's tests end. Each
 * test class gets its own index prefix, and its indices and index templates are deleted after the
 * class.
 */
public final class OpenSearchExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(OpenSearchExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    node(context);
    instance(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    OpenSearchInstance instance = context.getStore(NS).get("instance", OpenSearchInstance.class);
    if (instance != null && !Boolean.getBoolean("trailmark.it.keepIndices")) {
      instance.delete(
          "/" + instance.indexPrefix() + "*"); // resolved to names (destructive_requires_name)
      // The collector installs its index templates under the same prefix: leave the shared node as
      // found.
      instance.deleteIfExists("/_index_template/" + instance.indexPrefix() + "*");
    }
  }

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == OpenSearchInstance.class;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return instance(extensionContext);
  }

  /** The context of the test class that {@code context} belongs to. */
  static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext classContext = context;
    while (classContext.getParent().isPresent() && classContext.getTestMethod().isPresent()) {
      classContext = classContext.getParent().get();
    }
    return classContext;
  }

  static OpenSearchInstance instance(ExtensionContext context) {
    ExtensionContext classContext = classContext(context);
    LocalOpenSearch node = node(context);
    String name =
        classContext
            .getRequiredTestClass()
            .getSimpleName()
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9]+", "");
    String prefix =
        "it-"
            + name
            + "-"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000))
            + "-";
    return classContext
        .getStore(NS)
        .getOrComputeIfAbsent(
            "instance",
            k -> new OpenSearchInstance(node.baseUri(), prefix),
            OpenSearchInstance.class);
  }

  /** One node per test JVM, kept in the root store so that JUnit closes it after the last class. */
  private static LocalOpenSearch node(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NS)
        .getOrComputeIfAbsent("node", k -> new StartedNode(), StartedNode.class)
        .node;
  }

  private static final class StartedNode implements AutoCloseable {
    final OpenSearchLauncher launcher =
        new OpenSearchLauncher(OpenSearchLauncherConfig.fromEnvironment());
    final LocalOpenSearch node = launcher.start();

    @Override
    public void close() {
      launcher.stopIfStartedHere(node);
    }
  }
}
