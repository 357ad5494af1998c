package dev.portolan.operator.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portolan.control.run.FindingPages;
import dev.portolan.control.run.RunSpecs;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.crds.v1alpha1.ScanReportStatus;
import dev.portolan.operator.cluster.ApiSerialization;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A scanner agent as the operator sees one, without a network: it writes its shard's entry of
 * {@code status.shards} with a JSON merge patch on the status subresource (touching its own key
 * only) and creates the run's pages of findings, exactly as the agent does.
 */
public final class FakeAgent {
  private static final ObjectMapper JSON = ApiSerialization.jsonMapper();

  private final KubernetesClient client;
  private final String namespace;

  public FakeAgent(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** Writes shard {@code index}'s progress. */
  public void report(String run, int index, ShardStatus shard) {
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("status").putObject("shards").set(Integer.toString(index), JSON.valueToTree(shard));
    client.resources(ScanReport.class).inNamespace(namespace).withName(run).subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
  }

  public void start(String run, int index, String node, long total) {
    Instant now = Instant.now();
    report(run, index, new ShardStatus(node, RunPhase.Running, 0L, total, 0L, 0L, 0L, 0L, 0L, 0, 1, now.toString(), now.toString(), null, null));
  }

  public void progress(String run, int index, String node, long position, long total, long sent) {
    report(run, index, new ShardStatus(node, RunPhase.Running, position, total, sent, 0L, 0L, 0L, 0L, 0, 1,
        Instant.now().minusSeconds(5).toString(), Instant.now().toString(), null, null));
  }

  /** Publishes the shard's findings as pages (at most 1,000 findings each) and returns their names. */
  public List<String> publish(String run, int index, List<Finding> findings) {
    ScanReport main = client.resources(ScanReport.class).inNamespace(namespace).withName(run).require();
    List<String> names = new ArrayList<>();
    List<List<Finding>> pages = FindingPages.split(findings);
    for (int i = 0; i < pages.size(); i++) {
      ScanReportPage page = RunSpecs.page(main, index, i + 1, pages.get(i));
      try {
        client.resources(ScanReportPage.class).inNamespace(namespace).resource(page).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
      names.add(page.getMetadata().getName());
    }
    return names;
  }

  /** Publishes the findings, then marks the shard Succeeded. */
  public void finish(String run, int index, String node, long total, List<Finding> findings) {
    List<String> pages = publish(run, index, findings);
    Instant now = Instant.now();
    report(run, index, new ShardStatus(node, RunPhase.Succeeded, total, total, total, (long) findings.size(), total - findings.size(),
        0L, (long) findings.size(), pages.size(), 1, now.minusSeconds(12).toString(), now.toString(), now.toString(), null));
  }

  public void fail(String run, int index, String node, String message) {
    Instant now = Instant.now();
    report(run, index, new ShardStatus(node, RunPhase.Failed, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0, 3,
        now.minusSeconds(3).toString(), now.toString(), now.toString(), message));
  }

  public static Finding finding(String ip, int port, String service) {
    return new Finding(ip, port, service, null, null, null, null, "8", "banner", null, null, "node-a", Instant.now().toString());
  }
}
