package dev.portolan.testkit;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Kubernetes API server for one test class: e2e/kubeapi/kubeapi.sh's server (real etcd,
 * the generic API machinery, CRDs with CEL, admission with ValidatingAdmissionPolicy, RBAC,
 * TokenRequest) in a temporary directory, always stopped on {@link #close}; or, when
 * PORTOLAN_TEST_KUBECONFIG names a kubeconfig, that cluster (kind, for instance), where nothing
 * is started or stopped and the same tests run. Without the binaries the tests are skipped with
 * the reason and the command that builds them, unless PORTOLAN_KUBEAPI=required (CI after a
 * successful build), where a missing server fails them.
 */
public final class KubeApi implements AutoCloseable {
  private final Path script;
  private final Path dir;
  private final Path adminKubeconfig;
  private final KubernetesClient admin;
  private final List<KubernetesClient> clients = new ArrayList<>();

  private KubeApi(Path script, Path dir, Path adminKubeconfig, KubernetesClient admin) {
    this.script = script;
    this.dir = dir;
    this.adminKubeconfig = adminKubeconfig;
    this.admin = admin;
  }

  /** The output and exit code of a command. */
  public record Result(int code, String output) {}

  /** The repository's root, found from the module directory the tests run in. */
  public static Path repositoryRoot() {
    Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("e2e/kubeapi/kubeapi.sh"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("e2e/kubeapi/kubeapi.sh not found above " + System.getProperty("user.dir"));
    }
    return p;
  }

  /** Starts a server (or takes PORTOLAN_TEST_KUBECONFIG's cluster); skips or fails as the class says. */
  public static KubeApi start() {
    return start(UnaryOperator.identity());
  }

  /** As {@link #start()}, with the clients' configuration adjusted (a serializer, a user agent). */
  public static KubeApi start(UnaryOperator<KubernetesClientBuilder> customize) {
    try {
      String external = System.getenv("PORTOLAN_TEST_KUBECONFIG");
      if (external != null && !external.isBlank()) {
        Path kc = Path.of(external);
        return new KubeApi(null, kc.getParent(), kc, client(Files.readString(kc), customize));
      }
      Path script = repositoryRoot().resolve("e2e/kubeapi/kubeapi.sh");
      boolean required = "required".equals(System.getenv("PORTOLAN_KUBEAPI"));
      Path dir = Files.createTempDirectory("portolan-kubeapi-");
      Result r = run(List.of("bash", script.toString(), "start", dir.toString()), 120);
      if (r.code() != 0) {
        run(List.of("bash", script.toString(), "stop", dir.toString()), 60);
        String last = r.output().strip().lines().reduce((a, b) -> b).orElse("");
        String why = "the real API server is not available (" + last + ")";
        if (required || r.code() != 2) {
          throw new IllegalStateException(why + "\n" + r.output());
        }
        Assumptions.abort(why + "; build it with: sudo e2e/kubeapi/kubeapi.sh build");
      }
      Path kc = dir.resolve("admin.kubeconfig");
      return new KubeApi(script, dir, kc, client(Files.readString(kc), customize));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static KubernetesClient client(String kubeconfig, UnaryOperator<KubernetesClientBuilder> customize) {
    return customize.apply(new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig))).build();
  }

  /** Whether this is a real cluster named by PORTOLAN_TEST_KUBECONFIG rather than a server we started. */
  public boolean isExternalCluster() {
    return script == null;
  }

  /** A cluster-admin client (system:masters), for the test's own set-up and checks. */
  public KubernetesClient admin() {
    return admin;
  }

  public Path adminKubeconfig() {
    return adminKubeconfig;
  }

  /** The API server's URL. */
  public String server() {
    return admin.getConfiguration().getMasterUrl();
  }

  /** A token of service account {@code namespace/name}, from TokenRequest (two hours). */
  public String token(String namespace, String name) {
    TokenRequest request = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(7200L).endSpec().build();
    TokenRequest answer = admin.serviceAccounts().inNamespace(namespace).withName(name).tokenRequest(request);
    return answer.getStatus().getToken();
  }

  /** A client that is service account {@code namespace/name}: every request it makes passes RBAC or fails. */
  public KubernetesClient as(String namespace, String name, UnaryOperator<KubernetesClientBuilder> customize) {
    Config base = admin.getConfiguration();
    Config config = new ConfigBuilder()
        .withMasterUrl(base.getMasterUrl())
        .withCaCertData(base.getCaCertData())
        .withOauthToken(token(namespace, name))
        .withNamespace(namespace)
        .build();
    KubernetesClient c = customize.apply(new KubernetesClientBuilder().withConfig(config)).build();
    synchronized (clients) {
      clients.add(c);
    }
    return c;
  }

  public KubernetesClient as(String namespace, String name) {
    return as(namespace, name, UnaryOperator.identity());
  }

  /**
   * A kubeconfig file that is service account {@code namespace/name}, for a process under test (an
   * operator or an agent started as the chart would run it).
   */
  public Path kubeconfigFor(String namespace, String name, Path file) {
    Config base = admin.getConfiguration();
    String text = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: %s
          user:
            token: %s
        contexts:
        - name: test
          context: {cluster: test, user: %s, namespace: %s}
        current-context: test
        """.formatted(base.getMasterUrl(), base.getCaCertData(), name, token(namespace, name), name, namespace);
    try {
      return Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Applies CRDs found on the test's classpath (the crds module's generated
   * {@code /META-INF/fabric8/*.yml}, say) by server-side apply with force, so a previous field
   * manager never conflicts, and waits until each is Established.
   */
  public void applyCrds(String... classpathResources) {
    for (String resource : classpathResources) {
      try (var in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource.startsWith("/") ? resource.substring(1) : resource)) {
        if (in == null) {
          throw new IllegalStateException(resource + " is not on the classpath (build the crds module first)");
        }
        CustomResourceDefinition crd = admin.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        applyCrd(crd);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** One CRD, applied with force and awaited until Established. */
  public void applyCrd(CustomResourceDefinition crd) {
    crd.getMetadata().setManagedFields(null);
    crd.getMetadata().setResourceVersion(null);
    admin.apiextensions().v1().customResourceDefinitions().resource(crd)
        .fieldManager("portolan-tests").forceConflicts().serverSideApply();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      CustomResourceDefinition c = admin.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get();
      if (c != null && c.getStatus() != null && c.getStatus().getConditions() != null
          && c.getStatus().getConditions().stream().anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus()))) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException("CRD " + crd.getMetadata().getName() + " not Established within 30 s");
  }

  /** Creates a namespace if it does not exist (NamespaceLifecycle refuses objects in unknown ones). */
  public void createNamespace(String name) {
    if (admin.namespaces().withName(name).get() == null) {
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }
  }

  /** kubectl against this server, as cluster admin. */
  public Result kubectl(String... args) {
    List<String> cmd = new ArrayList<>();
    if (script == null) {
      cmd.addAll(List.of("kubectl", "--kubeconfig", adminKubeconfig.toString()));
    } else {
      cmd.addAll(List.of("bash", script.toString(), "kubectl", dir.toString()));
    }
    cmd.addAll(List.of(args));
    try {
      return run(cmd, 60);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Result run(List<String> cmd, long seconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out: " + cmd);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    synchronized (clients) {
      clients.forEach(KubernetesClient::close);
    }
    admin.close();
    if (script == null) {
      return;
    }
    try {
      run(List.of("bash", script.toString(), "stop", dir.toString()), 60);
      // The server's directory (certificates, kubeconfigs, logs): ours, made by start().
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
