package dev.portolan.crds;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Helm chart ships the CRDs generated from the Java types, byte for byte: a change to the
 * types that is not copied to charts/portolan/crds fails here (copy target/classes/META-INF/fabric8/
 * PLURAL.portolan.dev-v1.yml to charts/portolan/crds/PLURAL.portolan.dev.yaml).
 */
@DisplayName("the chart's CRDs")
class ChartCrdsTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scanpolicies", "scanreports"})
  @DisplayName("equal the generated ones")
  void equalGenerated(String plural) throws Exception {
    Path generated = Path.of("target/classes/META-INF/fabric8/" + plural + ".portolan.dev-v1.yml");
    Path chart = Path.of("../charts/portolan/crds/" + plural + ".portolan.dev.yaml");
    assertThat(Files.readString(chart))
        .as("%s is stale: copy %s over it", chart, generated)
        .isEqualTo(Files.readString(generated));
  }
}
