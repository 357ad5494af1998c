package dev.portolan.operator.support;

import dev.portolan.crds.v1alpha1.ExpectationsSpec;
import dev.portolan.crds.v1alpha1.ExpectationsSpec.ExposureRule;
import dev.portolan.crds.v1alpha1.ReportingSpec;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicySpec;
import dev.portolan.crds.v1alpha1.ScanPolicySpec.ConcurrencyPolicy;
import dev.portolan.crds.v1alpha1.ScannersSpec;
import dev.portolan.crds.v1alpha1.SourceSpec;
import dev.portolan.crds.v1alpha1.TargetsSpec;
import java.util.List;
import java.util.Map;

/** ScanPolicies for the tests: valid by default (a small private scope), one concern changed per call. */
public final class PolicyBuilder {
  private final String name;
  private final String namespace;
  private String purpose = "Segmentation check of the payment network";
  private TargetsSpec targets = new TargetsSpec(List.of("10.20.0.0/30"), null, null, null, null);
  private String ports = "22,80,443";
  private Long rate = 100L;
  private String schedule;
  private String timeZone;
  private ReportingSpec reporting;
  private Boolean suspend;
  private ConcurrencyPolicy concurrency;
  private ExpectationsSpec expectations;
  private ScannersSpec scanners;
  private SourceSpec source;
  private Integer historyLimit;

  private PolicyBuilder(String name, String namespace) {
    this.name = name;
    this.namespace = namespace;
  }

  public static PolicyBuilder policy(String name, String namespace) {
    return new PolicyBuilder(name, namespace);
  }

  public PolicyBuilder purpose(String v) { purpose = v; return this; }
  public PolicyBuilder cidrs(String... v) { targets = new TargetsSpec(List.of(v), targets.exclude(), targets.nodes(), targets.services(), targets.pods()); return this; }
  public PolicyBuilder targets(TargetsSpec v) { targets = v; return this; }
  public PolicyBuilder ports(String v) { ports = v; return this; }
  public PolicyBuilder rate(long v) { rate = v; return this; }
  public PolicyBuilder schedule(String v) { schedule = v; return this; }
  public PolicyBuilder timeZone(String v) { timeZone = v; return this; }
  public PolicyBuilder suspend(boolean v) { suspend = v; return this; }
  public PolicyBuilder concurrency(ConcurrencyPolicy v) { concurrency = v; return this; }
  public PolicyBuilder historyLimit(int v) { historyLimit = v; return this; }
  public PolicyBuilder scanners(Map<String, String> nodeSelector, Integer maxShards) { scanners = new ScannersSpec(nodeSelector, maxShards); return this; }
  public PolicyBuilder sourcePod(String namespace, Map<String, String> labels) {
    source = new SourceSpec(SourceSpec.Type.Pod, new SourceSpec.PodSource(namespace, labels));
    return this;
  }

  /** Only {@code ports} may be open (any address, any service). */
  public PolicyBuilder reporting(ReportingSpec v) { reporting = v; return this; }

  public PolicyBuilder allow(String ports) {
    expectations = new ExpectationsSpec(List.of(new ExposureRule("what the payment network serves", null, ports, null)));
    return this;
  }

  public ScanPolicySpec spec() {
    return new ScanPolicySpec(purpose, "platform-security", "SEC-1234", targets, ports, rate, 1, 1, schedule, timeZone, suspend,
        concurrency, null, expectations, scanners, source, reporting, historyLimit);
  }

  public ScanPolicy build() {
    ScanPolicy p = new ScanPolicy();
    p.getMetadata().setName(name);
    p.getMetadata().setNamespace(namespace);
    p.setSpec(spec());
    return p;
  }
}
