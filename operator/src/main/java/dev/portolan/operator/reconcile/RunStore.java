package dev.portolan.operator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portolan.control.run.FindingPages;
import dev.portolan.control.run.RunNames;
import dev.portolan.control.run.RunSpecs;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.IndexEntry;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.operator.cluster.ApiSerialization;
import dev.portolan.operator.cluster.SourcePods;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The writes the reconcilers make to ScanReports, each safe to repeat: a run is created under its
 * deterministic name (409 means it exists: success), deleted with its pages and source pod, planned
 * under optimistic locking (a concurrent planner makes this one fail and retry), and its status is
 * patched with the operator's fields only.
 */
public final class RunStore {
  private static final ObjectMapper JSON = ApiSerialization.jsonMapper();
  private static final Set<String> AGENT_FIELDS = Set.of("shards");

  private final KubernetesClient client;
  private final SourcePods sourcePods;

  public RunStore(KubernetesClient client, SourcePods sourcePods) {
    this.client = client;
    this.sourcePods = sourcePods;
  }

  /** Creates the run's main report; returns what the server holds under that name. */
  public ScanReport create(ScanReport report) {
    var reports = client.resources(ScanReport.class).inNamespace(report.getMetadata().getNamespace());
    try {
      return reports.resource(report).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      ScanReport existing = reports.withName(report.getMetadata().getName()).get();
      if (existing == null) {
        throw e;
      }
      return existing;
    }
  }

  /**
   * Deletes a run: its pages first (a real API server without a garbage collector would keep
   * them forever), then its source pod, then the main report, so a failure part way leaves the
   * main report to retry from.
   */
  public void delete(ScanReport run) {
    String ns = run.getMetadata().getNamespace();
    client.resources(ScanReportPage.class).inNamespace(ns)
        .withLabel(ScanReport.RUN_LABEL, runName(run))
        .delete();
    SourcePods.of(run).ifPresent(ref -> sourcePods.delete(ref[0], ref[1]));
    client.resources(ScanReport.class).inNamespace(ns).withName(run.getMetadata().getName()).delete();
  }

  /**
   * Writes the run's address index as Targets pages owned by the run (the owner of every address
   * at the run's start); creating a page that exists (a retry) keeps it.
   */
  public void createIndex(ScanReport run, List<IndexEntry> entries) {
    List<List<IndexEntry>> chunks = FindingPages.splitAny(entries);
    for (int i = 0; i < chunks.size(); i++) {
      create(RunSpecs.indexPage(run, i + 1, chunks.get(i)));
    }
  }

  /** Appends ownership changes seen during the run as one more Targets page, after the {@code existing} ones. */
  public void appendIndex(ScanReport run, int existing, List<IndexEntry> changes) {
    List<List<IndexEntry>> chunks = FindingPages.splitAny(changes);
    for (int i = 0; i < chunks.size(); i++) {
      create(RunSpecs.indexPage(run, existing + i + 1, chunks.get(i)));
    }
  }

  private void create(ScanReportPage page) {
    try {
      client.resource(page).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  /** At most this many pages per list response: each response stays a few MiB however large the run. */
  static final int PAGES_PER_LIST = 20;

  /**
   * A run's pages (findings and index), read from the API server in bounded chunks. The operator
   * keeps no cache of pages: it reads a run's when it aggregates the run, and lets them go.
   */
  public List<ScanReportPage> pages(String namespace, String run) {
    List<ScanReportPage> all = new java.util.ArrayList<>();
    String next = null;
    // Each answer names the next chunk; a run has a bounded number of pages, and so does this loop.
    for (int chunk = 0; chunk < 100_000; chunk++) {
      var list = client.resources(ScanReportPage.class).inNamespace(namespace).withLabel(ScanReport.RUN_LABEL, run)
          .list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit((long) PAGES_PER_LIST).withContinue(next).build());
      all.addAll(list.getItems());
      next = list.getMetadata() == null ? null : list.getMetadata().getContinue();
      if (next == null || next.isEmpty()) {
        return all;
      }
    }
    throw new IllegalStateException("run " + namespace + "/" + run + " lists more pages than any run can hold");
  }

  /** The run's name, by which its pages are labelled. */
  static String runName(ScanReport report) {
    return report.getSpec() != null && report.getSpec().run() != null ? report.getSpec().run() : report.getMetadata().getName();
  }

  /** The object a patch of {@code report} is sent to (no GET first). */
  private static ScanReport reference(ScanReport report) {
    return ScanReport.reference(report.getMetadata().getNamespace(), report.getMetadata().getName());
  }

  /** Replaces a findings page's findings with the same findings named by their owners. */
  public void attribute(ScanReportPage page, List<Finding> findings, java.time.Instant at) {
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode spec = patch.putObject("spec");
    spec.set("findings", JSON.valueToTree(findings));
    spec.put("attributedAt", at.toString());
    try {
      client.resource(ScanReportPage.reference(page.getMetadata().getNamespace(), page.getMetadata().getName()))
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  /** Sets the shard plan of a run that had none, if nobody changed the report since it was read. */
  public Optional<ScanReport> plan(ScanReport report, List<ShardAssignment> shards) {
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata");
    metadata.put("resourceVersion", report.getMetadata().getResourceVersion());
    // Each agent watches the runs labelled with its node.
    metadata.set("labels", JSON.valueToTree(RunNames.nodeLabels(shards.stream().map(ShardAssignment::node).toList())));
    patch.putObject("spec").set("shards", JSON.valueToTree(shards));
    try {
      return Optional.of(client.resource(reference(report))
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString()));
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      return Optional.empty();
    }
  }

  /**
   * Adds the node labels a run's plan implies and it lacks (a run planned before agents watched by
   * label): without them its agents would never see it.
   */
  public void labelNodes(ScanReport report) {
    Map<String, String> want = RunNames.nodeLabels(report.getSpec().shards().stream().map(ShardAssignment::node).toList());
    Map<String, String> have = report.getMetadata().getLabels() == null ? Map.of() : report.getMetadata().getLabels();
    if (have.entrySet().containsAll(want.entrySet())) {
      return;
    }
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("metadata").set("labels", JSON.valueToTree(want));
    try {
      client.resource(reference(report)).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  /**
   * Writes the operator's part of a run's status: what differs from {@code report}'s, never the
   * agents' {@code shards}.
   *
   * @return the report as written, or empty when nothing was (no change, or the report is gone)
   */
  public Optional<ScanReport> writeStatus(ScanReport report, Object desired) {
    var write = StatusPatch.of(report.getStatus(), desired, AGENT_FIELDS);
    if (write.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(client.resource(reference(report)).subresource("status")
          .patch(PatchContext.of(write.get().type()), write.get().body().toString()));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return Optional.empty(); // the run was deleted (pruned) meanwhile: nothing left to describe
      }
      throw e;
    }
  }
}
