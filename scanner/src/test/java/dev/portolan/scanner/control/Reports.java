package dev.portolan.scanner.control;

import dev.portolan.crds.v1alpha1.ExpectationsSpec;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportSpec;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ScopeSnapshot;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Tls;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Findings, shard progress and ScanReports (main reports and pages) for the control tests. */
final class Reports {
  static final String NAMESPACE = "scans";
  static final String POLICY = "lab-segmentation";
  static final String RUN = "lab-segmentation-g4";

  private Reports() {}

  /** An open port as discovery reports it: no identification yet. */
  static Finding bare(String ip, int port) {
    return new Finding(ip, port, null, null, null, null, null, null, null, null, null, "node-a", "2024-05-01T11:00:00Z");
  }

  static Finding finding(String ip, int port, String service) {
    return new Finding(ip, port, service, null, null, null, null, "7", null, null, null, "node-a", "2024-05-01T11:00:00Z");
  }

  /** A fully identified finding, as validation leaves it. */
  static Finding identified(String ip, int port, String service, String product, String version) {
    return new Finding(
        ip, port, service, product, version, "protocol 2.0", List.of("cpe:/a:openbsd:openssh:" + version), "10",
        "SSH-2.0-OpenSSH_" + version, null, "Linux", "node-a", "2024-05-01T11:00:00Z");
  }

  /** A heavy finding: long evidence and TLS details with many names. */
  static Finding heavy(String ip, int port, int evidenceChars) {
    List<String> sans = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      sans.add("svc-" + i + ".shop.svc.cluster.local");
    }
    Tls tls =
        new Tls(
            "TLSv1.3", "TLS_AES_256_GCM_SHA384", "CN=" + ip, "CN=cluster-ca", sans, "2025-05-01T00:00:00Z", false, null);
    return new Finding(
        ip, port, "https", "nginx", "1.25.3", "TLS", List.of("cpe:/a:f5:nginx:1.25.3"), "10",
        "H".repeat(evidenceChars), tls, "Linux", "node-a", "2024-05-01T11:00:00Z");
  }

  /** The n-th address of 10.0.0.0/8 (n < 2^24). */
  static String address(int n) {
    return "10." + ((n >> 16) & 0xff) + "." + ((n >> 8) & 0xff) + "." + (n & 0xff);
  }

  static List<ShardAssignment> plan(int shards) {
    List<ShardAssignment> out = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      out.add(new ShardAssignment(i, shards, "node-" + (char) ('a' + i), 1000L / shards));
    }
    return out;
  }

  static ScopeSnapshot scope(ExpectationsSpec expectations, Long probes) {
    return new ScopeSnapshot(
        List.of("10.0.0.0/16"), GuardConfig.DEFAULT_EXCLUDED, "22,80,443", 65_536L, probes, 12345L, 1000L, 1, 3, null,
        expectations);
  }

  /** The main report of a run. */
  static ScanReport main(List<ShardAssignment> plan, ScopeSnapshot scope) {
    ScanReport r = new ScanReport();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName(RUN)
            .withNamespace(NAMESPACE)
            .withGeneration(1L)
            .withLabels(Map.of(ScanReport.POLICY_LABEL, POLICY, ScanReport.RUN_LABEL, RUN))
            .build());
    r.setSpec(new ScanReportSpec(POLICY, RUN, null, null, null, null, scope, plan));
    return r;
  }

  static ScanReport main(List<ShardAssignment> plan) {
    return main(plan, scope(null, 196_608L));
  }

  /** A page of the run holding {@code findings}. */
  static ScanReport page(int shard, int number, List<Finding> findings) {
    String name = RunNames.page(RUN, shard, number);
    ScanReport p = new ScanReport();
    p.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(NAMESPACE)
            .withGeneration(1L)
            .withLabels(
                Map.of(ScanReport.POLICY_LABEL, POLICY, ScanReport.RUN_LABEL, RUN, ScanReport.PAGE_LABEL, "true"))
            .build());
    p.setSpec(new ScanReportSpec(POLICY, RUN, RUN, number, shard, null, null, null));
    p.setStatus(
        new ScanReportStatus(null, null, null, null, null, null, null, findings, null, null, null, null));
    return p;
  }

  static ShardStatus shard(String phase) {
    return shard(phase, null, null);
  }

  static ShardStatus shard(String phase, String start, String completion) {
    return new ShardStatus(
        "node-a", phase, 0L, 196_608L, 0L, 0L, 0L, 0L, 0L, 0, 1, start, null, completion, null);
  }

  static ShardStatus shard(
      String node, String phase, long probes, long closed, long filtered, String start, String completion, String message) {
    return new ShardStatus(
        node, phase, probes, probes, probes, 0L, closed, filtered, 0L, 0, 1, start, null, completion, message);
  }
}
