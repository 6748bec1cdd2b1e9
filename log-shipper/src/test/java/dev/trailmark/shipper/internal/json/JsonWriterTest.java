package dev.trailmark.shipper.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void nestsObjectsAndArraysWithCommasInTheRightPlaces() throws Exception {
    JsonWriter w = new JsonWriter(16);
    w.beginObject()
        .name("a")
        .value(1)
        .name("b")
        .beginArray()
        .value("x")
        .value(true)
        .nullValue()
        .beginObject()
        .endObject()
        .endArray()
        .name("c")
        .beginObject()
        .name("d")
        .value(-42L)
        .endObject()
        .name("e")
        .value(Long.MIN_VALUE)
        .endObject();
    assertThat(w.toString())
        .isEqualTo(
            "{\"a\":1,\"b\":[\"x\",true,null,{}],\"c\":{\"d\":-42},\"e\":-9223372036854775808}");
    w.reset().beginObject().name("again").value("ok").endObject();
    assertThat(w.toString()).isEqualTo("{\"again\":\"ok\"}");
  }

  @Test
  void anyStringRoundTripsThroughAStrictParser() throws Exception {
    Random r = new Random(42);
    JsonWriter w = new JsonWriter(8);
    for (int round = 0; round < 2000; round++) {
      StringBuilder b = new StringBuilder();
      int n = r.nextInt(40);
      for (int i = 0; i < n; i++) {
        b.append(
            (char) r.nextInt(0x10000)); // includes controls, quotes, backslashes and surrogates
      }
      String s = b.toString();
      w.reset().beginObject().name(s).value(s).endObject();
      byte[] bytes = w.toByteArray();
      // valid UTF-8, or the strict decoder throws
      StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
      JsonNode node = JSON.readTree(bytes);
      String expected = replaceLoneSurrogates(s);
      assertThat(node.get(expected).asText()).isEqualTo(expected);
    }
  }

  private static String replaceLoneSurrogates(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.append(c).append(s.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        b.append('\uFFFD');
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
