package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where a policy's results go besides its ScanReports. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReportingSpec(
    @JsonPropertyDescription("OpenReports (openreports.io/v1alpha1 Report), read by Policy Reporter.") OpenReports openReports) {

  /** One Report per namespace per run, when the OpenReports CRD is installed. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record OpenReports(
      @JsonPropertyDescription("Write Reports for this policy (default true, when the cluster serves the CRD).") Boolean enabled,
      @JsonPropertyDescription("Also list allowed exposures, as pass results (default false).") Boolean passes) {}

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean openReportsEnabled() {
    return openReports == null || openReports.enabled() == null || openReports.enabled();
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean openReportPasses() {
    return openReports != null && Boolean.TRUE.equals(openReports.passes());
  }
}
