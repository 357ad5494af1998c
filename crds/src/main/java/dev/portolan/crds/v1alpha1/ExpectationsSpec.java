package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/**
 * What may be exposed. An open port matching no {@code allowed} rule is a violation; with no
 * rules at all, every open port is one (a segmentation test: "nothing may be reachable"). With
 * {@code fromNetworkPolicies}, the cluster's NetworkPolicies say what the run's vantage point may
 * reach, and every open port they deny is a violation too.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExpectationsSpec(
    @JsonPropertyDescription("Exposures that are expected; everything else that is open is a violation.")
        @Size(max = 128) List<ExposureRule> allowed,
    @JsonPropertyDescription("Derive what may be reached from the cluster's networking.k8s.io/v1 NetworkPolicies, for this"
        + " run's vantage point (its source pod, or the node): an open port they deny is a violation (the CNI does not"
        + " enforce them), a declared port they allow that does not answer is a broken path.")
        Boolean fromNetworkPolicies,
    @JsonPropertyDescription("Severity of a violation whose rule names none (default medium).") Severity severity) {

  public ExpectationsSpec(List<ExposureRule> allowed) {
    this(allowed, null, null);
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean derivedFromNetworkPolicies() {
    return Boolean.TRUE.equals(fromNetworkPolicies);
  }

  /**
   * Open ports that are fine. Every field given must hold (an empty rule allows everything): the
   * address is in {@code cidrs}; the port in {@code ports}; the service name in {@code services};
   * the workload at the address is a pod matching {@code podSelector} in a namespace matching
   * {@code namespaceSelector} (a podSelector alone means the policy's own namespace, as in a
   * NetworkPolicy); it is, or is behind, {@code service}; it is a node (or a host-network pod on a
   * node) matching {@code nodeSelector}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "!has(self.service) || has(self.service.name) || has(self.service.selector)",
      message = "service needs a name or a selector")
  @ValidationRule(value = "!has(self.ports) || " + Patterns.PORTS_ORDERED, message = "ports: a port range runs from low to high, e.g. 8000-9000")
  public record ExposureRule(
      @JsonPropertyDescription("What this rule allows, in words.") @Size(max = 256) String description,
      @JsonPropertyDescription("Addresses the rule covers (all of the scope when empty).")
          @Size(max = 256) List<@Pattern(Patterns.TARGET) @Size(max = Patterns.TARGET_MAX_LENGTH) String> cidrs,
      @Pattern(Patterns.PORTS) @Size(max = Patterns.RULE_PORTS_MAX_LENGTH)
          @JsonPropertyDescription("Ports the rule covers, e.g. 443 or 8000-8100 (for a service rule, default: the Service's ports).")
          String ports,
      @JsonPropertyDescription("Service names allowed there (e.g. https); any when empty.")
          @Size(max = 64) List<@Size(max = 64) String> services,
      @JsonPropertyDescription("Namespaces (by label) of the pods the rule allows; {} is every namespace.")
          LabelSelector namespaceSelector,
      @JsonPropertyDescription("Pods (by label) the rule allows; alone, in the policy's own namespace.") LabelSelector podSelector,
      @JsonPropertyDescription("A Service whose addresses, and the pods behind it, the rule allows.") ServiceRef service,
      @JsonPropertyDescription("Nodes (by label) whose addresses, and host-network pods, the rule allows.") LabelSelector nodeSelector,
      @JsonPropertyDescription("Severity of what this rule would have allowed, when it is the nearest rule of a violation.")
          Severity severity) {

    /** A rule by addresses, ports and service names only. */
    public ExposureRule(String description, List<String> cidrs, String ports, List<String> services) {
      this(description, cidrs, ports, services, null, null, null, null, null);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean selectsWorkloads() {
      return namespaceSelector != null || podSelector != null || service != null || nodeSelector != null;
    }
  }

  /** A Service by name, or Services by labels, in a namespace (default: the policy's own). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ServiceRef(
      @Pattern(Patterns.NAMESPACE_OR_ALL) @JsonPropertyDescription("Its namespace (default the policy's; \"*\": any).")
          String namespace,
      @Pattern(Patterns.NAME) @Size(max = 253) @JsonPropertyDescription("Its name.") String name,
      @JsonPropertyDescription("Or Services by label.") LabelSelector selector) {}
}
