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
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code portolan-operator}: every setting is a flag with an environment variable as its default
 * (what a Deployment sets; {@link OperatorFlags}). A configuration mistake ends the process with
 * exit code 2 and one line on stderr, before anything connects.
 */
public final class OperatorMain {
  private final OperatorFlags flags;

  OperatorMain(OperatorFlags flags) {
    this.flags = flags;
  }

  /** The configuration the flags describe; a mistake throws {@link UsageException}. */
  OperatorConfig config(String defaultNamespace) {
    String namespace = flags.text("--namespace");
    String guard = flags.text("--guard");
    String sourcePodImage = flags.text("--source-pod-image");
    String sourcePodArgs = flags.text("--source-pod-args");
    String sourcePodServiceAccount = flags.text("--source-pod-service-account");
    List<String> sourcePodImagePullSecrets = flags.list("--source-pod-image-pull-secrets");
    long metricsPort = flags.number("--metrics-port");
    if (metricsPort < Integer.MIN_VALUE || metricsPort > Integer.MAX_VALUE) {
      throw new UsageException("--metrics-port must be 0-65535 (or -1 to turn the endpoint off), not " + metricsPort);
    }
    OperatorConfig.Builder b = OperatorConfig.builder(namespace.isBlank() ? defaultNamespace : namespace)
        .watchNamespaces(new LinkedHashSet<>(flags.list("--watch-namespaces")))
        .guard(guard.isBlank() ? GuardConfig.defaults() : readGuard(Path.of(guard)))
        .metricsPort((int) metricsPort)
        .leaderElection(flags.bool("--leader-election"))
        .leaseName(flags.text("--lease-name"))
        .serverSideApply(flags.bool("--server-side-apply"))
        .agentSelector(OperatorConfig.parseLabels(flags.text("--agent-selector"), "--agent-selector"))
        .staticAgentNodes(flags.list("--agent-nodes"))
        .resync(seconds(flags.number("--resync-seconds"), "--resync-seconds"))
        .replanInterval(seconds(flags.number("--replan-seconds"), "--replan-seconds"))
        .statusInterval(seconds(flags.number("--status-seconds"), "--status-seconds"))
        .targetLabelKeys(flags.list("--target-label-keys"))
        .openReports(flags.bool("--open-reports"));
    String image = sourcePodImage.isBlank() ? SourcePodTemplate.defaults(OperatorConfig.bundledEngineVersion()).image() : sourcePodImage;
    b.sourcePod(new SourcePodTemplate(image, sourcePodArgs, sourcePodServiceAccount, sourcePodImagePullSecrets).placed(
        SourcePodTemplate.resources(flags.text("--source-pod-resources"), "--source-pod-resources"),
        SourcePodTemplate.tolerations(flags.text("--source-pod-tolerations"), "--source-pod-tolerations"),
        OperatorConfig.parseLabels(flags.text("--source-pod-node-selector"), "--source-pod-node-selector")));
    return b.build();
  }

  private int call() throws InterruptedException {
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
    try {
      OperatorFlags.Parsed parsed = OperatorFlags.parse(args, System.getenv());
      switch (parsed.action()) {
        case HELP -> {
          System.out.print(OperatorFlags.help(OperatorConfig.bundledEngineVersion()));
          return 0;
        }
        case VERSION -> {
          System.out.println("portolan-operator " + OperatorConfig.bundledEngineVersion());
          return 0;
        }
        default -> {
          return new OperatorMain(parsed.flags()).call();
        }
      }
    } catch (UsageException e) {
      System.err.println("portolan-operator: " + e.getMessage());
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static Duration seconds(long s, String flag) {
    if (s < 1) {
      throw new UsageException(flag + " must be at least 1");
    }
    return Duration.ofSeconds(s);
  }

  /** The guard file the chart mounts; reading it is this edge's job, parsing the control logic's. */
  private static GuardConfig readGuard(Path file) {
    try {
      return GuardConfig.parse(java.nio.file.Files.readString(file), file.toString());
    } catch (java.io.IOException e) {
      throw new UsageException("cannot read the guard file '" + file + "': " + e.getMessage());
    }
  }
}
