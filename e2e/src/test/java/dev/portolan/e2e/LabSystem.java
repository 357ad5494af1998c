package dev.portolan.e2e;

import static org.awaitility.Awaitility.await;

import dev.portolan.scanner.lab.services.LabServices;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The system under test, assembled in the lab this JVM runs in (the targets' namespace NAME-t, with
 * node namespaces NAME-n1 and NAME-n2; see e2e/README.md for the picture): the mock API server, the
 * operator beside it, one agent per node, the real services, and two listeners that must never be
 * reported. {@link #close} stops all of it, each wait bounded; the in-lab java deletes the lab.
 */
final class LabSystem implements AutoCloseable {
  static final String OPERATOR_NS = "portolan-system";
  static final List<String> NODES = List.of("node-1", "node-2");

  /** The lab's services: where each listens (the policy's scope and expectations are written for these). */
  static final String WEB = "198.18.7.7";
  static final String SSH = "198.18.7.8";
  static final String REDIS = "198.18.9.1";
  static final String DB = "198.18.9.2";
  /** A listener inside the scope on an address the policy excludes. */
  static final String EXCLUDED = "198.18.9.9";
  /** A listener outside the scope. */
  static final String OUTSIDE = "198.18.8.8";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(1);
  private static final int AGENT_HEALTH_PORT = 8081;

  private final Path work;
  private final List<LabProcess> processes = new ArrayList<>();
  private final List<ServerSocket> listeners = new ArrayList<>();
  private LabApiServer api;
  private LabKubeApi kube;
  private LabServices services;
  /** The real API server tier (system property portolan.e2e.tier=kubeapi) instead of fabric8's mock. */
  private static final boolean REAL_API = "kubeapi".equals(System.getProperty("portolan.e2e.tier"));

  private LabSystem(Path work) {
    this.work = work;
  }

  /**
   * Starts everything in the lab named by PORTOLAN_LAB, with its files under {@code workDir} (emptied
   * first), and waits (bounded) until the operator and both agents are ready. {@code namespaces} are
   * created in the API server besides the operator's.
   */
  static LabSystem start(Path workDir, String... namespaces) throws IOException {
    String lab = System.getenv("PORTOLAN_LAB");
    int nodes = Integer.parseInt(System.getenv().getOrDefault("PORTOLAN_LAB_NODES", "0"));
    if (lab == null || nodes < NODES.size()) {
      throw new IllegalStateException(
          "not inside a lab with " + NODES.size() + " nodes: this test runs through e2e/lab/in-lab-jdk/bin/java with "
              + "PORTOLAN_LAB_SIDE=t and PORTOLAN_LAB_NODES=2 (./mvnw verify does that; see e2e/README.md)");
    }
    LabSystem system = new LabSystem(freshDirectory(workDir));
    try {
      system.startIn(lab, namespaces);
      return system;
    } catch (IOException | RuntimeException | Error e) {
      system.printLogs();
      system.close();
      throw e;
    }
  }

  private void startIn(String lab, String... namespaces) throws IOException {
    Path logs = Files.createDirectories(work.resolve("logs"));
    List<String> all = new ArrayList<>(List.of(namespaces));
    all.add(OPERATOR_NS);
    // The processes run what the chart renders (values-e2e.yaml), through the image's entry points.
    int metricsPort = freePort();
    Map<String, Object> sets = new LinkedHashMap<>(Map.of("operator.metricsPort", metricsPort, "scanner.healthPort", AGENT_HEALTH_PORT));
    if (REAL_API) {
      // A real server has what the mock lacks: server-side apply, and the Lease permission check.
      sets.put("scanner.statusPatch", "apply");
      sets.put("operator.leaderElection", true);
    }
    LabChart chart = LabChart.render(root(), resourcePath("values-e2e.yaml"), sets, OPERATOR_NS, work,
        jar("portolan.agent.jar"), jar("portolan.operator.jar"));
    Map<String, String> operatorEnv = new LinkedHashMap<>(chart.operatorEnv(OPERATOR_NS));
    List<Path> agentKubeconfigs = new ArrayList<>();
    if (REAL_API) {
      kube = LabKubeApi.start(all.toArray(String[]::new));
      kube.applyIdentities(chart.identities());
      for (int n = 1; n <= NODES.size(); n++) {
        kube.registerAgent(OPERATOR_NS, NODES.get(n - 1), nodeAddress(n), chart.agentPodLabels());
      }
      // Each process holds its own service account's token: RBAC decides every request.
      operatorEnv.put("KUBECONFIG", kube.kubeconfig(OPERATOR_NS, chart.operatorAccount(), work.resolve("kubeconfig-operator")).toString());
      Path socket = work.resolve("kubeapi.sock");
      processes.add(LabProcess.start("bridge", null, kube.bridgeServerSide(socket), Map.of(), logs));
      for (int n = 1; n <= NODES.size(); n++) {
        processes.add(LabProcess.start("bridge-" + NODES.get(n - 1), lab + "-n" + n, kube.bridgeNodeSide(socket), Map.of(), logs));
        agentKubeconfigs.add(kube.kubeconfig(OPERATOR_NS, chart.agentAccount(), work.resolve("kubeconfig-" + NODES.get(n - 1))));
      }
    } else {
      api = LabApiServer.start(all.toArray(String[]::new));
      // What a lab without a cluster needs on top of the chart: a kubeconfig instead of the pod's
      // service account, merge patches (the mock has no server-side apply), and the agents named
      // (they are processes, not pods the operator could read).
      operatorEnv.put("KUBECONFIG", api.kubeconfig(work.resolve("kubeconfig-operator"), "127.0.0.1", OPERATOR_NS).toString());
      operatorEnv.put("PORTOLAN_SERVER_SIDE_APPLY", "false");
      operatorEnv.put("PORTOLAN_AGENT_NODES", String.join(",", NODES));
      for (int n = 1; n <= NODES.size(); n++) {
        agentKubeconfigs.add(api.kubeconfig(work.resolve("kubeconfig-" + NODES.get(n - 1)), nodeGateway(n), OPERATOR_NS));
      }
    }

    // The three JVMs start at once (the slow part on a small machine) while the services come up.
    processes.add(LabProcess.start("operator", null, chart.operatorCommand(), operatorEnv, logs));
    for (int n = 1; n <= NODES.size(); n++) {
      String node = NODES.get(n - 1);
      Map<String, String> agentEnv = new LinkedHashMap<>(chart.agentEnv(node, nodeAddress(n)));
      agentEnv.put("KUBECONFIG", agentKubeconfigs.get(n - 1).toString());
      processes.add(LabProcess.start("agent-" + node, lab + "-n" + n, chart.agentCommand(agentEnv), agentEnv, logs));
    }

    services = new LabServices(lab + "-t", work);
    services.nginx(WEB, 80, 8443);
    services.sshd(SSH, 2222);
    services.redis(REDIS, 6379);
    services.postgresql(DB, 5432);
    // This JVM lives where the targets do: it can listen on their addresses itself.
    listeners.add(listen(EXCLUDED, 80));
    listeners.add(listen(OUTSIDE, 80));

    awaitReady(process("operator"), URI.create("http://127.0.0.1:" + metricsPort + "/readyz"));
    for (int n = 1; n <= NODES.size(); n++) {
      awaitReady(process("agent-" + NODES.get(n - 1)), URI.create("http://" + nodeAddress(n) + ":" + AGENT_HEALTH_PORT + "/readyz"));
    }
  }

  /** Node N's own address (what the downward API's status.hostIP gives its pods). */
  private static String nodeAddress(int n) {
    return "198.19." + n + ".2";
  }

  /** Node N's way to the cluster's network: the targets' side of its veth. */
  private static String nodeGateway(int n) {
    return "198.19." + n + ".1";
  }

  /** A client for the test's own reads and writes (as kubectl would be). */
  KubernetesClient client() {
    return kube != null ? kube.client() : api.client();
  }

  /** Whether this run is on the real API server tier. */
  boolean realApi() {
    return kube != null;
  }

  /** What {@code kubectl apply -f} of a new object does: parse the YAML as it is, create it. */
  HasMetadata kubectlApply(String resource) throws IOException {
    try (InputStream in = resource(resource)) {
      return client().resource(in).create();
    }
  }

  /** Fails, with the process's log, if the operator or an agent has exited. */
  void requireAllAlive() {
    processes.forEach(LabProcess::requireAlive);
  }

  /** Everything process {@code name} ("operator", "agent-node-1", ...) has written so far. */
  String processLog(String name) {
    return process(name).log();
  }

  /** The last lines of every process's log, for a failure's reader. */
  void printLogs() {
    for (LabProcess p : processes) {
      System.err.println("===== " + p.name() + " (" + p.logFile() + "), last lines =====");
      System.err.println(p.logTail(150));
    }
  }

  private LabProcess process(String name) {
    return processes.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  /** Waits (bounded) until {@code uri} answers 200, failing at once if the process has exited. */
  private static void awaitReady(LabProcess process, URI uri) {
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build()) {
      await(process.name() + " ready at " + uri).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
        process.requireAlive();
        try {
          return http.send(HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT).build(), HttpResponse.BodyHandlers.discarding())
              .statusCode() == 200;
        } catch (IOException e) {
          return false; // not listening yet
        }
      });
    }
  }

  private static ServerSocket listen(String address, int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getByName(address), port));
    return s;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static Path jar(String property) {
    Path jar = Path.of(System.getProperty(property, "")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing (system property " + property + "): build the scanner and operator first");
    }
    return jar;
  }

  static InputStream resource(String name) {
    InputStream in = LabSystem.class.getResourceAsStream("/" + name);
    if (in == null) {
      throw new IllegalStateException(name + " is not on the test classpath");
    }
    return in;
  }

  /** A test resource's file (test resources are plain files under target/test-classes). */
  private static Path resourcePath(String name) {
    try {
      return Path.of(Objects.requireNonNull(LabSystem.class.getResource("/" + name), name + " is not on the test classpath").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The repository's top: the chart, the Dockerfile and docker/bin live there. */
  private static Path root() {
    Path root = Path.of(System.getProperty("portolan.root", "")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("Dockerfile"))) {
      throw new IllegalStateException(root + " is not the repository's top (system property portolan.root)");
    }
    return root;
  }

  /** An empty directory the services' own users (www-data, postgres) can enter; an earlier run's files go first. */
  private static Path freshDirectory(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  /** Agents first (they would complain of a vanished API server), then the operator, then the rest. */
  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
    for (ServerSocket s : listeners) {
      try {
        s.close();
      } catch (IOException e) {
        // a listener that never accepted; nothing to tell
      }
    }
    if (services != null) {
      services.close();
    }
    if (api != null) {
      api.close();
    }
    if (kube != null) {
      kube.close();
    }
  }
}
