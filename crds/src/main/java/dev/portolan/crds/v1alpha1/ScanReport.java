package dev.portolan.crds.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One run of a policy: the frozen scope, the audit record, the shard plan and progress, and a
 * bounded summary, diff and violation list. Its findings and address index live in
 * {@link ScanReportPage}s labelled with the run, so no object nears etcd's size limit however many
 * ports are open.
 */
@Group(ScanPolicy.GROUP)
@Version(ScanPolicy.VERSION)
@Plural("scanreports")
@ShortNames({"scanreport", "srep"})
@Categories("portolan")
@AdditionalPrinterColumn(name = "Policy", jsonPath = ".spec.policy", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Open", jsonPath = ".status.summary.open", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Violations", jsonPath = ".status.summary.violations", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "New", jsonPath = ".status.summary.newExposures", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Duration", jsonPath = ".status.summary.duration", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Discovery", jsonPath = ".status.summary.discovery", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ScanReport extends CustomResource<ScanReportSpec, ScanReportStatus> implements Namespaced {
  private static final long serialVersionUID = 1L;

  /** Label on every report and page of a policy: the policy's name. */
  public static final String POLICY_LABEL = "portolan.dev/policy";

  /** Label on a run's report and all its pages: the run's name. */
  public static final String RUN_LABEL = "portolan.dev/run";

  /** Label on pages: what they hold (Findings or Targets). */
  public static final String CONTENTS_LABEL = "portolan.dev/contents";

  /**
   * A report that carries its name and nothing else: the object to patch by. fabric8 GETs the whole
   * object before a patch by name ({@code withName(n).patch(...)}); patching this reference sends
   * the patch alone.
   */
  public static ScanReport reference(String namespace, String name) {
    ScanReport r = new ScanReport();
    r.getMetadata().setNamespace(namespace);
    r.getMetadata().setName(name);
    return r;
  }
}
