package dev.portolan.scanner.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The data path is the dependency order: target -> packet -> link -> engine -> probe -> report ->
 * cli. Nothing depends on a stage after it, and nothing in the engine knows Kubernetes. A wrong
 * import fails the build here, not in review.
 */
@DisplayName("scanner layering")
class LayeringTest {
  private static final String ROOT = "dev.portolan.scanner";
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
  }

  private static void layerMayNotUse(String layer, String... later) {
    String[] targets = new String[later.length];
    for (int i = 0; i < later.length; i++) {
      targets[i] = ROOT + "." + later[i] + "..";
    }
    noClasses().that().resideInAPackage(ROOT + "." + layer + "..").should().dependOnClassesThat().resideInAnyPackage(targets)
        .because(layer + " comes before " + String.join(", ", later) + " on the data path")
        .check(classes);
  }

  @Test
  @DisplayName("the scope model depends on no other stage")
  void target() {
    layerMayNotUse("target", "packet", "link", "engine", "probe", "report", "cli");
  }

  @Test
  @DisplayName("packet codecs depend on no other stage")
  void packet() {
    layerMayNotUse("packet", "target", "link", "engine", "probe", "report", "cli");
  }

  @Test
  @DisplayName("link I/O knows nothing of the engine, validation, output or CLI")
  void link() {
    layerMayNotUse("link", "engine", "probe", "report", "cli");
  }

  @Test
  @DisplayName("the engine knows nothing of validation, output or CLI")
  void engine() {
    layerMayNotUse("engine", "probe", "report", "cli");
  }

  @Test
  @DisplayName("validation does not send raw packets or write output")
  void probe() {
    layerMayNotUse("probe", "link", "packet", "report", "cli");
  }

  @Test
  @DisplayName("output formats do not reach back into the CLI or the wire")
  void report() {
    layerMayNotUse("report", "link", "packet", "cli");
  }

  @Test
  @DisplayName("nothing in the scanner's engine knows Kubernetes")
  void noKubernetesBelowTheAgent() {
    noClasses().that().resideInAnyPackage(ROOT + ".target..", ROOT + ".packet..", ROOT + ".link..", ROOT + ".engine..", ROOT + ".probe..", ROOT + ".report..")
        .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "io.javaoperatorsdk..")
        .check(classes);
  }
}
