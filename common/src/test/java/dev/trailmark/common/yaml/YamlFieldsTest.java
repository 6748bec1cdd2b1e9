package dev.trailmark.common.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YamlFieldsTest {

  static final class FieldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FieldException(String message) {
      super(message);
    }
  }

  static YamlFields fields(Map<?, ?> map) {
    return new YamlFields(map) {
      @Override
      protected RuntimeException error(String field, String problem) {
        return new FieldException("rule.yaml: " + field + " " + problem);
      }
    };
  }

  @Test
  void readsWhatIsThereTrimmedAndDefaultsWhatIsNot() {
    YamlFields f = fields(Map.of("name", " orders ", "on", true, "ids", List.of("a", " b")));
    assertThat(f.string("name", true, null)).isEqualTo("orders");
    assertThat(f.string("missing", false, "x")).isEqualTo("x");
    assertThat(f.bool("on", false)).isTrue();
    assertThat(f.bool("missing", true)).isTrue();
    assertThat(f.strings("ids", true)).containsExactly("a", "b");
    assertThat(f.strings("missing", false)).isEmpty();
  }

  @Test
  void aSingleStringIsAListOfOne() {
    assertThat(fields(Map.of("ids", "a")).strings("ids", true)).containsExactly("a");
  }

  @Test
  void everyWrongValueNamesTheFieldAndWhatItGot() {
    YamlFields f =
        fields(Map.of("name", 5, "on", "yes", "ids", List.of(), "mixed", List.of("a", 2)));
    assertThatThrownBy(() -> f.string("absent", true, null))
        .hasMessage("rule.yaml: absent is required");
    assertThatThrownBy(() -> f.string("name", true, null))
        .hasMessage("rule.yaml: name must be a non-empty string, got Integer 5");
    assertThatThrownBy(() -> f.bool("on", false))
        .hasMessage("rule.yaml: on must be true or false, got String yes");
    assertThatThrownBy(() -> f.strings("ids", true)).hasMessage("rule.yaml: ids must not be empty");
    assertThatThrownBy(() -> f.strings("mixed", true))
        .hasMessage("rule.yaml: mixed must be a string or a list of strings, got Integer 2");
  }
}
