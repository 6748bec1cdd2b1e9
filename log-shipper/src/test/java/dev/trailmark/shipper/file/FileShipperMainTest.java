package dev.trailmark.shipper.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trailmark.shipper.internal.aws.AwsEndpointSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FileShipperMainTest {
  private final AwsEndpointSettings aws =
      new AwsEndpointSettings(
          "us-east-1", URI.create("http://127.0.0.1:1"), "a", "b", Duration.ofSeconds(1));

  @Test
  void parsesDestinations() {
    assertThat(FileShipperMain.destination("cloudwatch:/app/web/stream-1", aws).name())
        .isEqualTo("cloudwatch:/app/web");
    assertThat(FileShipperMain.destination("firehose:trailmark-access-logs", aws).name())
        .isEqualTo("firehose:trailmark-access-logs");
  }

  @Test
  void rejectsBadArgumentsWithAClearMessage() {
    assertThatThrownBy(() -> FileShipperMain.destination("cloudwatch:nostream", aws))
        .hasMessageContaining("GROUP/STREAM");
    assertThatThrownBy(() -> FileShipperMain.destination("s3:bucket", aws))
        .hasMessageContaining("--to must be");
    assertThatThrownBy(() -> FileShipperMain.run(new String[] {"--to", "firehose:x"}))
        .hasMessageContaining("--from");
    assertThatThrownBy(
            () ->
                FileShipperMain.run(
                    new String[] {"--from", "x", "--to", "firehose:x", "--format", "xml"}))
        .hasMessageContaining("--format must be one of");
    assertThatThrownBy(() -> FileShipperMain.run(new String[] {"--bogus"}))
        .hasMessageContaining("unknown argument");
  }

  @Test
  void globBaseIsTheDirectoryBeforeTheFirstWildcard() {
    assertThat(FileShipper.baseOf("/var/log/app/*.log")).isEqualTo(Path.of("/var/log/app"));
    assertThat(FileShipper.baseOf("/var/log/**/x.log")).isEqualTo(Path.of("/var/log"));
  }
}
