package dev.portolan.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration mistakes end the process with exit code 2 and one line, before any connection. */
@DisplayName("portolan-operator configuration")
class OperatorMainTest {
  @TempDir Path dir;

  private record Outcome(int code, String err) {}

  private static Outcome run(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return new Outcome(OperatorMain.run(args), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  private static void assertUsage(Outcome o, String fragment) {
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).startsWith("portolan-operator: ").contains(fragment);
    assertThat(o.err().strip().lines()).hasSize(1);
  }

  @Test
  @DisplayName("a guard file that is not valid")
  void badGuard() throws Exception {
    Path guard = Files.writeString(dir.resolve("guard.yaml"), "allowedCidrs: [10.0.0.0/33]\n");
    assertUsage(run("--namespace", "portolan", "--guard", guard.toString()), "guard");
    assertUsage(run("--namespace", "portolan", "--guard", dir.resolve("missing.yaml").toString()), "missing.yaml");
    Path unknown = Files.writeString(dir.resolve("unknown.yaml"), "maxRate: 5\n");
    assertUsage(run("--namespace", "portolan", "--guard", unknown.toString()), "unknown.yaml");
  }

  @Test
  @DisplayName("a metrics port out of range, a malformed agent selector, a source template without {node}")
  void badFlags() {
    assertUsage(run("--namespace", "portolan", "--metrics-port", "70000"), "--metrics-port");
    assertUsage(run("--namespace", "portolan", "--agent-selector", "app in (scanner)"), "--agent-selector");
    assertUsage(run("--namespace", "portolan", "--source-pod-args", "agent"), "{node}");
    assertUsage(run("--namespace", "portolan", "--resync-seconds", "0"), "--resync-seconds");
    assertUsage(run("--namespace", "portolan", "--leader-election", "maybe"), "--leader-election");
    assertUsage(run("--no-such-flag"), "no-such-flag");
  }

  @Test
  @DisplayName("source pods' resources, tolerations and node selector: read as Kubernetes writes them, mistakes refused")
  void sourcePodPlacement() {
    var env = java.util.Map.of(
        "PORTOLAN_SOURCE_POD_RESOURCES", "{\"requests\":{\"cpu\":\"200m\",\"memory\":\"384Mi\"},\"limits\":{\"memory\":\"1Gi\"}}",
        "PORTOLAN_SOURCE_POD_TOLERATIONS", "[{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"scans\",\"effect\":\"NoSchedule\"}]",
        "PORTOLAN_SOURCE_POD_NODE_SELECTOR", "kubernetes.io/os=linux");
    var template = new OperatorMain(OperatorFlags.parse(new String[0], env).flags()).config("portolan").sourcePod();
    assertThat(template.resources().getRequests()).containsEntry("cpu", new io.fabric8.kubernetes.api.model.Quantity("200m"));
    assertThat(template.resources().getLimits()).containsEntry("memory", new io.fabric8.kubernetes.api.model.Quantity("1Gi"));
    assertThat(template.tolerations()).singleElement().satisfies(t -> {
      assertThat(t.getKey()).isEqualTo("dedicated");
      assertThat(t.getEffect()).isEqualTo("NoSchedule");
    });
    assertThat(template.nodeSelector()).containsExactly(java.util.Map.entry("kubernetes.io/os", "linux"));
    var none = new OperatorMain(OperatorFlags.parse(new String[0], java.util.Map.of()).flags()).config("portolan").sourcePod();
    assertThat(none.resources()).isNull();
    assertThat(none.tolerations()).isEmpty();

    assertUsage(run("--namespace", "p", "--source-pod-resources", "{\"requets\":{\"cpu\":\"1\"}}"), "unknown field 'requets'");
    assertUsage(run("--namespace", "p", "--source-pod-resources", "{\"requests\":{\"cpu\":\"fast\"}}"), "cpu 'fast' is not a quantity");
    assertUsage(run("--namespace", "p", "--source-pod-resources", "cpu=1"), "--source-pod-resources must be a container's resources object in JSON");
    assertUsage(run("--namespace", "p", "--source-pod-tolerations", "{\"operator\":\"Exists\"}"), "--source-pod-tolerations must be a list of tolerations");
    assertUsage(run("--namespace", "p", "--source-pod-tolerations", "[{\"opertor\":\"Exists\"}]"), "unknown field 'opertor'");
    assertUsage(run("--namespace", "p", "--source-pod-node-selector", "os"), "--source-pod-node-selector");
  }

  @Test
  @DisplayName("--name=value works as --name value; a flag without its value and a stray argument are usage errors")
  void flagForms() {
    assertUsage(run("--namespace=portolan", "--metrics-port=70000"), "--metrics-port");
    assertUsage(run("--namespace", "portolan", "--guard"), "--guard needs a value");
    assertUsage(run("--namespace", "portolan", "start"), "unexpected argument 'start'");
    assertUsage(run("--namespace", "portolan", "--resync-seconds", "soon"), "--resync-seconds must be a whole number");
  }

  @Test
  @DisplayName("a flag wins over its environment variable, which wins over the default")
  void precedence() {
    var env = java.util.Map.of("PORTOLAN_LEASE_NAME", "from-env", "PORTOLAN_METRICS_PORT", "9090");
    var flags = OperatorFlags.parse(new String[] {"--lease-name", "from-flag"}, env).flags();
    assertThat(flags.text("--lease-name")).isEqualTo("from-flag");
    assertThat(flags.number("--metrics-port")).isEqualTo(9090);
    assertThat(flags.text("--agent-selector")).isEqualTo("app.kubernetes.io/component=scanner");
  }

  @Test
  @DisplayName("--help lists every flag with its environment variable; --version answers without a cluster")
  void help() {
    assertThat(run("--version").code()).isZero();
    String help = OperatorFlags.help("1.2.3");
    for (OperatorFlags.Flag f : OperatorFlags.FLAGS) {
      assertThat(help).contains(f.name(), f.env());
    }
  }
}
