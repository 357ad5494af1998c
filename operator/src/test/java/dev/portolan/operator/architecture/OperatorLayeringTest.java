package dev.portolan.operator.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The operator decides and records; it never scans. Its packages are layered schedule -> plan ->
 * cluster/metrics -> reconcile -> (root: assembly and main), each with an allow-list; none may use
 * the scanner (not even on the classpath: the build depends on the control module only), and
 * none opens a socket (the JDK HTTP server behind /metrics is the metrics package's, by name).
 */
@DisplayName("operator layering")
class OperatorLayeringTest {
  private static final String ROOT = "dev.portolan.operator";
  private static final String CONTROL = "dev.portolan.control";
  private static final String CRDS = "dev.portolan.crds..";
  private static final String MODEL = "io.fabric8.kubernetes.api.model..";
  private static final String CLIENT = "io.fabric8.kubernetes.client..";
  private static final String JSON = "com.fasterxml.jackson..";
  private static final String LOG = "org.slf4j..";

  static final Map<String, List<String>> ALLOWED = new LinkedHashMap<>();

  static {
    ALLOWED.put("schedule", List.of(CONTROL + ".run..", CONTROL + ".schedule..", CRDS, MODEL));
    ALLOWED.put("plan", List.of(pkg("schedule"), CONTROL + "..", CRDS, MODEL));
    ALLOWED.put("metrics", List.of(CRDS, MODEL, "io.micrometer..", "com.sun.net.httpserver.."));
    ALLOWED.put("cluster", List.of(CONTROL + "..", CRDS, MODEL, CLIENT, JSON, LOG));
    ALLOWED.put("reconcile", List.of(pkg("schedule"), pkg("plan"), pkg("metrics"), pkg("cluster"), CONTROL + "..", CRDS,
        MODEL, CLIENT, JSON, LOG, "io.javaoperatorsdk.."));
    ALLOWED.put("", List.of(pkg("schedule"), pkg("plan"), pkg("metrics"), pkg("cluster"), pkg("reconcile"), CONTROL + "..",
        CRDS, MODEL, CLIENT, JSON, LOG, "io.javaoperatorsdk.."));
  }

  private static JavaClasses classes;

  private static String pkg(String name) {
    return name.isEmpty() ? ROOT : ROOT + "." + name + "..";
  }

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
  }

  @Test
  @DisplayName("every package is in the allow-list")
  void everyPackageDeclared() {
    TreeSet<String> undeclared = new TreeSet<>();
    for (JavaClass c : classes) {
      String p = c.getPackageName();
      boolean known = p.equals(ROOT) || ALLOWED.keySet().stream().anyMatch(k -> !k.isEmpty() && (p.equals(ROOT + "." + k) || p.startsWith(ROOT + "." + k + ".")));
      if (!known) {
        undeclared.add(p);
      }
    }
    assertThat(undeclared).as("packages with no allow-list; add each to ALLOWED, in its layer").isEmpty();
  }

  @TestFactory
  @DisplayName("each package uses only the layers below it")
  List<DynamicTest> allowLists() {
    List<DynamicTest> tests = new ArrayList<>();
    for (var e : ALLOWED.entrySet()) {
      String self = e.getKey().isEmpty() ? ROOT : pkg(e.getKey());
      tests.add(DynamicTest.dynamicTest(e.getKey().isEmpty() ? "(root)" : e.getKey(), () -> {
        List<String> allowed = new ArrayList<>(List.of("java..", "javax..", self));
        allowed.addAll(e.getValue());
        var that = e.getKey().isEmpty() ? classes().that().resideInAPackage(ROOT) : classes().that().resideInAPackage(self);
        that.should().onlyDependOnClassesThat().resideInAnyPackage(allowed.toArray(String[]::new)).check(classes);
      }));
    }
    return tests;
  }

  @Test
  @DisplayName("opens no socket of its own")
  void noSockets() {
    noClasses().that().resideInAPackage(ROOT + "..")
        .should().dependOnClassesThat().haveFullyQualifiedName("java.net.Socket")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.ServerSocket")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.DatagramSocket")
        .orShould().dependOnClassesThat().resideInAnyPackage("java.nio.channels..", "java.lang.foreign..")
        .because("the operator never touches a socket: scanning is the agents' job (docs/decisions/004)")
        .check(classes);
  }

}
