package dev.trailmark.collector.opensearch;

/**
 * A one-line, user-facing reason why the local OpenSearch could not be started, found or stopped.
 */
public final class OpenSearchLauncherException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  OpenSearchLauncherException(String message) {
    super(message);
  }

  OpenSearchLauncherException(String message, Throwable cause) {
    super(message, cause);
  }
}
