package dev.portolan.operator;

import dev.portolan.control.guard.Guard;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.operator.cluster.AgentDirectory;
import dev.portolan.control.cluster.TargetLabels;
import dev.portolan.operator.cluster.ClusterCache;
import dev.portolan.operator.cluster.PodAgentDirectory;
import dev.portolan.operator.cluster.LeaseRelease;
import dev.portolan.operator.cluster.OpenReportsWriter;
import dev.portolan.operator.cluster.PolicyEvents;
import dev.portolan.operator.cluster.SourcePods;
import dev.portolan.operator.metrics.MetricsServer;
import dev.portolan.operator.metrics.PortolanMetrics;
import dev.portolan.operator.plan.RunFactory;
import dev.portolan.operator.reconcile.RunStore;
import dev.portolan.operator.reconcile.ScanPolicyReconciler;
import dev.portolan.operator.reconcile.ScanReportReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One operator replica: the two reconcilers on a java-operator-sdk {@link Operator}, leader
 * election (only the replica holding the Lease reconciles; the others keep their caches warm) and
 * the metrics endpoint. The same assembly runs in production ({@link OperatorMain}) and in the
 * integration tests, which give it the mock API server's client and a clock they control.
 */
public final class PortolanOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PortolanOperator.class);

  private final OperatorConfig config;
  private final Operator operator;
  private final PortolanMetrics metrics = new PortolanMetrics();
  private final ScanPolicyReconciler policies;
  private final AtomicBoolean leading = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final ClusterCache cluster;
  private final KubernetesClient client;
  private final Clock clock;
  private MetricsServer metricsServer;

  public PortolanOperator(OperatorConfig config, KubernetesClient client, Clock clock) {
    this.config = config;
    this.client = client;
    this.clock = clock;
    this.operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          // Our own status writes go into the cache even when an agent's write arrived meanwhile
          // (resource versions compared as the numbers etcd makes them).
          .withParseResourceVersions(true)
          .withUseSSAToPatchPrimaryResource(config.serverSideApply())
          .withSSABasedCreateUpdateMatchForDependentResources(config.serverSideApply());
      if (!config.exitOnFatalError()) {
        o.withInformerStoppedHandler((informer, error) -> {
          if (error != null) {
            LOG.error("Informer {} stopped: {}", informer, error.getMessage());
          }
        });
      }
      if (config.leaderElection()) {
        var t = config.leaseTiming();
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(
            config.leaseName(), config.operatorNamespace(), t.leaseDuration(), t.renewDeadline(), t.retryPeriod(),
            config.identity(), new LeaderCallbacks(this::startedLeading, this::stoppedLeading, this::newLeader),
            // JOSDK would call System.exit from the lease thread, even during an orderly stop; we exit ourselves.
            false));
      }
    });
    AgentDirectory agents = config.staticAgentNodes().isEmpty()
        ? new PodAgentDirectory(client, config.operatorNamespace(), config.agentSelector())
        : AgentDirectory.fixed(config.staticAgentNodes());
    SourcePods sourcePods = new SourcePods(client);
    RunStore store = new RunStore(client, sourcePods);
    PolicyEvents events = new PolicyEvents(client, "portolan-operator", config.identity(), clock);
    cluster = new ClusterCache(client, config.staticAgentNodes().isEmpty());
    TargetLabels labels = new TargetLabels(config.targetLabelKeys());
    var openReports = new OpenReportsWriter(client, clock, config.openReports());
    policies = new ScanPolicyReconciler(new ScanPolicyReconciler.Dependencies(
        new Guard(config.guard()), cluster, labels, agents,
        new RunFactory(config.guard(), config.engineVersion(), new SecureRandom()), store, sourcePods,
        config.sourcePod(), events, metrics, clock, config.resync(), openReports));
    var reports = new ScanReportReconciler(new ScanReportReconciler.Dependencies(
        client, agents, config.guard(), store, sourcePods, events, metrics, clock, config.replanInterval(),
        config.statusInterval(), cluster, labels, openReports));
    metrics.registerController(ScanPolicyReconciler.NAME);
    metrics.registerController(ScanReportReconciler.NAME);
    operator.register(policies, c -> watch(c));
    operator.register(reports, c -> watch(c).withGenerationAware(false));
  }

  private <R extends io.fabric8.kubernetes.api.model.HasMetadata> ControllerConfigurationOverrider<R> watch(
      ControllerConfigurationOverrider<R> c) {
    return config.watchNamespaces().isEmpty() ? c.watchingAllNamespaces() : c.settingNamespaces(config.watchNamespaces());
  }

  /** Starts the metrics endpoint, then the operator (which waits for its caches to fill). */
  public void start() {
    if (config.metricsPort() >= 0) {
      try {
        metricsServer = new MetricsServer(config.metricsAddress(), config.metricsPort(), this::scrape, this::isReady);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot serve metrics on port " + config.metricsPort(), e);
      }
      metricsServer.start();
    }
    // Runs are resolved against the cluster's objects: have them before the first reconcile.
    cluster.start(java.time.Duration.ofSeconds(60));
    operator.start();
    if (!config.leaderElection()) {
      leading.set(true);
    }
    LOG.info("Portolan operator {} started (leader election {}, server-side apply {})", config.identity(),
        config.leaderElection() ? "on" : "off", config.serverSideApply() ? "on" : "off");
  }

  public void stop() {
    stopping.set(true);
    boolean wasLeader = config.leaderElection() && leading.get();
    try {
      operator.stop();
      if (wasLeader) {
        LeaseRelease.release(client, config.operatorNamespace(), config.leaseName(), config.identity(), clock);
      }
    } finally {
      leading.set(false);
      cluster.close();
      if (metricsServer != null) {
        metricsServer.close();
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  public PortolanMetrics metrics() {
    return metrics;
  }

  /** The port /metrics is served on (useful when configured as 0). */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  /** Whether this replica reconciles now (always, without leader election). */
  public boolean isLeader() {
    return leading.get();
  }

  public boolean isReady() {
    return operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy() && cluster.synced();
  }

  private String scrape() {
    metrics.refresh(policies.states());
    return metrics.scrape();
  }

  private void startedLeading() {
    leading.set(true);
    LOG.info("{} leads: reconciling", config.identity());
  }

  private void stoppedLeading() {
    leading.set(false);
    if (stopping.get()) {
      return;
    }
    if (config.exitOnFatalError()) {
      LOG.error("{} lost the lease {}; exiting so that only the new leader reconciles", config.identity(), config.leaseName());
      Thread.ofPlatform().start(() -> System.exit(1));
    } else {
      LOG.warn("{} lost the lease {} and keeps running (exitOnFatalError is off)", config.identity(), config.leaseName());
    }
  }

  private void newLeader(String identity) {
    LOG.info("The leader is now {}", identity);
  }
}
