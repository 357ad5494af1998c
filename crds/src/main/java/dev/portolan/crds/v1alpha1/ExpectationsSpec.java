package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * What may be exposed. An open port matching no {@code allowed} rule is a violation; with no
 * rules at all, every open port is one (a segmentation test: "nothing may be reachable").
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExpectationsSpec(
    @JsonPropertyDescription("Exposures that are expected; everything else that is open is a violation.")
        @Size(max = 256) List<ExposureRule> allowed) {

  /** Open ports that are fine: on these addresses (any when empty), ports, and services (any when empty). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ExposureRule(
      @JsonPropertyDescription("What this rule allows, in words.") String description,
      @JsonPropertyDescription("Addresses the rule covers (all of the scope when empty).")
          @Size(max = 256) List<@Pattern(Patterns.TARGET) @Size(max = Patterns.TARGET_MAX_LENGTH) String> cidrs,
      @Pattern(Patterns.PORTS) @JsonPropertyDescription("Ports the rule covers, e.g. 443 or 8000-8100.") String ports,
      @JsonPropertyDescription("Service names allowed there (e.g. https); any when empty.")
          @Size(max = 64) List<@Size(max = 64) String> services) {}
}
