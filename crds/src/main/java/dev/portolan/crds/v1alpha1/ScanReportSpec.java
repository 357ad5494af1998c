package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * What a run is, frozen when it starts: the policy and run it belongs to, the audit record, the
 * resolved scope and the shard plan.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScanReportSpec(
    @JsonPropertyDescription("The policy this run belongs to.") String policy,
    @JsonPropertyDescription("The run's name (the report's own).") String run,
    AuditRecord audit,
    ScopeSnapshot scope,
    List<ShardAssignment> shards) {

  /** Everything a defender's audit needs to know about why and how the run happened. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AuditRecord(
      String purpose,
      String requestedBy,
      String approval,
      Long policyGeneration,
      String policySpecHash,
      String trigger,
      GuardSnapshot guard,
      String engineVersion,
      String createdBy,
      String createdAt) {}

  /** The scan guard in force when the run was planned. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record GuardSnapshot(
      List<String> allowedCidrs, List<String> alwaysExcluded, Long maxRatePerPolicy, Long maxRatePerNode) {}

  /** The resolved scope: cluster selectors turned into addresses, guard excludes added. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ScopeSnapshot(
      List<String> cidrs,
      List<String> exclude,
      String ports,
      Long addresses,
      Long probes,
      Long seed,
      Long rate,
      Integer retries,
      Integer waitSeconds,
      ValidationSpec validation,
      ExpectationsSpec expectations,
      @JsonPropertyDescription("How open ports are found: Syn (raw SYN probes, the default) or Connect (TCP"
          + " connects: Service cluster IPs are virtual and answer only through the node's own NAT).")
          String discovery,
      @JsonPropertyDescription("Ports (ip:port) a workload declares and the expectations allow: the agents report"
          + " them also when they do not answer, so a blocked path is seen.")
          List<String> watch,
      @JsonPropertyDescription("Where the probes come from, as NetworkPolicies see it.") Vantage vantage,
      @JsonPropertyDescription("When the scope's addresses were resolved to the cluster's objects (the run's index).")
          String resolvedAt) {
    public static final String SYN = "Syn";
    public static final String CONNECT = "Connect";

    /** The pre-discovery constructor: raw SYN probes. */
    public ScopeSnapshot(
        List<String> cidrs, List<String> exclude, String ports, Long addresses, Long probes, Long seed, Long rate,
        Integer retries, Integer waitSeconds, ValidationSpec validation, ExpectationsSpec expectations) {
      this(cidrs, exclude, ports, addresses, probes, seed, rate, retries, waitSeconds, validation, expectations, null, null, null,
          null);
    }

    /** Whether the run must find open ports by TCP connects. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean connectOnly() {
      return CONNECT.equals(discovery);
    }

    public List<String> watchOrEmpty() {
      return watch == null ? List.of() : watch;
    }
  }

  /**
   * The vantage point: a pod (its namespace and labels: what NetworkPolicies select it by) or the
   * nodes (host network: pod ingress policies select no node, but ipBlocks may name node addresses).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Vantage(
      @JsonPropertyDescription("Pod or Node.") String kind,
      String namespace,
      java.util.Map<String, String> labels,
      @JsonPropertyDescription("The labels of the pod's namespace, as namespaceSelectors see them.")
          java.util.Map<String, String> namespaceLabels,
      @JsonPropertyDescription("The source addresses probes leave from, when known (for ipBlock rules).") List<String> addresses) {
    public static final String POD = "Pod";
    public static final String NODE = "Node";
  }

  /** One shard of the run: which agent scans it, at which share of the rate. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ShardAssignment(Integer index, Integer count, String node, Long rate) {}
}
