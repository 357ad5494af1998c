package dev.portolan.operator;

import dev.portolan.control.UsageException;
import dev.portolan.control.guard.GuardConfig;
import dev.portolan.operator.cluster.SourcePodTemplate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the operator is told at start, checked once: a mistake here is the user's to fix
 * ({@link UsageException}: exit 2, one line), never a stack trace at the first reconcile.
 *
 * @param watchNamespaces namespaces whose policies are reconciled; empty means all
 * @param operatorNamespace where the scanner agents run and the leader lease lives
 * @param metricsPort port of /metrics, /healthz and /readyz; 0 picks a free one, -1 turns it off
 * @param leaderElection a Lease decides which replica reconciles (off for API servers without leases)
 * @param exitOnFatalError a replica that loses its lease, or whose informer fails for good, exits to be
 *     restarted clean (the safe default: a replica that may not lead stops reconciling at once)
 * @param serverSideApply JOSDK patches the policy status by server-side apply (off for fabric8's mock)
 * @param agentSelector labels of the scanner agent pods in {@code operatorNamespace}
 * @param staticAgentNodes when not empty, these nodes' agents are taken as ready and no pod is read
 *     (for API servers without the core API, such as a bare apiextensions-apiserver)
 * @param resync the longest time between two reconciles of a policy (cluster selectors re-read)
 * @param replanInterval how often a run without a shard plan looks for ready agents again
 * @param statusInterval how often a running run's status is aggregated from its pages at most (and
 *     at least), its index compared with the cluster; a shard's start or end is aggregated at once
 * @param targetLabelKeys the label keys a finding's target may carry (an allow-list, never all labels)
 * @param openReports finished runs write OpenReports Reports where the cluster serves them
 */
