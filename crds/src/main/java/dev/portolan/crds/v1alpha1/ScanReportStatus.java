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
    @JsonPropertyDescription("Findings (on a page: that page's; on a main report: all of them when few).")
        List<Finding> findings,
    @JsonPropertyDescription("Names of the pages that hold this run's findings.") List<String> pages,
    Diff diff,
    @JsonPropertyDescription("Open ports that no expectation allows (bounded; summary.violations counts all).")
        List<Violation> violations,
    List<Condition> conditions) {

  public static ScanReportStatus empty() {
    return new ScanReportStatus(null, null, null, null, null, null, null, null, null, null, null, null);
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
      String message) {}

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
      Double rate) {}

  /** A validated open port, with the evidence that validated it. */
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
      String time) {
    public String key() {
      return ip + ":" + port;
    }
  }

  /** TLS details of a finding, in brief. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Tls(
      String protocol, String cipher, String subject, String issuer, List<String> sans, String notAfter,
      Boolean selfSigned, String problems) {}

  /** What changed since the policy's previous completed run. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Diff(String previousReport, List<Endpoint> added, List<Endpoint> removed, Long addedCount, Long removedCount) {}

  /** An address and port, with the service seen there. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Endpoint(String ip, Integer port, String service) {}

  /** An open port that no expectation allows. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Violation(String ip, Integer port, String service, String reason) {}
}
