package dev.trailmark.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The template passes the tools AWS users trust, as subprocesses: cfn-lint (every rule) and the SAM
 * translator.
 */
class TemplateToolsIT {

  @Test
  void cfnLintReportsNothing() {
    Tools.Result r =
        Tools.run(List.of("cfn-lint", "--format", "parseable", Tools.TEMPLATE.toString()), 300);
    assertThat(r.out() + r.err()).as("cfn-lint findings").isEmpty();
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void samTransformSucceeds() {
    assertThat(Tools.resources().size()).isGreaterThan(60);
    assertThat(Tools.transformed().has("Transform"))
        .as("no Transform left after translation")
        .isFalse();
  }

  @Test
  void samTranslateScriptReportsTemplateErrors() throws Exception {
    java.nio.file.Path bad = java.nio.file.Files.createTempFile("bad-template", ".yaml");
    java.nio.file.Files.writeString(
        bad,
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n"
            + "    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: java21\n      Handler: x\n"
            + "      CodeUri: f.zip\n      Events:\n        Q:\n          Type: SQS\n          Properties: {}\n");
    Tools.Result r = Tools.run(List.of("python3", "sam-translate.py", bad.toString()), 120);
    java.nio.file.Files.delete(bad);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("SAM:").contains("Queue");
  }
}
