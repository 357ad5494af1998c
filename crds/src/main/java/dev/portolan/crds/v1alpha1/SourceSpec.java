package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/**
 * The vantage point. {@code Agents}: the scanner DaemonSet on the nodes (host network). {@code Pod}:
 * a pod the operator starts for the run, without host network, in the given namespace with the given
 * labels, so NetworkPolicies apply to it exactly as to a workload with those labels: a segmentation
 * test of what that workload can reach.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.type != 'Pod' || has(self.pod)", message = "source type Pod needs source.pod (namespace and labels)")
public record SourceSpec(
    @JsonPropertyDescription("Agents (default) or Pod.") Type type,
    @JsonPropertyDescription("The pod to scan from, for type Pod.") PodSource pod) {

  /** Where probes come from. */
  public enum Type {
    Agents,
    Pod
  }

  /** A pod in {@code namespace} carrying {@code labels}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PodSource(
      @io.fabric8.generator.annotation.Pattern(Patterns.NAMESPACE) @JsonPropertyDescription("The pod's namespace (default: the policy's own).")
          String namespace,
      @JsonPropertyDescription("The labels the pod carries, so NetworkPolicies select it as they would the workload.")
          Map<String, String> labels) {}
}
