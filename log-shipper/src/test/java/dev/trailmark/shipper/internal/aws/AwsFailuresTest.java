package dev.trailmark.shipper.internal.aws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** Which AWS answers keep a batch for another try, and which refuse it for good. */
class AwsFailuresTest {

  @ParameterizedTest(name = "{0} {1} retryable={2}")
  @CsvSource({
    // CloudWatch Logs and Firehose (AWS JSON 1.1) answer bad credentials with 400: the events must
    // wait for
    // fixed credentials, not be dropped.
    "InvalidSignatureException, 400, true",
    "UnrecognizedClientException, 400, true",
    "IncompleteSignatureException, 400, true",
    "SignatureDoesNotMatch, 403, true",
    "ThrottlingException, 400, true",
    "ServiceUnavailableException, 503, true",
    // The request itself is wrong: retrying cannot help.
    "InvalidParameterException, 400, false",
    "SerializationException, 400, false"
  })
  void classifiesAnswers(String code, int status, boolean retryable) {
    AwsServiceException e =
        AwsServiceException.builder()
            .statusCode(status)
            .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("m").build())
            .build();
    assertThat(AwsFailures.classify("PutLogEvents g/s", e).retryable()).isEqualTo(retryable);
  }
}
