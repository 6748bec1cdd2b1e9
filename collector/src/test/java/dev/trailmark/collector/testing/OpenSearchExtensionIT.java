package dev.trailmark.collector.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OpenSearchExtension.class)
class OpenSearchExtensionIT {

  @Test
  void givesEachClassItsOwnPrefixOnARealNode(OpenSearchInstance os) {
    assertThat(os.indexPrefix()).matches("it-opensearchextensionit-[0-9a-f]{4}-");
    assertThat(os.get("/")).contains("\"cluster_name\" : \"trailmark\"");

    String index = os.indexPrefix() + "smoke";
    os.post(
        "/_bulk",
        "{\"index\":{\"_index\":\""
            + index
            + "\"}}\n{\"a\":1}\n"
            + "{\"index\":{\"_index\":\""
            + index
            + "\"}}\n{\"a\":2}\n");
    assertThat(os.count(os.indexPrefix() + "*")).isEqualTo(2);
  }

  @Test
  void aSearchOnAnIndexStillBeingAllocatedWaitsForItInsteadOfFailing(OpenSearchInstance os) {
    // Each index is created without waiting for its shard and searched at once, the race a test
    // polling for what the collector indexes meets: the node answers 503 until the shard is up.
    for (int i = 0; i < 10; i++) {
      String index = os.indexPrefix() + "fresh-" + i;
      os.put("/" + index + "?wait_for_active_shards=0", "{}");
      assertThat(os.post("/" + index + "/_search", "{\"query\":{\"match_all\":{}}}"))
          .contains("\"hits\"");
    }
  }

  @Test
  void theSameInstanceServesEveryTestOfTheClass(OpenSearchInstance a, OpenSearchInstance b) {
    assertThat(a).isSameAs(b);
  }
}
