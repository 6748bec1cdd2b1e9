package dev.trailmark.dashboards.console.internal;

/**
 * An answer other than 200 with the message the page shows: bad input (400), OpenSearch down (503)
 * or slow (504).
 */
public final class ApiException extends Exception {

  private final int status;

  ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  ApiException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The HTTP status to answer with. */
  public int status() {
    return status;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }
}
