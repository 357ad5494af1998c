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
