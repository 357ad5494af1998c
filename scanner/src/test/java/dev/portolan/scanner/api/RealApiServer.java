package dev.portolan.scanner.api;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real apiextensions-apiserver with etcd on 127.0.0.1, started by e2e/real-api/real-api.sh for
 * one test class and always stopped; or, when PORTOLAN_TEST_KUBECONFIG names a kubeconfig, that
 * real cluster. Without the binaries (not built here), the tests are skipped
 * with the reason, except when PORTOLAN_REAL_API=required (CI after a successful build).
 */
final class RealApiServer implements AutoCloseable {
  private final Path script;
  private final Path dir;
  final KubernetesClient client;

  private RealApiServer(Path script, Path dir, KubernetesClient client) {
    this.script = script;
    this.dir = dir;
    this.client = client;
  }

  static RealApiServer start() throws IOException, InterruptedException {
    String external = System.getenv("PORTOLAN_TEST_KUBECONFIG");
    if (external != null && !external.isBlank()) {
      // A real cluster (kind, for instance): the same tests, against it; nothing to start or stop.
      KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(Path.of(external)))).build();
      return new RealApiServer(null, Path.of(external), client);
    }
    Path script = Path.of(System.getProperty("user.dir")).resolveSibling("e2e").resolve("real-api/real-api.sh").toAbsolutePath().normalize();
    boolean required = "required".equals(System.getenv("PORTOLAN_REAL_API"));
    Path dir = Files.createTempDirectory("portolan-real-api-");
    Result r = run(List.of("bash", script.toString(), "start", dir.toString()), 120);
    if (r.code() != 0) {
      run(List.of("bash", script.toString(), "stop", dir.toString()), 60);
      String why = "real API server not available (" + r.output().strip().lines().reduce((a, b) -> b).orElse("") + ")";
      if (required || r.code() != 2) {
        throw new IllegalStateException(why);
      }
      Assumptions.abort(why + "; build it with: e2e/real-api/real-api.sh build");
    }
    String kubeconfig = Files.readString(dir.resolve("kubeconfig"));
    KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
    return new RealApiServer(script, dir, client);
  }

  /** kubectl against this server (through the script's discovery shim). */
  Result kubectl(String... args) throws IOException, InterruptedException {
    List<String> cmd = script == null
        ? new ArrayList<>(List.of("kubectl", "--kubeconfig", dir.toString()))
        : new ArrayList<>(List.of("bash", script.toString(), "kubectl", dir.toString()));
    cmd.addAll(List.of(args));
    return run(cmd, 60);
  }

  record Result(int code, String output) {}

  private static Result run(List<String> cmd, long seconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out: " + cmd);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws IOException {
    client.close();
    if (script == null) {
      return;
    }
    try {
      run(List.of("bash", script.toString(), "stop", dir.toString()), 60);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
