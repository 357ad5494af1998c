package dev.portolan.operator;

import dev.portolan.control.UsageException;
import dev.portolan.control.guard.GuardConfig;
import dev.portolan.operator.cluster.ApiSerialization;
import dev.portolan.operator.cluster.SourcePodTemplate;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code portolan-operator}: every setting is a flag with an environment variable as its default
 * (what a Deployment sets). A configuration mistake ends the process with exit code 2 and one line
 * on stderr, before anything connects.
 */
@Command(
    name = "portolan-operator",
    mixinStandardHelpOptions = true,
    versionProvider = OperatorMain.Version.class,
    description = "Reconciles ScanPolicies into runs (ScanReports) and aggregates what the scanner agents find.")
public final class OperatorMain implements Callable<Integer> {
  @Option(names = "--watch-namespaces", split = ",", defaultValue = "${env:PORTOLAN_WATCH_NAMESPACES}",
      description = "Namespaces whose policies are reconciled (comma-separated); all when empty. Env PORTOLAN_WATCH_NAMESPACES.")
  List<String> watchNamespaces;

  @Option(names = "--namespace", defaultValue = "${env:POD_NAMESPACE}",
      description = "The operator's namespace: scanner agents and the leader lease live there. Env POD_NAMESPACE.")
  String namespace;

  @Option(names = "--guard", defaultValue = "${env:PORTOLAN_GUARD}",
      description = "The scan guard file (YAML); safe defaults without it. Env PORTOLAN_GUARD.")
  Path guard;

  @Option(names = "--metrics-port", defaultValue = "${env:PORTOLAN_METRICS_PORT:-8080}",
      description = "Port of /metrics, /healthz and /readyz; -1 turns them off (default 8080). Env PORTOLAN_METRICS_PORT.")
  int metricsPort;

  @Option(names = "--leader-election", arity = "1", defaultValue = "${env:PORTOLAN_LEADER_ELECTION:-true}",
      description = "Elect a leader with a Lease so replicas are safe (default true). Env PORTOLAN_LEADER_ELECTION.")
  boolean leaderElection;

  @Option(names = "--lease-name", defaultValue = "${env:PORTOLAN_LEASE_NAME:-portolan-operator}",
      description = "The leader Lease's name. Env PORTOLAN_LEASE_NAME.")
  String leaseName;

  @Option(names = "--server-side-apply", arity = "1", defaultValue = "${env:PORTOLAN_SERVER_SIDE_APPLY:-true}",
      description = "Write policy status by server-side apply (default true). Env PORTOLAN_SERVER_SIDE_APPLY.")
  boolean serverSideApply;

  @Option(names = "--agent-selector", defaultValue = "${env:PORTOLAN_AGENT_SELECTOR:-app.kubernetes.io/component=scanner}",
      description = "Labels of the scanner agent pods, k=v[,k=v]. Env PORTOLAN_AGENT_SELECTOR.")
  String agentSelector;

  @Option(names = "--agent-nodes", split = ",", defaultValue = "${env:PORTOLAN_AGENT_NODES}",
      description = "Take these nodes' agents as ready without reading pods (API servers without the core API). Env PORTOLAN_AGENT_NODES.")
  List<String> agentNodes;

  @Option(names = "--source-pod-image", defaultValue = "${env:PORTOLAN_SOURCE_POD_IMAGE}",
      description = "Image of the scanner pods of Pod-sourced runs. Env PORTOLAN_SOURCE_POD_IMAGE.")
  String sourcePodImage;

  @Option(names = "--source-pod-args", defaultValue = "${env:PORTOLAN_SOURCE_POD_ARGS:-" + SourcePodTemplate.DEFAULT_ARGS + "}",
      description = "Their arguments; {node}, {namespace}, {run} are replaced. Env PORTOLAN_SOURCE_POD_ARGS.")
  String sourcePodArgs;

  @Option(names = "--source-pod-service-account", defaultValue = "${env:PORTOLAN_SOURCE_POD_SERVICE_ACCOUNT:-portolan-source}",
      description = "Their service account (in the source namespace). Env PORTOLAN_SOURCE_POD_SERVICE_ACCOUNT.")
  String sourcePodServiceAccount;

