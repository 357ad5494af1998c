package dev.portolan.scanner.control;

import dev.portolan.crds.v1alpha1.ExpectationsSpec;
import dev.portolan.crds.v1alpha1.ScanPolicySpec;
import dev.portolan.crds.v1alpha1.TargetsSpec;
import java.util.List;
import java.util.Map;

/** Policy specs for the control tests: valid by default, one field changed per test. */
final class Policies {
  private String purpose = "Quarterly segmentation check of the lab network";
  private TargetsSpec targets = new TargetsSpec(List.of("10.0.0.0/24"), null, null, null, null);
  private String ports = "22,80,443";
  private Long rate;
  private Integer waitSeconds;
  private String schedule;
  private ExpectationsSpec expectations;

  static Policies policy() {
    return new Policies();
  }

  Policies purpose(String purpose) {
    this.purpose = purpose;
    return this;
  }

  Policies cidrs(String... cidrs) {
    targets = new TargetsSpec(List.of(cidrs), targets == null ? null : targets.exclude(), null, null, null);
    return this;
  }

  Policies exclude(String... exclude) {
    targets = new TargetsSpec(targets == null ? null : targets.cidrs(), List.of(exclude), null, null, null);
    return this;
  }

  /** Targets given only by a cluster selector: the addresses come from the cluster. */
  Policies selectorOnly() {
    targets =
        new TargetsSpec(
            null,
            targets == null ? null : targets.exclude(),
            null,
            new TargetsSpec.Selector("shop", Map.of("app", "web")),
            null);
    return this;
  }

  Policies targets(TargetsSpec targets) {
    this.targets = targets;
    return this;
  }

  Policies ports(String ports) {
    this.ports = ports;
    return this;
  }

  Policies rate(Long rate) {
    this.rate = rate;
    return this;
  }

  Policies waitSeconds(Integer waitSeconds) {
    this.waitSeconds = waitSeconds;
    return this;
  }

  Policies schedule(String schedule) {
    this.schedule = schedule;
    return this;
  }

  Policies expectations(ExpectationsSpec expectations) {
    this.expectations = expectations;
    return this;
  }

  ScanPolicySpec build() {
    return new ScanPolicySpec(
        purpose, "platform-security", "SEC-1234", targets, ports, rate, null, waitSeconds, schedule,
        null, null, null, expectations, null, null, null);
  }
}
