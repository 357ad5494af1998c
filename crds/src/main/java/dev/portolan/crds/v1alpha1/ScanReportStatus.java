package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Map;

/**
 * A run's progress and results. {@code shards} is a map keyed by shard index so that each agent
 * owns exactly its own entry (server-side apply treats map keys separately); everything else is
 * the operator's. Lists here are bounded: counts say how many there were in all.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScanReportStatus(
    @JsonPropertyDescription("Pending, Running, Succeeded, PartiallySucceeded or Failed.") RunPhase phase,
    String message,
    Long observedGeneration,
    String startTime,
    String completionTime,
    @JsonPropertyDescription("Per shard (by index): the agent's progress, written by that agent only.")
        Map<String, ShardStatus> shards,
    ReportSummary summary,
    @JsonPropertyDescription("Findings (on a main report: all of them when few; the rest are in its ScanReportPages).")
        List<Finding> findings,
    @JsonPropertyDescription("Names of the ScanReportPages that hold this run's findings.") List<String> pages,
    Diff diff,
    @JsonPropertyDescription("Open ports that no expectation allows (bounded; summary.violations counts all).")
        List<Violation> violations,
    @JsonPropertyDescription("Ports the expectations allow and a workload declares, that did not answer (bounded).")
        List<BrokenPath> brokenPaths,
    @JsonPropertyDescription("How the run's addresses were resolved to the cluster's objects, and what changed owner since.")
        TargetIndex index,
    List<Condition> conditions) {

  public static ScanReportStatus empty() {
    return new ScanReportStatus(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** One agent's shard. {@code position} is the resume index: every probe before it was sent. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ShardStatus(
      String node,
      RunPhase phase,
      Long position,
      Long total,
      Long probesSent,
      Long open,
      Long closed,
      Long filtered,
      Long findings,
      Integer pages,
      Integer attempts,
      String startTime,
      String updateTime,
      String completionTime,
      String message,
      @JsonPropertyDescription("How this shard found open ports: Syn (raw SYN probes) or Connect (TCP connects).")
          String discovery) {

    public ShardStatus(
        String node, RunPhase phase, Long position, Long total, Long probesSent, Long open, Long closed, Long filtered,
        Long findings, Integer pages, Integer attempts, String startTime, String updateTime, String completionTime,
        String message) {
      this(node, phase, position, total, probesSent, open, closed, filtered, findings, pages, attempts, startTime,
          updateTime, completionTime, message, null);
    }
  }

  /** The run in numbers, bounded whatever its size. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ReportSummary(
      Long targets,
      Long probesSent,
      Long hosts,
      Long open,
      Long closed,
      Long filtered,
      Map<String, Long> byService,
      Long violations,
      Long newExposures,
      Long closedExposures,
      Double durationSeconds,
      Double rate,
      @JsonPropertyDescription("The run's duration as kubectl prints one, e.g. 4m12s.") String duration,
      @JsonPropertyDescription("How open ports were found: Syn, Connect, or both when shards differed.") String discovery,
      @JsonPropertyDescription("Open ports whose address no cluster object owned at probe time.") Long unattributed,
      @JsonPropertyDescription("Ports allowed and declared by a workload that did not answer.") Long brokenPaths,
      @JsonPropertyDescription("Open ports per workload kind (Deployment, StatefulSet, Node, ...).") Map<String, Long> byWorkloadKind) {

    public ReportSummary(
        Long targets, Long probesSent, Long hosts, Long open, Long closed, Long filtered, Map<String, Long> byService,
        Long violations, Long newExposures, Long closedExposures, Double durationSeconds, Double rate) {
      this(targets, probesSent, hosts, open, closed, filtered, byService, violations, newExposures, closedExposures,
          durationSeconds, rate, null, null, null, null, null);
    }
  }

  /** A validated open port (or a watched port's silence), with the evidence and what owns the address. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Finding(
      String ip,
      Integer port,
      String service,
      String product,
      String version,
      String extraInfo,
      List<String> cpe,
      String confidence,
      String evidence,
      Tls tls,
      String os,
      String node,
      String time,
      @JsonPropertyDescription("The cluster object that owned the address at probe time (added by the operator).") Target target,
      @JsonPropertyDescription("open (default), or closed/filtered for a port a workload declares and policy allows.")
          String state) {
    public static final String CLOSED = "closed";
    public static final String FILTERED = "filtered";

    public Finding(
        String ip, Integer port, String service, String product, String version, String extraInfo, List<String> cpe,
        String confidence, String evidence, Tls tls, String os, String node, String time) {
      this(ip, port, service, product, version, extraInfo, cpe, confidence, evidence, tls, os, node, time, null, null);
    }

    public String key() {
      return ip + ":" + port;
    }

    /** Whether the port answered as open (every finding but a watched port's silence or reset). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isOpen() {
      return state == null || "open".equals(state);
    }

    public Finding withTarget(Target t) {
      return new Finding(ip, port, service, product, version, extraInfo, cpe, confidence, evidence, tls, os, node, time, t, state);
    }
  }

  /**
   * What owns an address: a Pod (with the workload that owns it and the Services in front of it), a
   * Service, or a Node; as resolved when the run started ({@code resolvedAt}), checked against every
   * ownership change seen during the run.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Target(
      @JsonPropertyDescription("Pod, Service or Node.") String kind,
      String namespace,
      String name,
      String uid,
      @JsonPropertyDescription("A pod on its node's network: the address is the node's.") Boolean hostNetwork,
      @JsonPropertyDescription("The workload that owns the pod (Deployment, StatefulSet, DaemonSet, Job, CronJob...).")
          WorkloadRef workload,
      @JsonPropertyDescription("Services in front of the pod (namespace/name), from EndpointSlices.") List<String> services,
      @JsonPropertyDescription("The node the pod runs on.") String node,
      @JsonPropertyDescription("The object's labels, only the keys the allow-list names.") Map<String, String> labels,
      @JsonPropertyDescription("The container that declares the port, and the port's name.") String container,
      String portName,
      @JsonPropertyDescription("When the address was resolved to this object.") String resolvedAt,
      @JsonPropertyDescription("Exact, or Uncertain when the address changed owner near the probe time (see note).")
          String attribution,
      String note) {
    public static final String EXACT = "Exact";
    public static final String UNCERTAIN = "Uncertain";

    /** "Deployment shop/web", "Pod shop/web-7d4b9-x2x", "Node node-a": how a person names it. */
    public String describe() {
      if (workload != null) {
        return workload.kind() + " " + (namespace == null ? "" : namespace + "/") + workload.name();
      }
      return kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }

    public Target withAttribution(String attribution, String note, String resolvedAt) {
      return new Target(kind, namespace, name, uid, hostNetwork, workload, services, node, labels, container, portName,
          resolvedAt, attribution, note);
    }
  }

  /** A workload by kind and name (in the target's namespace). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record WorkloadRef(String kind, String name) {}

  /** TLS details of a finding, in brief. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Tls(
      String protocol, String cipher, String subject, String issuer, List<String> sans, String notAfter,
      Boolean selfSigned, String problems) {}

  /** What changed since the policy's previous completed run. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Diff(String previousReport, List<Endpoint> added, List<Endpoint> removed, Long addedCount, Long removedCount) {}

  /** An address and port, with the service seen there and what owns it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Endpoint(String ip, Integer port, String service, String target) {
    public Endpoint(String ip, Integer port, String service) {
      this(ip, port, service, null);
    }
  }

  /** An open port that no expectation allows: what it is, what owns it, and why nothing allows it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Violation(
      String ip,
      Integer port,
      String service,
      @JsonPropertyDescription("Why nothing allows it, in words.") String reason,
      Target target,
      @JsonPropertyDescription("The expectation that came nearest to allowing it.") String rule,
      @JsonPropertyDescription("NetworkPolicies that isolate the target and should have blocked this (namespace/name).")
          List<String> networkPolicies,
      Severity severity) {
    public Violation(String ip, Integer port, String service, String reason) {
      this(ip, port, service, reason, null, null, null, null);
    }
  }

  /** A port a workload declares and the expectations allow, that did not answer from this vantage point. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record BrokenPath(String ip, Integer port, String state, Target target, String reason) {}

  /** The run's address index: when it was resolved, its size, and the ownership changes seen since. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TargetIndex(
      String resolvedAt,
      @JsonPropertyDescription("Addresses of the scope that a cluster object owned.") Long entries,
      @JsonPropertyDescription("ScanReportPages that hold the index.") List<String> pages,
      @JsonPropertyDescription("Addresses whose owner changed during the run, with the window the change happened in.")
          List<AddressChange> changes,
      @JsonPropertyDescription("Changes seen but not listed (the list is bounded); findings after the first are Uncertain.")
          Long changesDropped,
      @JsonPropertyDescription("The latest time the operator compared the index with the cluster.") String checkedAt,
      @JsonPropertyDescription("Where the cluster's objects came from: the API server, or a snapshot file.") String source) {}

  /** Address {@code ip} went from {@code previous} to {@code current} some time in (after, before]. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AddressChange(String ip, String previous, String current, String after, String before) {}
}
