package dev.portolan.control.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.portolan.control.guard.GuardConfig;
import dev.portolan.control.guard.GuardDecision;
import dev.portolan.control.target.AddressRange;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanPolicySpec;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.IndexEntry;
import dev.portolan.crds.v1alpha1.ScanReportSpec.AuditRecord;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ScopeSnapshot;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportSpec;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Builds the objects of a run: the main report, whose spec freezes everything the run is (scope,
 * seed, rate, shard plan, audit record), and the pages that hold its findings.
 */
public final class RunSpecs {
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private RunSpecs() {}

  /** What starts a run and who records it. */
  public record Trigger(String reason, String createdBy, String engineVersion) {}

  /**
   * The main report of a run named {@code run} for {@code policy}, accepted by the guard as
   * {@code decision}, planned as {@code shards}.
   */
  public static ScanReport mainReport(
      ScanPolicy policy, String run, GuardDecision.Accepted decision, GuardConfig guard,
      List<ShardAssignment> shards, long seed, Trigger trigger, Instant now) {
    return mainReport(policy, run, decision, guard, shards, seed, trigger, now, RunResolution.none(null));
  }

  /** As above, with the run's addresses resolved against the cluster (its vantage and watched ports). */
  public static ScanReport mainReport(
      ScanPolicy policy, String run, GuardDecision.Accepted decision, GuardConfig guard,
      List<ShardAssignment> shards, long seed, Trigger trigger, Instant now, RunResolution resolution) {
    ScanPolicySpec spec = policy.getSpec();
    ScopeSnapshot scope =
        new ScopeSnapshot(
            decision.scope().hosts().ranges().stream().map(AddressRange::toString).toList(),
            decision.scope().excluded().ranges().stream().map(AddressRange::toString).toList(),
            decision.ports().toString(),
            decision.workload().addresses(),
            decision.workload().probes(),
            seed,
            spec.rateOrDefault(),
            spec.retriesOrDefault(),
            spec.waitSecondsOrDefault(),
            spec.validation(),
            spec.expectations(),
            // A Service's cluster IP is answered only through the node's NAT, which raw frames skip.
            spec.targets() != null && spec.targets().services() != null ? ScopeSnapshot.CONNECT : ScopeSnapshot.SYN,
            resolution.watch().isEmpty() ? null : resolution.watch(),
            resolution.vantage(),
            resolution.resolvedAt() == null ? null : resolution.resolvedAt().toString());
    AuditRecord audit =
        new AuditRecord(
            spec.purpose(),
            spec.requestedBy(),
            spec.approval(),
            policy.getMetadata().getGeneration(),
            specHash(spec),
            trigger.reason(),
            guard.snapshot(),
            trigger.engineVersion(),
            trigger.createdBy(),
            now.toString());
    ScanReport report = new ScanReport();
    report.setMetadata(meta(policy, run, run, RunNames.nodeLabels(shards.stream().map(ShardAssignment::node).toList())));
    report.setSpec(new ScanReportSpec(policy.getMetadata().getName(), run, audit, scope, shards));
    return report;
  }

  /** Page {@code page} (from 1) of shard {@code shard}'s findings in the run {@code main}. */
  public static ScanReportPage page(ScanReport main, int shard, int page, List<Finding> findings) {
    String run = main.getSpec().run();
    ScanReportPage p = new ScanReportPage();
    p.setMetadata(pageMeta(main, RunNames.page(run, shard, page), ScanReportPageSpec.FINDINGS));
    p.setSpec(new ScanReportPageSpec(main.getSpec().policy(), run, ScanReportPageSpec.FINDINGS, shard, page,
        findings == null ? 0 : findings.size(),
        findings, null, null));
    return p;
  }

  /** Page {@code page} (from 1) of the run's address index. */
  public static ScanReportPage indexPage(ScanReport main, int page, List<IndexEntry> entries) {
    String run = main.getSpec().run();
    ScanReportPage p = new ScanReportPage();
    p.setMetadata(pageMeta(main, RunNames.indexPage(run, page), ScanReportPageSpec.TARGETS));
    p.setSpec(new ScanReportPageSpec(main.getSpec().policy(), run, ScanReportPageSpec.TARGETS, null, page, entries.size(),
        null, entries, null));
    return p;
  }

  /** A page's metadata: labelled with its policy, run and contents, owned by the run's report. */
  private static ObjectMeta pageMeta(ScanReport main, String name, String contents) {
    ObjectMeta meta = new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(main.getMetadata().getNamespace())
        .withLabels(Map.of(
            ScanReport.POLICY_LABEL, main.getSpec().policy(),
            ScanReport.RUN_LABEL, main.getSpec().run(),
            ScanReport.CONTENTS_LABEL, contents))
        .build();
    if (main.getMetadata().getUid() != null) {
      meta.setOwnerReferences(List.of(new OwnerReferenceBuilder()
          .withApiVersion(main.getApiVersion()).withKind(main.getKind())
          .withName(main.getMetadata().getName()).withUid(main.getMetadata().getUid())
          .build()));
    }
    return meta;
  }

  private static ObjectMeta meta(ScanPolicy policy, String name, String run, Map<String, String> extra) {
    java.util.Map<String, String> labels = new java.util.HashMap<>(extra);
    labels.put(ScanReport.POLICY_LABEL, policy.getMetadata().getName());
    labels.put(ScanReport.RUN_LABEL, run);
    ObjectMetaBuilder b = new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(policy.getMetadata().getNamespace())
        .withLabels(labels);
    if (policy.getMetadata().getUid() != null) {
      b.withOwnerReferences(new OwnerReferenceBuilder()
          .withApiVersion(policy.getApiVersion()).withKind(policy.getKind())
          .withName(policy.getMetadata().getName()).withUid(policy.getMetadata().getUid())
          .withController(true).withBlockOwnerDeletion(true)
          .build());
    }
    return b.build();
  }

  /** SHA-256 of the spec's canonical JSON: proves later which exact spec a run ran under. */
  public static String specHash(ScanPolicySpec spec) {
    try {
      Object tree = CANONICAL.readValue(CANONICAL.writeValueAsBytes(spec), Object.class);
      return "sha256:" + RunNames.hash(CANONICAL.writeValueAsString(tree));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String json(Object o) {
    try {
      return CANONICAL.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
