package dev.trailmark.common.xray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.amazonaws.xray.AWSXRay;
import com.amazonaws.xray.entities.Subsegment;
import org.junit.jupiter.api.Test;

class SubsegmentsTest {

  @Test
  void outsideLambdaWithNoTraceTheHandlersRunOn() {
    assertThatCode(
            () -> {
              Subsegment s = Subsegments.begin("no trace here");
              Subsegments.annotate(s, "rule_id", "r1");
              Subsegments.fail(s, new IllegalStateException("boom"), "failed");
              Subsegments.end(s);
            })
        .doesNotThrowAnyException();
  }

  @Test
  void insideATraceTheSubsegmentCarriesItsAnnotationsAndTheFault() {
    AWSXRay.beginSegment("test");
    try {
      Subsegment s = Subsegments.begin("evaluate rule");
      Subsegments.annotate(s, "rule_id", "s3-public");
      Subsegments.annotate(s, "resource", null);
      Subsegments.fail(s, new IllegalStateException("boom"), "interrupted");
      assertThat(s.getAnnotations())
          .containsEntry("rule_id", "s3-public")
          .containsEntry("outcome", "interrupted")
          .doesNotContainKey("resource");
      assertThat(s.isFault()).isTrue();
      assertThat(s.getCause().getExceptions()).hasSize(1);
    } finally {
      // Not ended: ending would send the segment to a daemon on UDP 2000, maybe a local
      // collector's.
      AWSXRay.getGlobalRecorder().clearTraceEntity();
    }
  }
}
