package dev.trailmark.collector.local;

/** An error answered in AWS's shape: HTTP status, {@code __type} and {@code message}. */
final class AwsException extends Exception {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;

  AwsException(int status, String type, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
  }

  static AwsException invalidParameter(String message) {
    return new AwsException(400, "InvalidParameterException", message);
  }

  static AwsException notFound(String message) {
    return new AwsException(400, "ResourceNotFoundException", message);
  }

  static AwsException serialization(String message) {
    return new AwsException(400, "SerializationException", message);
  }

  int status() {
    return status;
  }

  String type() {
    return type;
  }
}
