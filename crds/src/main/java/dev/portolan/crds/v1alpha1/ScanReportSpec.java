package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * What a run is, frozen when it starts: the policy and run it belongs to, the audit record, the
 * resolved scope and the shard plan. A page carries only {@code policy}, {@code run}, {@code
 * pageOf}, {@code page} and {@code shard}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScanReportSpec(
    @JsonPropertyDescription("The policy this run belongs to.") String policy,
    @JsonPropertyDescription("The run's name (the main report's name).") String run,
    @JsonPropertyDescription("For a page: the main report it belongs to.") String pageOf,
    @JsonPropertyDescription("For a page: its number within its shard, from 1.") Integer page,
    @JsonPropertyDescription("For a page: the shard whose findings it holds.") Integer shard,
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
          String discovery) {
    public static final String SYN = "Syn";
    public static final String CONNECT = "Connect";

    /** The pre-discovery constructor: raw SYN probes. */
    public ScopeSnapshot(
        List<String> cidrs, List<String> exclude, String ports, Long addresses, Long probes, Long seed, Long rate,
        Integer retries, Integer waitSeconds, ValidationSpec validation, ExpectationsSpec expectations) {
      this(cidrs, exclude, ports, addresses, probes, seed, rate, retries, waitSeconds, validation, expectations, null);
    }

    /** Whether the run must find open ports by TCP connects. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean connectOnly() {
      return CONNECT.equals(discovery);
    }
  }

  /** One shard of the run: which agent scans it, at which share of the rate. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ShardAssignment(Integer index, Integer count, String node, Long rate) {}
}
