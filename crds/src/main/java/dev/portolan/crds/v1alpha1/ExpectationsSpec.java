package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * What may be exposed. An open port matching no {@code allowed} rule is a violation; with no
 * rules at all, every open port is one (a segmentation test: "nothing may be reachable").
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExpectationsSpec(
    @JsonPropertyDescription("Exposures that are expected; everything else that is open is a violation.")
        List<ExposureRule> allowed) {

  /** Open ports that are fine: on these addresses (any when empty), ports, and services (any when empty). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "!has(self.cidrs) || " + Patterns.ALL_CIDRS,
      message = "each entry of cidrs must be an IPv4 address, CIDR or range")
  public record ExposureRule(
      @JsonPropertyDescription("What this rule allows, in words.") String description,
      @JsonPropertyDescription("Addresses the rule covers (all of the scope when empty).")
          List<String> cidrs,
      @Pattern(Patterns.PORTS) @JsonPropertyDescription("Ports the rule covers, e.g. 443 or 8000-8100.") String ports,
      @JsonPropertyDescription("Service names allowed there (e.g. https); any when empty.") List<String> services) {}
}
