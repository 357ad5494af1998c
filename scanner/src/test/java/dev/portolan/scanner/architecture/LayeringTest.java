package dev.portolan.scanner.architecture;

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
 * The data path is the dependency order: (control.target) -> packet -> link -> engine -> probe ->
 * report -> agent -> cli. Each package has an allow-list of the packages it may use, so a new
 * package or import cannot slip past: nothing depends on a stage after it, and nothing below the
 * agent knows Kubernetes. A wrong import fails the build here, not in review.
 */
@DisplayName("scanner layering")
class LayeringTest {
  private static final String ROOT = "dev.portolan.scanner";
  private static final String CONTROL = "dev.portolan.control";
  private static final String TARGET = CONTROL + ".target..";
  private static final String JSON = "com.fasterxml.jackson..";

  /** Each package and what it may use besides the JDK (java.., javax..) and itself. */
  static final Map<String, List<String>> ALLOWED = new LinkedHashMap<>();

  static {
    ALLOWED.put("packet", List.of());
    ALLOWED.put("link", List.of(pkg("packet"), CONTROL, TARGET));
    ALLOWED.put("engine", List.of(pkg("packet"), pkg("link"), CONTROL, TARGET));
    ALLOWED.put("probe", List.of(pkg("engine"), CONTROL, TARGET, JSON));
    ALLOWED.put("report", List.of(pkg("engine"), pkg("probe"), TARGET, JSON));
    ALLOWED.put("agent", List.of(pkg("engine"), pkg("probe"), pkg("report"), CONTROL + "..", "dev.portolan.crds..",
        JSON, "io.fabric8.kubernetes..", "io.micrometer..", "com.sun.net.httpserver.."));
    ALLOWED.put("cli", List.of(pkg("packet"), pkg("link"), pkg("engine"), pkg("probe"), pkg("report"), pkg("agent"),
        CONTROL + "..", "dev.portolan.crds..", JSON, "io.fabric8.kubernetes..", "io.micrometer..", "picocli.."));
  }

  private static JavaClasses classes;

  private static String pkg(String name) {
    return ROOT + "." + name + "..";
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
      if (ALLOWED.keySet().stream().noneMatch(k -> p.equals(ROOT + "." + k) || p.startsWith(ROOT + "." + k + "."))) {
        undeclared.add(p);
      }
    }
    assertThat(undeclared).as("packages with no allow-list; add each to ALLOWED, in its place on the data path").isEmpty();
  }

  @TestFactory
  @DisplayName("each stage uses only the stages before it")
  List<DynamicTest> allowLists() {
    List<DynamicTest> tests = new ArrayList<>();
    for (var e : ALLOWED.entrySet()) {
      tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
        List<String> allowed = new ArrayList<>(List.of("java..", "javax..", pkg(e.getKey())));
        allowed.addAll(e.getValue());
        classes().that().resideInAPackage(pkg(e.getKey()))
            .should().onlyDependOnClassesThat().resideInAnyPackage(allowed.toArray(String[]::new))
            .because(e.getKey() + " may use only what comes before it on the data path")
            .check(classes);
      }));
    }
    return tests;
  }

  @Test
  @DisplayName("nothing in the scanner's engine knows Kubernetes")
  void noKubernetesBelowTheAgent() {
    noClasses().that().resideInAnyPackage(pkg("packet"), pkg("link"), pkg("engine"), pkg("probe"), pkg("report"))
        .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "io.javaoperatorsdk..", "dev.portolan.crds..")
        .check(classes);
  }
}
