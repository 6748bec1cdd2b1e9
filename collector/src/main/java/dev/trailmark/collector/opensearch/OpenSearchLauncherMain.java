package dev.trailmark.collector.opensearch;

/** Command line for {@code ./trailmark}: {@code start | stop | status} of the local OpenSearch. */
public final class OpenSearchLauncherMain {

  private OpenSearchLauncherMain() {}

  public static void main(String[] args) {
    String command = args.length == 0 ? "status" : args[0];
    try {
      OpenSearchLauncher launcher =
          new OpenSearchLauncher(OpenSearchLauncherConfig.fromEnvironment());
      switch (command) {
        case "start" -> {
          LocalOpenSearch node = launcher.start();
          System.out.println(
              "OpenSearch "
                  + (node.startedHere() ? "started" : "already running")
                  + " at "
                  + node.baseUri()
                  + (node.pid() > 0 ? " (pid " + node.pid() + ")" : "")
                  + ", files in "
                  + launcher.config().baseDir());
        }
        case "stop" ->
            System.out.println(
                launcher.stop() ? "OpenSearch stopped" : "OpenSearch was not running");
        case "status" -> {
          var node = launcher.findRunning();
          System.out.println(
              node.map(
                      n ->
                          "OpenSearch running at "
                              + n.baseUri()
                              + (n.pid() > 0 ? " (pid " + n.pid() + ")" : ""))
                  .orElse("OpenSearch not running"));
          System.exit(node.isPresent() ? 0 : 3);
        }
        default -> {
          System.err.println(
              "trailmark: unknown OpenSearch command '" + command + "' (start, stop, status)");
          System.exit(2);
        }
      }
    } catch (OpenSearchLauncherException e) {
      System.err.println("trailmark: " + e.getMessage());
      System.exit(1);
    }
  }
}
