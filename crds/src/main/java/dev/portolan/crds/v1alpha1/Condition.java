package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A condition as Kubernetes conventions have it: CamelCase type and reason, a sentence for a
 * person, the generation it speaks of, and when its status last changed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Condition(
    String type, String status, String reason, String message, Long observedGeneration, String lastTransitionTime) {
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isTrue() {
    return "True".equals(status);
  }
}
