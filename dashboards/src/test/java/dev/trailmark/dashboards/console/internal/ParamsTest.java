package dev.trailmark.dashboards.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

class ParamsTest {
  private static final long NOW = 1_800_000_000_000L;

  @Test
  void timeRangesAreRelativeAbsoluteOrIso() throws Exception {
    assertThat(new Params("from=now-15m&to=now", NOW).range()).containsExactly(NOW - 900_000, NOW);
    assertThat(new Params("", NOW).range()).containsExactly(NOW - 3_600_000, NOW);
    assertThat(new Params("from=1000&to=2000", NOW).range()).containsExactly(1000, 2000);
    assertThat(new Params("from=2027-01-15T08:00:00Z&to=2027-01-16T00:00:00Z", NOW).range()[0])
        .isEqualTo(java.time.Instant.parse("2027-01-15T08:00:00Z").toEpochMilli());
  }

  @Test
  void badInputIsA400WithTheReason() {
    assertThatThrownBy(() -> new Params("from=yesterday", NOW).range())
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("from must be")
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400));
    assertThatThrownBy(() -> new Params("from=now&to=now-1h", NOW).range())
        .hasMessageContaining("before");
    assertThatThrownBy(() -> new Params("size=100000", NOW).integer("size", 10, 1, 500))
        .hasMessageContaining("between 1 and 500");
    assertThatThrownBy(() -> new Params("minMs=-3", NOW).decimal("minMs"))
        .hasMessageContaining("non-negative");
    assertThatThrownBy(() -> new Params("q=%zz", NOW)).hasMessageContaining("malformed");
    assertThatThrownBy(() -> new Params("q=" + "x".repeat(2000), NOW).text("q"))
        .hasMessageContaining("longer than");
  }

  @Test
  void logCursorsRoundTripAndForgedOnesAreRefused() throws Exception {
    var sort = JsonNodeFactory.instance.arrayNode().add(1_800_000_000_123L).add("r-abc");
    assertThat(Api.decodeCursor(Api.encodeCursor(sort))).isEqualTo(sort);
    assertThatThrownBy(() -> Api.decodeCursor("not-base64!")).hasMessageContaining("cursor");
    assertThatThrownBy(
            () -> Api.decodeCursor(Api.encodeCursor(JsonNodeFactory.instance.arrayNode().add("x"))))
        .hasMessageContaining("cursor");
  }

  @Test
  void histogramsGetAboutSixtyBucketsOfARoundSize() {
    assertThat(Api.interval(new long[] {0, 3_600_000})).isEqualTo(60_000);
    assertThat(Api.interval(new long[] {0, 300_000})).isEqualTo(5_000);
    assertThat(Api.interval(new long[] {0, 86_400_000})).isEqualTo(1_800_000);
  }
}
