package dev.portolan.operator.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The operator decides and records; it never scans. It may use the scanner's pure control logic
 * and scope model, nothing that sends, receives or prints a probe, and no socket of its own (the
 * JDK HTTP server behind /metrics is not a socket the operator's classes touch).
 */
@DisplayName("operator layering")
class OperatorLayeringTest {
  private static final String ROOT = "dev.portolan.operator";
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
  }

  @Test
  @DisplayName("uses the scanner's control and target packages only")
  void onlyControlAndTarget() {
    noClasses().that().resideInAPackage(ROOT + "..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.portolan.scanner.engine..", "dev.portolan.scanner.link..", "dev.portolan.scanner.packet..",
            "dev.portolan.scanner.probe..", "dev.portolan.scanner.agent..", "dev.portolan.scanner.cli..",
            "dev.portolan.scanner.report..", "dev.portolan.scanner.sys..")
        .because("the operator never touches a socket: scanning is the agents' job (docs/decisions/004)")
        .check(classes);
  }

  @Test
  @DisplayName("opens no socket")
  void noSockets() {
    noClasses().that().resideInAPackage(ROOT + "..")
        .should().dependOnClassesThat().haveFullyQualifiedName("java.net.Socket")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.DatagramSocket")
        .orShould().dependOnClassesThat().resideInAnyPackage("java.nio.channels..")
        .because("the operator never touches a socket")
        .check(classes);
  }

  @Test
  @DisplayName("the decision packages know no API client")
  void purePackages() {
    noClasses().that().resideInAnyPackage(ROOT + ".schedule..", ROOT + ".plan..")
        .should().dependOnClassesThat().resideInAnyPackage("io.fabric8.kubernetes.client..", "io.javaoperatorsdk..")
        .because("schedule and plan are pure: they read objects and the time, and call nobody")
        .check(classes);
  }

  @Test
  @DisplayName("nothing below the reconcilers depends on them")
  void reconcilersOnTop() {
    noClasses().that().resideInAnyPackage(ROOT + ".cluster..", ROOT + ".schedule..", ROOT + ".plan..", ROOT + ".metrics..")
        .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".reconcile..")
        .check(classes);
  }
}
