package dev.portolan.control.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The control module is pure: data in, data out. Every package has an allow-list of what it may
 * use, so a new package (or a new import) cannot slip past: it fails here until it is placed in the
 * order target -> schedule -> guard -> cluster -> netpol -> expect -> run -> aggregate
 * (docs/architecture.md).
 */
@DisplayName("control layering")
class ControlLayeringTest {
  private static final String ROOT = "dev.portolan.control";
  private static final String[] JDK = {"java.lang..", "java.util..", "java.time..", "java.math..", "java.security..", "java.nio.charset.."};
  private static final String CRDS = "dev.portolan.crds..";
  private static final String JSON = "com.fasterxml.jackson..";
  private static final String MODEL = "io.fabric8.kubernetes.api.model..";

  /** Each package, and the packages beyond the JDK's basics it may depend on. */
  static final Map<String, List<String>> ALLOWED = Map.of(
      "", List.of("java.io.."), // the build's version, a classpath resource
      "target", List.of(ROOT),
      "schedule", List.of(),
      "guard", List.of(ROOT, ROOT + ".target..", ROOT + ".schedule..", CRDS, JSON, "java.io.."),
      "cluster", List.of(ROOT + ".target..", CRDS, MODEL),
      "netpol", List.of(ROOT + ".cluster..", ROOT + ".target..", CRDS, MODEL),
      "expect", List.of(ROOT + ".cluster..", ROOT + ".netpol..", ROOT + ".target..", CRDS, MODEL),
      "run", List.of(ROOT + ".guard..", ROOT + ".cluster..", ROOT + ".netpol..", ROOT + ".expect..", ROOT + ".target..",
          CRDS, JSON, MODEL, "java.io.."),
      "aggregate", List.of(ROOT + ".expect..", ROOT + ".cluster..", ROOT + ".target..", CRDS, MODEL),
      "openreports", List.of(ROOT + ".aggregate..", CRDS, MODEL));

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
  }

  private static String pkg(String name) {
    return name.isEmpty() ? ROOT : ROOT + "." + name;
  }

  @Test
  @DisplayName("every package is in the allow-list")
  void everyPackageDeclared() {
    TreeSet<String> found = new TreeSet<>();
    for (JavaClass c : classes) {
      found.add(c.getPackageName());
    }
    TreeSet<String> declared = new TreeSet<>();
    ALLOWED.keySet().forEach(k -> declared.add(pkg(k)));
    assertThat(found).as("packages of the control module; add a new one to ALLOWED, in its place").isSubsetOf(declared);
  }

  @TestFactory
  @DisplayName("each package uses only what its allow-list names")
  List<DynamicTest> allowLists() {
    List<DynamicTest> tests = new ArrayList<>();
    for (var e : ALLOWED.entrySet()) {
      tests.add(DynamicTest.dynamicTest(pkg(e.getKey()), () -> {
        List<String> allowed = new ArrayList<>(List.of(JDK));
        allowed.add(pkg(e.getKey()));
        allowed.addAll(e.getValue());
        classes().that().resideInAPackage(pkg(e.getKey()))
            .should().onlyDependOnClassesThat().resideInAnyPackage(allowed.toArray(String[]::new))
            .allowEmptyShould(true)
            .check(classes);
      }));
    }
    return tests;
  }

  @Test
  @DisplayName("no class touches a socket, a file or an API client")
  void pure() {
    noClasses().should().dependOnClassesThat()
        .resideInAnyPackage(
            "java.net..", "java.nio.file..", "java.nio.channels..", "io.fabric8.kubernetes.client..", "io.javaoperatorsdk..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.File")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileInputStream")
        .because("the control logic is data in, data out: the edges (CLI, agent, operator) do I/O")
        .check(classes);
  }
}
