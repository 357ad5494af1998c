package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A ScanPolicy's desired state; each concern is its own small record. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.timeZone) || has(self.schedule)", message = "timeZone applies to a schedule: give spec.schedule too")
@ValidationRule(value = Patterns.PORTS_ORDERED, message = "spec.ports: a port range runs from low to high, e.g. 8000-9000")
public record ScanPolicySpec(
    @Required @Size(min = 3, max = 1024)
        @JsonPropertyDescription("Why this scan runs; recorded in every report (an audit needs the reason).")
        String purpose,
    @JsonPropertyDescription("Who asked for the scan (a person or team).") String requestedBy,
    @JsonPropertyDescription("The ticket or approval under which the scan runs.") String approval,
    @Required @JsonPropertyDescription("What may be probed: CIDRs and cluster selectors, minus excludes.")
        TargetsSpec targets,
    @Required @Pattern(Patterns.PORTS) @Size(max = Patterns.PORTS_MAX_LENGTH)
        @JsonPropertyDescription("TCP ports and ranges, each 1-65535, e.g. 22,80,443,8000-9000.")
        String ports,
    @Min(1) @Max(10_000_000) @Default(Defaults.RATE_TEXT)
        @JsonPropertyDescription("Probes per second for the whole run, across all scanners (default 1000).")
        Long rate,
    @Min(0) @Max(10) @Default(Defaults.RETRIES_TEXT)
        @JsonPropertyDescription("Extra probes for targets that have not answered (default 1).")
        Integer retries,
    @Min(0) @Max(600) @Default(Defaults.WAIT_SECONDS_TEXT)
        @JsonPropertyDescription("Seconds to wait for late replies after the last probe (default 3).")
        Integer waitSeconds,
    @Pattern(Patterns.CRON) @Size(max = 256)
        @JsonPropertyDescription("Cron schedule (five fields, in timeZone, UTC by default), as a CronJob's. Without it the"
            + " policy runs once per change of its spec.")
        String schedule,
    @Pattern(Patterns.TIME_ZONE) @Size(max = 64)
        @JsonPropertyDescription("The IANA time zone the schedule is read in, e.g. Europe/Berlin (default UTC), as a CronJob's.")
        String timeZone,
    @Default("false") @JsonPropertyDescription("Start no new runs while true.") Boolean suspend,
    @Default("Forbid")
        @JsonPropertyDescription("Forbid (default): never two runs of this policy at a time. Allow: overlapping runs.")
        ConcurrencyPolicy concurrencyPolicy,
    @JsonPropertyDescription("Validation probes on open ports (on by default).") ValidationSpec validation,
    @JsonPropertyDescription("What may be exposed; every other open port is a violation.") ExpectationsSpec expectations,
    @JsonPropertyDescription("Which scanner agents take part.") ScannersSpec scanners,
    @JsonPropertyDescription("The vantage point: the scanner agents on the nodes (default) or a pod with given labels.")
        SourceSpec source,
    @JsonPropertyDescription("Where results go besides ScanReports (OpenReports).") ReportingSpec reporting,
    @Min(1) @Max(100) @Default(Defaults.HISTORY_LIMIT_TEXT)
        @JsonPropertyDescription("Completed runs to keep (default 5); older reports are deleted.")
        Integer historyLimit) {

  /** Whether runs of one policy may overlap. */
  public enum ConcurrencyPolicy {
    Forbid,
    Allow
  }

  public long rateOrDefault() {
    return rate == null ? Defaults.RATE : rate;
  }

  public int retriesOrDefault() {
    return retries == null ? Defaults.RETRIES : retries;
  }

  public int waitSecondsOrDefault() {
    return waitSeconds == null ? Defaults.WAIT_SECONDS : waitSeconds;
  }

  public int historyLimitOrDefault() {
    return historyLimit == null ? Defaults.HISTORY_LIMIT : historyLimit;
  }

  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  /** The schedule's time zone, UTC when none is given. */
  public String timeZoneOrDefault() {
    return timeZone == null || timeZone.isBlank() ? "UTC" : timeZone;
  }

  public ReportingSpec reportingOrDefault() {
    return reporting == null ? new ReportingSpec(null) : reporting;
  }

  public boolean validationEnabled() {
    return validation == null || validation.enabled() == null || validation.enabled();
  }
}
