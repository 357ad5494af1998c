package dev.portolan.scanner.cli;

import dev.portolan.control.UsageException;
import dev.portolan.control.target.Ipv4;
import dev.portolan.scanner.agent.Agent;
import dev.portolan.scanner.agent.AgentServer;
import dev.portolan.scanner.engine.ConnectScanner;
import dev.portolan.scanner.engine.PathResolver;
import dev.portolan.scanner.engine.ScannerFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code portolan agent}: the scanner DaemonSet's process. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Run shards of ScanReports assigned to this node (the scanner DaemonSet's process).")
public final class AgentCommand implements Callable<Integer> {
  @Option(names = "--node", paramLabel = "NAME", defaultValue = "${env:NODE_NAME}", description = "This node's name (default: $NODE_NAME, from the downward API).")
  String node;

  @Option(names = "--namespace", paramLabel = "NS[,NS...]", description = "Take part in runs of these namespaces only, the operator's watched namespaces (default: all).")
  String namespace;

  @Option(names = "--status-patch", paramLabel = "MODE", defaultValue = "apply", description = "apply (server-side apply, default) or merge (JSON merge patch, for API servers without SSA).")
  String statusPatch;

  @Option(names = "--health-port", defaultValue = "8081", description = "Port of /healthz, /readyz and /metrics (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int healthPort;

  @Option(names = "--health-address", paramLabel = "IP", defaultValue = "${env:PORTOLAN_HEALTH_ADDRESS:-0.0.0.0}",
      description = "Address of those endpoints (default ${DEFAULT-VALUE}: every address; the DaemonSet gives the node's own, so they are not served on its other networks).")
  String healthAddress;

  @Option(names = "--progress-interval", paramLabel = "SECS", defaultValue = "2", description = "Seconds between progress saves (default ${DEFAULT-VALUE}).")
  double progressSeconds;

  @Option(names = {"-e", "--interface"}, paramLabel = "IF", description = "Send on this interface (default: from the routing table).")
  String ifname;

  @Option(names = "--connect", description = "Use TCP connects instead of raw SYN probes.")
  boolean connect;

  @Override
  public Integer call() throws Exception {
    if (node == null || node.isBlank()) {
      throw new UsageException("no node name: give --node or set NODE_NAME (the DaemonSet sets it from spec.nodeName)");
    }
    Agent.StatusPatch patch;
    try {
      patch = Agent.StatusPatch.valueOf(statusPatch.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--status-patch takes apply or merge, not '" + statusPatch + "'");
    }
    if (healthPort < 0 || healthPort > 65535) {
      throw new UsageException("--health-port must be 0-65535");
    }
    try {
      Ipv4.parse(healthAddress);
    } catch (UsageException e) {
      throw new UsageException("--health-address takes an IPv4 address such as 10.0.0.5 or 0.0.0.0: " + e.getMessage());
    }
    if (!(progressSeconds >= 0.1) || progressSeconds > 3600) {
      throw new UsageException("--progress-interval must be 0.1 to 3600 seconds");
    }
    ScannerFactory.Options engine =
        new ScannerFactory.Options(
            new PathResolver.Overrides(Optional.ofNullable(ifname), OptionalInt.empty(), Optional.empty()),
            Optional.empty(), connect, ConnectScanner.DEFAULT_CONCURRENCY);
    Agent.Config config = new Agent.Config(node, namespace, patch, engine, Duration.ofMillis(Math.round(progressSeconds * 1000)));
    CountDownLatch stopped = new CountDownLatch(1);
    KubernetesClient client = new KubernetesClientBuilder().build();
    AgentServer server = AgentServer.start(
        client, config, new InetSocketAddress(InetAddress.ofLiteral(healthAddress), healthPort), AgentCommand::log);
    log("agent on node " + node + " watching " + (namespace == null ? "all namespaces" : namespace)
        + "; health and metrics on " + healthAddress + ":" + server.port());
    // SIGTERM (a pod stopping): stop the shard, save its progress for a resume, then exit.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      shutDown(server, client);
      stopped.countDown();
    }, "portolan-agent-stop"));
    stopped.await();
    return 0;
  }

  private static void shutDown(AgentServer server, KubernetesClient client) {
    try (client; server) {
      log("stopping");
    }
  }

  private static void log(String message) {
    System.err.println(Instant.now() + " portolan-agent: " + message);
  }
}
