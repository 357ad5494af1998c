package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import java.util.List;

/** One page of a run: findings of a shard, or entries of the run's address index. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScanReportPageSpec(
    @JsonPropertyDescription("The policy the run belongs to.") String policy,
    @JsonPropertyDescription("The run (its ScanReport's name).") String run,
    @JsonPropertyDescription("Findings or Targets.") String contents,
    @JsonPropertyDescription("For findings: the shard they come from.") Integer shard,
    @JsonPropertyDescription("Its number, from 1, within its shard (findings) or the index.") Integer page,
    @JsonPropertyDescription("How many findings or index entries it holds.") Integer count,
    List<Finding> findings,
    List<IndexEntry> targets,
    @JsonPropertyDescription("When the operator last named the owner of each finding's address here.") String attributedAt) {
  public static final String FINDINGS = "Findings";
  public static final String TARGETS = "Targets";

  /**
   * An address of the run's scope and what owned it from a time on. The index a run starts with
   * has one entry per owned address and no {@code changedAfter}/{@code changedBefore}; when the
   * operator sees an address change owner during the run it appends an entry (with a null target
   * when nothing owns it any more), and the change happened in (changedAfter, changedBefore]. The
   * owner at a probe's time is the entry in force then; within a change's window it is uncertain.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record IndexEntry(
      String ip,
      Target target,
      @JsonPropertyDescription("Ports declared on this address (a pod's containers), or owned by something else than the"
          + " address's owner (a host-network pod, a hostPort, a NodePort).")
          List<PortOwner> ports,
      @JsonPropertyDescription("What the NetworkPolicies let the run's vantage point reach here.") NetworkVerdict network,
      @JsonPropertyDescription("The expectations (by position in allowed, from 0) whose workload selectors select the owner.")
          List<Integer> rules,
      @JsonPropertyDescription("For an ownership change: the latest time the previous owner was seen.") String changedAfter,
      @JsonPropertyDescription("For an ownership change: when the new owner was seen.") String changedBefore) {

    public IndexEntry(String ip, Target target, List<PortOwner> ports, NetworkVerdict network) {
      this(ip, target, ports, network, null, null, null);
    }
  }

  /**
   * A port of an address: the container that declares it and its name, and, when it is not the
   * address's own owner (a host-network pod or a hostPort on a node, a NodePort), what answers there.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PortOwner(
      Integer port, String container, String portName, Target target,
      @JsonPropertyDescription("For a port owner of its own: the expectations whose workload selectors select it.")
          List<Integer> rules) {

    public PortOwner(Integer port, String container, String portName, Target target) {
      this(port, container, portName, target, null);
    }
  }

  /**
   * The NetworkPolicy verdict for the run's vantage point: the TCP ports it may reach here (both
   * the target's ingress and the source's egress allow them), and the policies that isolate either
   * side, with a declared listener's ports.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record NetworkVerdict(
      @JsonPropertyDescription("TCP ports the policies allow from the vantage point (empty: none; absent: all).")
          String allowedPorts,
      @JsonPropertyDescription("Policies selecting the target for ingress (namespace/name).") List<String> ingressIsolatedBy,
      @JsonPropertyDescription("Policies selecting the source for egress (namespace/name).") List<String> egressIsolatedBy,
      @JsonPropertyDescription("Why, for the ports allowed, in words.") String allowedBy,
      @JsonPropertyDescription("TCP ports the target's containers declare.") String declaredPorts) {}
}
