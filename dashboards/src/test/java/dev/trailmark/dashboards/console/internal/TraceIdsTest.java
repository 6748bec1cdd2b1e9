package dev.trailmark.dashboards.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceIdsTest {
  private static final String HEX = "5759e988bd862e3fe1be46a994272793";

  @Test
  void acceptsBothFormsAsPeoplePasteThem() {
    assertThat(TraceIds.normalize(HEX)).isEqualTo(HEX);
    assertThat(TraceIds.normalize("1-5759e988-bd862e3fe1be46a994272793")).isEqualTo(HEX);
    assertThat(TraceIds.normalize("  1-5759E988-BD862E3FE1BE46A994272793 ")).isEqualTo(HEX);
    assertThat(
            TraceIds.normalize(
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"))
        .isEqualTo(HEX);
    assertThat(TraceIds.normalize("1-5759e988-bd862e3fe1be46a994272793@53995c3f42cd8ad8"))
        .isEqualTo(HEX);
    assertThat(TraceIds.xray(HEX)).isEqualTo("1-5759e988-bd862e3fe1be46a994272793");
  }

  @Test
  void refusesAnythingElse() {
    assertThat(TraceIds.normalize(null)).isNull();
    assertThat(TraceIds.normalize("")).isNull();
    assertThat(TraceIds.normalize("5759e988bd862e3fe1be46a99427279")).isNull();
    assertThat(TraceIds.normalize("2-5759e988-bd862e3fe1be46a994272793")).isNull();
    assertThat(TraceIds.normalize("1-5759e988-bd862e3fe1be46a99427279z")).isNull();
    assertThat(TraceIds.normalize("\"}},{\"match_all\":{}")).isNull();
  }
}
