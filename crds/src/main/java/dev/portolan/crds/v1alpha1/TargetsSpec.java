package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/** The scope: CIDRs and cluster selectors, minus excludes (excludes always win). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(has(self.cidrs) && size(self.cidrs) > 0) || has(self.nodes) || has(self.services) || has(self.pods)",
    message = "targets needs at least one of cidrs, nodes, services or pods")
public record TargetsSpec(
    @Size(max = 256)
        @JsonPropertyDescription("IPv4 addresses, CIDRs or ranges (198.18.0.1-198.18.0.9). A pod CIDR is the usual scope: "
            + "every address is named by the workload that owns it when the run starts.")
        List<@Pattern(Patterns.TARGET) @Size(max = Patterns.TARGET_MAX_LENGTH) String> cidrs,
    @Size(max = 1024)
        @JsonPropertyDescription("Never probed, whatever else says so.")
        List<@Pattern(Patterns.TARGET) @Size(max = Patterns.TARGET_MAX_LENGTH) String> exclude,
    @JsonPropertyDescription("Nodes whose labels match: their InternalIP addresses are scanned (name ExternalIPs in cidrs to scan them).") Selector nodes,
    @JsonPropertyDescription("Services (in namespace, labels matching): their cluster, external and load-balancer IPs are scanned.")
        Selector services,
    @JsonPropertyDescription("Pods (in namespace, labels matching): their pod IPs are scanned.") Selector pods) {

  /**
   * Objects by namespace (empty: the policy's own; "*": all) and labels: {@code matchLabels} and
   * {@code matchExpressions}, as a Kubernetes label selector (both must hold).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Selector(
      @Pattern(Patterns.NAMESPACE_OR_ALL)
          @JsonPropertyDescription("The namespace (default: the policy's own; \"*\": every namespace). Ignored for nodes.")
          String namespace,
      @JsonPropertyDescription("Labels the objects must carry.") Map<String, String> matchLabels,
      @Size(max = 32) @JsonPropertyDescription("Set-based requirements (In, NotIn, Exists, DoesNotExist), as in a LabelSelector.")
          List<LabelSelectorRequirement> matchExpressions) {

    public Selector(String namespace, Map<String, String> matchLabels) {
      this(namespace, matchLabels, null);
    }

    /** The namespace selected: the policy's for an empty one, null (every namespace) for "*". */
    public String namespaceFor(String policyNamespace) {
      if (namespace == null || namespace.isBlank()) {
        return policyNamespace;
      }
      return "*".equals(namespace) ? null : namespace;
    }
  }

  public List<String> cidrsOrEmpty() {
    return cidrs == null ? List.of() : cidrs;
  }

  public List<String> excludeOrEmpty() {
    return exclude == null ? List.of() : exclude;
  }

  /** Whether any cluster selector is set (those need a cluster, or a snapshot of one). */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean selectsClusterObjects() {
    return nodes != null || services != null || pods != null;
  }
}
