package dev.trailmark.collector.internal.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BulkWriterTest {

  @Test
  void itemsAreActionAndSourceLinePairs() {
    byte[] body =
        "{\"index\":{}}\n{\"a\":1}\n{\"index\":{}}\n{\"b\":2}\n".getBytes(StandardCharsets.UTF_8);
    List<int[]> items = BulkWriter.itemOffsets(body);
    assertThat(items).hasSize(2);
    assertThat(
            new String(
                body, items.get(1)[0], items.get(1)[1] - items.get(1)[0], StandardCharsets.UTF_8))
        .isEqualTo("{\"index\":{}}\n{\"b\":2}\n");
  }
}