  @Option(names = "--source-pod-image-pull-secrets", split = ",", defaultValue = "${env:PORTOLAN_SOURCE_POD_IMAGE_PULL_SECRETS}",
      description = "Pull secrets of their image (names, in the pod's namespace). Env PORTOLAN_SOURCE_POD_IMAGE_PULL_SECRETS.")
  List<String> sourcePodImagePullSecrets;

  @Option(names = "--resync-seconds", defaultValue = "${env:PORTOLAN_RESYNC_SECONDS:-300}",
      description = "Longest time between two reconciles of a policy (default 300). Env PORTOLAN_RESYNC_SECONDS.")
  long resyncSeconds;

  @Option(names = "--replan-seconds", defaultValue = "${env:PORTOLAN_REPLAN_SECONDS:-30}",
      description = "How often a run without agents looks for them again (default 30). Env PORTOLAN_REPLAN_SECONDS.")
  long replanSeconds;

  /** The configuration the flags describe; a mistake throws {@link UsageException}. */
  OperatorConfig config(String defaultNamespace) {
    OperatorConfig.Builder b = OperatorConfig.builder(namespace == null || namespace.isBlank() ? defaultNamespace : namespace)
        .watchNamespaces(set(watchNamespaces))
        .guard(guard == null ? GuardConfig.defaults() : readGuard(guard))
        .metricsPort(metricsPort)
        .leaderElection(leaderElection)
        .leaseName(leaseName)
        .serverSideApply(serverSideApply)
        .agentSelector(OperatorConfig.parseLabels(agentSelector, "--agent-selector"))
        .staticAgentNodes(agentNodes == null ? List.of() : agentNodes.stream().map(String::strip).filter(s -> !s.isEmpty()).toList())
        .resync(seconds(resyncSeconds, "--resync-seconds"))
        .replanInterval(seconds(replanSeconds, "--replan-seconds"));
    if (sourcePodImage != null && !sourcePodImage.isBlank()) {
      b.sourcePod(new SourcePodTemplate(sourcePodImage, sourcePodArgs, sourcePodServiceAccount, sourcePodImagePullSecrets));
    } else {
      SourcePodTemplate d = SourcePodTemplate.defaults(OperatorConfig.bundledEngineVersion());
      b.sourcePod(new SourcePodTemplate(d.image(), sourcePodArgs, sourcePodServiceAccount, sourcePodImagePullSecrets));
    }
    return b.build();
  }

  @Override
  public Integer call() throws InterruptedException {
    // Check everything that needs no cluster first: a bad guard file fails before any connection.
    config("default");
    KubernetesClient client = new KubernetesClientBuilder().withKubernetesSerialization(ApiSerialization.create()).build();
    OperatorConfig config = config(client.getNamespace());
    PortolanOperator operator = new PortolanOperator(config, client, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
      operator.stop();
      client.close();
      stopped.countDown();
    }));
    operator.start();
    stopped.await();
    return 0;
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command; the exit code, 2 for a configuration mistake (one line on stderr). */
  static int run(String... args) {
    CommandLine cli = new CommandLine(new OperatorMain());
    cli.setParameterExceptionHandler((e, a) -> {
      cli.getErr().println("portolan-operator: " + e.getMessage());
      return 2;
    });
    cli.setExecutionExceptionHandler((e, command, parsed) -> {
      if (e instanceof UsageException) {
        command.getErr().println("portolan-operator: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cli.execute(args);
  }

  private static Set<String> set(List<String> values) {
    Set<String> out = new LinkedHashSet<>();
    if (values != null) {
      for (String v : values) {
        if (!v.isBlank()) {
          out.add(v.strip());
        }
      }
    }
    return out;
  }

  private static Duration seconds(long s, String flag) {
    if (s < 1) {
      throw new UsageException(flag + " must be at least 1");
    }
    return Duration.ofSeconds(s);
  }

  /** The version of the scanner build the operator ships with. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"portolan-operator " + OperatorConfig.bundledEngineVersion()};
    }
  }

  /** The guard file the chart mounts; reading it is this edge's job, parsing the control logic's. */
  private static GuardConfig readGuard(java.nio.file.Path file) {
    try {
      return GuardConfig.parse(java.nio.file.Files.readString(file), file.toString());
    } catch (java.io.IOException e) {
      throw new UsageException("cannot read the guard file '" + file + "': " + e.getMessage());
    }
  }
}
