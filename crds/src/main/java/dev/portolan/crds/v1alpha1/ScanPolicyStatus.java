package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** What the operator last concluded about a policy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScanPolicyStatus(
    Long observedGeneration,
    List<Condition> conditions,
    Workload workload,
    RunSummary lastRun,
    String nextRunTime,
    String activeRun) {

  /** The size of the work, known before the first run. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Workload(Long addresses, Long ports, Long probes, Long expectedSeconds) {}

  /** The latest completed run, in brief. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RunSummary(
      String report, RunPhase phase, String startTime, String completionTime, Long open, Long violations,
      Long newExposures, String result) {}
}
