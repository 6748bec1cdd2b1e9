package dev.trailmark.shipper.internal.aws;

import dev.trailmark.shipper.internal.delivery.DeliveryException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Which failed AWS calls the delivery engine retries and which refuse the events for good. */
final class AwsFailures {
  private AwsFailures() {}

  /**
   * Classifies a failed SDK call. Only a verdict on the events themselves is permanent (they are
   * malformed, too big, out of order): sending them again can never succeed. Everything a person or
   * time can fix keeps the events and is retried: credentials, signatures and clock skew,
   * permissions, a missing or misnamed group or stream, throttling, 5xx, timeouts, I/O errors and
   * any error code this method does not know.
   */
  static DeliveryException classify(String what, RuntimeException e) {
    if (e instanceof AwsServiceException) {
      AwsServiceException s = (AwsServiceException) e;
      int status = s.statusCode();
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      boolean permanent = isVerdictOnEvents(status, code, s.getMessage());
      String detail = what + ": " + (code != null ? code : "HTTP " + status) + " " + s.getMessage();
      if (!permanent
          && status >= 400
          && status < 500
          && !s.isThrottlingException()
          && status != 429
          && !"ResourceNotFoundException".equals(code)) {
        detail +=
            " (the events are kept and retried: fix the credentials, permissions, clock or configuration)";
      }
      return new DeliveryException(detail, !permanent, e);
    }
    if (e instanceof SdkClientException) {
      return new DeliveryException(what + ": " + e.getMessage(), true, e);
    }
    return new DeliveryException(what + ": " + e, true, e);
  }

  /**
   * The error codes with which CloudWatch Logs and Firehose refuse the events of a request
   * themselves. An {@code InvalidParameterException} about the group or stream <em>name</em> is a
   * configuration error, not a verdict on the events, and is retried.
   */
  static boolean isVerdictOnEvents(int status, String code, String message) {
    if (status == 413) {
      return true;
    }
    if (code == null || status >= 500) {
      return false;
    }
    switch (code) {
      case "InvalidParameterException":
      case "InvalidArgumentException":
      case "ValidationException":
        String m = message == null ? "" : message;
        return !(m.contains("logGroupName")
            || m.contains("logStreamName")
            || m.contains("DeliveryStreamName")
            || m.contains("deliveryStreamName")
            || m.contains("log group name")
            || m.contains("log stream name"));
      case "SerializationException":
      case "RequestEntityTooLargeException":
      case "DataAlreadyAcceptedException":
        return true;
      default:
        return false;
    }
  }
}
