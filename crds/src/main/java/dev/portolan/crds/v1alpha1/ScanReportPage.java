package dev.portolan.crds.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Part of one run's data, kept apart from its ScanReport so no object nears etcd's size limit and
 * {@code kubectl get scanreports} lists runs only: the findings of one shard (written by its agent,
 * the owner of each address added by the operator), or part of the run's address index (written by
 * the operator when the run starts). Data, not desired state: there is no status.
 */
@Group(ScanPolicy.GROUP)
@Version(ScanPolicy.VERSION)
@Plural("scanreportpages")
@ShortNames({"scanreportpage", "srpage"})
@AdditionalPrinterColumn(name = "Run", jsonPath = ".spec.run", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Contents", jsonPath = ".spec.contents", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Shard", jsonPath = ".spec.shard", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Page", jsonPath = ".spec.page", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Items", jsonPath = ".spec.count", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ScanReportPage extends CustomResource<ScanReportPageSpec, Void> implements Namespaced {
  private static final long serialVersionUID = 1L;

  /** A page that carries its name and nothing else: the object to patch by, as {@link ScanReport#reference}. */
  public static ScanReportPage reference(String namespace, String name) {
    ScanReportPage p = new ScanReportPage();
    p.getMetadata().setNamespace(namespace);
    p.getMetadata().setName(name);
    return p;
  }
}
