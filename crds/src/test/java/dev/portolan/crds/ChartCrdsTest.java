package dev.portolan.crds;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart ships the CRDs generated from the Java types, byte for byte: a change to the
 * types that is not copied to charts/portolan/crds fails here (copy target/classes/META-INF/fabric8/
 * PLURAL.portolan.dev-v1.yml to charts/portolan/crds/PLURAL.portolan.dev.yaml).
 */
@DisplayName("the chart's CRDs")
class ChartCrdsTest {
  /** Every CRD the build generated, so a new kind cannot be left out of the chart. */
  static List<String> generatedPlurals() throws java.io.IOException {
    try (var files = Files.list(Path.of("target/classes/META-INF/fabric8"))) {
      List<String> plurals = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".portolan.dev-v1.yml"))
          .map(n -> n.substring(0, n.indexOf('.'))).sorted().toList();
      assertThat(plurals).contains("scanpolicies", "scanreports", "scanreportpages");
      return plurals;
    }
  }


  @ParameterizedTest(name = "{0}")
  @MethodSource("generatedPlurals")
  @DisplayName("equal the generated ones")
  void equalGenerated(String plural) throws Exception {
    Path generated = Path.of("target/classes/META-INF/fabric8/" + plural + ".portolan.dev-v1.yml");
    Path chart = Path.of("../charts/portolan/crds/" + plural + ".portolan.dev.yaml");
    assertThat(Files.readString(chart))
        .as("%s is stale: copy %s over it", chart, generated)
        .isEqualTo(Files.readString(generated));
  }
}