public record OperatorConfig(
    Set<String> watchNamespaces,
    String operatorNamespace,
    GuardConfig guard,
    int metricsPort,
    String metricsAddress,
    boolean leaderElection,
    String leaseName,
    String identity,
    LeaseTiming leaseTiming,
    boolean exitOnFatalError,
    boolean serverSideApply,
    Map<String, String> agentSelector,
    List<String> staticAgentNodes,
    SourcePodTemplate sourcePod,
    Duration resync,
    Duration replanInterval,
    Duration statusInterval,
    String engineVersion,
    List<String> targetLabelKeys,
    boolean openReports) {

  public static final Map<String, String> DEFAULT_AGENT_SELECTOR = Map.of("app.kubernetes.io/component", "scanner");
  public static final String DEFAULT_LEASE = "portolan-operator";

  /** How long a lease lasts, how long the leader may take to renew it, how often others retry. */
  public record LeaseTiming(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    public static final LeaseTiming DEFAULT = new LeaseTiming(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));

    public LeaseTiming {
      if (!(retryPeriod.compareTo(renewDeadline) < 0 && renewDeadline.compareTo(leaseDuration) < 0)) {
        throw new UsageException("lease timing: need retry period < renew deadline < lease duration");
      }
    }
  }

  public OperatorConfig {
    watchNamespaces = Set.copyOf(watchNamespaces);
    agentSelector = Map.copyOf(agentSelector);
    staticAgentNodes = List.copyOf(staticAgentNodes);
    targetLabelKeys = List.copyOf(targetLabelKeys);
    if (operatorNamespace == null || operatorNamespace.isBlank()) {
      throw new UsageException("the operator's namespace is unknown: give --namespace or set POD_NAMESPACE");
    }
    if (metricsPort < -1 || metricsPort > 65535) {
      throw new UsageException("--metrics-port must be 0-65535 (or -1 to turn the endpoint off), not " + metricsPort);
    }
    if (agentSelector.isEmpty() && staticAgentNodes.isEmpty()) {
      throw new UsageException("--agent-selector must name at least one label, or the operator would take every pod for an agent");
    }
    if (resync.isNegative() || resync.isZero() || replanInterval.isNegative() || replanInterval.isZero()
        || statusInterval.isNegative() || statusInterval.isZero()) {
      throw new UsageException("--resync-seconds, --replan-seconds and --status-seconds must be positive");
    }
  }

  public static Builder builder(String operatorNamespace) {
    return new Builder(operatorNamespace);
  }

  /** Parses "k=v,k2=v2" (a label selector of equalities only). */
  public static Map<String, String> parseLabels(String text, String what) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return labels;
    }
    for (String part : text.split(",")) {
      String[] kv = part.strip().split("=", -1);
      if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank() || kv[0].contains("!")) {
        throw new UsageException(what + ": '" + part.strip() + "' is not key=value (only equality selectors are accepted)");
      }
      labels.put(kv[0].strip(), kv[1].strip());
    }
    return labels;
  }

  /** The scanner build this operator ships with, recorded in every run's audit. */
  public static String bundledEngineVersion() {
    return dev.portolan.control.BuildInfo.version();
  }

  /** Defaults for everything but the operator's namespace. */
  public static final class Builder {
    private Set<String> watchNamespaces = Set.of();
    private final String operatorNamespace;
    private GuardConfig guard = GuardConfig.defaults();
    private int metricsPort = 8080;
    private String metricsAddress = "0.0.0.0";
    private boolean leaderElection = true;
    private String leaseName = DEFAULT_LEASE;
    private String identity;
    private LeaseTiming leaseTiming = LeaseTiming.DEFAULT;
    private boolean exitOnFatalError = true;
    private boolean serverSideApply = true;
    private Map<String, String> agentSelector = DEFAULT_AGENT_SELECTOR;
    private List<String> staticAgentNodes = List.of();
    private SourcePodTemplate sourcePod = SourcePodTemplate.defaults(bundledEngineVersion());
    private Duration resync = Duration.ofMinutes(5);
    private Duration replanInterval = Duration.ofSeconds(30);
    private Duration statusInterval = Duration.ofSeconds(10);
    private String engineVersion = bundledEngineVersion();
    private List<String> targetLabelKeys = dev.portolan.control.cluster.TargetLabels.DEFAULT_KEYS;
    private boolean openReports = true;

    private Builder(String operatorNamespace) {
      this.operatorNamespace = operatorNamespace;
    }

    public Builder watchNamespaces(Set<String> v) { watchNamespaces = v; return this; }
    public Builder guard(GuardConfig v) { guard = v; return this; }
    public Builder metricsPort(int v) { metricsPort = v; return this; }
    public Builder metricsAddress(String v) { metricsAddress = v; return this; }
    public Builder leaderElection(boolean v) { leaderElection = v; return this; }
    public Builder leaseName(String v) { leaseName = v; return this; }
    public Builder identity(String v) { identity = v; return this; }
    public Builder leaseTiming(LeaseTiming v) { leaseTiming = v; return this; }
    public Builder exitOnFatalError(boolean v) { exitOnFatalError = v; return this; }
    public Builder serverSideApply(boolean v) { serverSideApply = v; return this; }
    public Builder agentSelector(Map<String, String> v) { agentSelector = v; return this; }
    public Builder staticAgentNodes(List<String> v) { staticAgentNodes = v; return this; }
    public Builder sourcePod(SourcePodTemplate v) { sourcePod = v; return this; }
    public Builder resync(Duration v) { resync = v; return this; }
    public Builder replanInterval(Duration v) { replanInterval = v; return this; }
    public Builder statusInterval(Duration v) { statusInterval = v; return this; }
    public Builder engineVersion(String v) { engineVersion = v; return this; }
    public Builder targetLabelKeys(List<String> v) { targetLabelKeys = v; return this; }
    public Builder openReports(boolean v) { openReports = v; return this; }

    public OperatorConfig build() {
      String id = identity;
      if (id == null || id.isBlank()) {
        id = System.getenv("HOSTNAME");
      }
      if (id == null || id.isBlank()) {
        id = "portolan-operator-" + java.util.UUID.randomUUID();
      }
      return new OperatorConfig(
          watchNamespaces, operatorNamespace, guard, metricsPort, metricsAddress, leaderElection, leaseName, id,
          leaseTiming, exitOnFatalError, serverSideApply, agentSelector, staticAgentNodes, sourcePod, resync,
          replanInterval, statusInterval, engineVersion, targetLabelKeys, openReports);
    }
  }
}
