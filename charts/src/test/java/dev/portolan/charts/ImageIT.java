package dev.portolan.charts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.operator.OperatorFlags;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image without a Docker engine: what the Dockerfile copies exists after {@code package} and
 * passes .dockerignore, and the image's two entry points, run from the same layout
 * (/opt/portolan/bin and lib) with this JDK, accept what the chart passes them.
 */
class ImageIT {
  private static final Path ROOT = RenderedChart.CHART.getParent().getParent();
  private static String dockerfile;

  @TempDir static Path image;

  @BeforeAll
  static void layOutTheImage() throws IOException {
    dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    Path bin = Files.createDirectories(image.resolve("bin"));
    Path lib = Files.createDirectories(image.resolve("lib"));
    for (String script : List.of("portolan", "portolan-operator")) {
      Files.copy(ROOT.resolve("docker/bin/" + script), bin.resolve(script));
      assertThat(bin.resolve(script)).isExecutable();
    }
    Files.createSymbolicLink(lib.resolve("portolan.jar"), ROOT.resolve("scanner/target/portolan.jar"));
    Files.createSymbolicLink(lib.resolve("portolan-operator.jar"), ROOT.resolve("operator/target/portolan-operator.jar"));
  }

  @Test
  void everythingTheDockerfileCopiesExistsAndIsNotIgnored() throws IOException {
    List<String> admitted = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
        .filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();
    Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(.+) (\\S+)$").matcher(dockerfile);
    int copies = 0;
    while (copy.find()) {
      for (String source : copy.group(1).trim().split("\\s+")) {
        copies++;
        assertThat(ROOT.resolve(source)).as("COPY %s (build the jars first: ./mvnw package)", source).exists();
        assertThat(admitted).as(".dockerignore admits %s", source).anyMatch(source::startsWith);
      }
    }
    assertThat(copies).isEqualTo(3);
    assertThat(dockerfile).contains("ENTRYPOINT [\"portolan\"]", "libpcap0.8", "USER 65532:65532");
  }

  @Test
  void theCliEntryPointRunsAndTakesTheDaemonSetsArguments() throws Exception {
    assertThat(run("portolan", "--version")).contains("0.1.0");
    DaemonSet ds = RenderedChart.render(RenderedChart.values("scanner.interface", "eth1")).get(DaemonSet.class, "-scanner");
    List<String> args = new ArrayList<>(ds.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs());
    args.add("--help"); // parses every option the chart passes, then prints the help instead of starting
    assertThat(run("portolan", args.toArray(String[]::new))).contains("--health-port", "--status-patch");
    DaemonSet connect = RenderedChart.render(RenderedChart.values("scanner.mode", "connect")).get(DaemonSet.class, "-scanner");
    List<String> connectArgs = new ArrayList<>(connect.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs());
    connectArgs.add("--help");
    assertThat(run("portolan", connectArgs.toArray(String[]::new))).contains("--connect");
  }

  @Test
  void theOperatorEntryPointRunsAndKnowsEveryVariableTheChartSets() throws Exception {
    assertThat(run("portolan-operator", "--help")).contains("--guard", "--leader-election");

    Set<String> read = OperatorFlags.FLAGS.stream().map(OperatorFlags.Flag::env).collect(Collectors.toCollection(java.util.TreeSet::new));
    String launcher = Files.readString(ROOT.resolve("docker/bin/portolan-operator"));
    Container operator = ChartTest.operatorContainer(RenderedChart.render(
        RenderedChart.values("operator.watchNamespaces", List.of("a"), "imagePullSecrets[0].name", "regcred",
            "sourcePods.enabled", true, "sourcePods.namespaces", List.of("a"))));
    Set<String> set = operator.getEnv().stream().map(EnvVar::getName).collect(Collectors.toSet());
    for (String name : set) {
      assertThat(read.contains(name) || launcher.contains("${" + name))
          .as("the chart sets %s, which neither the operator (%s) nor its launcher reads", name, read).isTrue();
    }
  }

  @Test
  void theOperatorsJarHoldsNoScannerNoCliLibraryAndNoProbeDatabase() throws IOException {
    List<String> entries = new ArrayList<>();
    try (var jar = new java.util.jar.JarFile(ROOT.resolve("operator/target/portolan-operator.jar").toFile())) {
      jar.stream().forEach(e -> entries.add(e.getName()));
    }
    assertThat(entries).as("the operator's jar").contains("dev/portolan/control/guard/Guard.class")
        .noneMatch(e -> e.startsWith("dev/portolan/scanner/"))
        .noneMatch(e -> e.startsWith("picocli/"))
        .noneMatch(e -> e.endsWith("probes.yaml"));
  }

  private static String run(String entryPoint, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(image.resolve("bin").resolve(entryPoint).toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("PORTOLAN_HOME", image.toString());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("JAVA_OPTS", "-Xmx128m -Xshare:auto");
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(entryPoint + " did not finish in 60 s");
    }
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.exitValue()).as("%s %s:\n%s", entryPoint, List.of(args), out).isZero();
    return out;
  }
}
