package dev.portolan.crds.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** What to scan, why, how fast, when, and what exposure is expected. */
@Group(ScanPolicy.GROUP)
@Version(ScanPolicy.VERSION)
@Plural("scanpolicies")
@ShortNames({"scanpolicy", "spol"})
@Categories("portolan")
@AdditionalPrinterColumn(name = "Accepted", jsonPath = ".status.conditions[?(@.type==\"Accepted\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Schedule", jsonPath = ".spec.schedule", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Suspended", jsonPath = ".spec.suspend", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Last result", jsonPath = ".status.lastRun.result", type = AdditionalPrinterColumn.Type.STRING)
// A string: kubectl prints a date column as the time since, which for a future time reads <invalid>.
@AdditionalPrinterColumn(name = "Next run", jsonPath = ".status.nextRunTime", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ports", jsonPath = ".spec.ports", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Scope", jsonPath = ".spec.targets.cidrs", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ScanPolicy extends CustomResource<ScanPolicySpec, ScanPolicyStatus> implements Namespaced {
  public static final String GROUP = "portolan.dev";
  public static final String VERSION = "v1alpha1";
  private static final long serialVersionUID = 1L;
}
