package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Required;

/**
 * A condition as Kubernetes conventions have it: CamelCase type and reason, a sentence for a
 * person, the generation it speaks of, and when its status last changed. Lists of conditions are
 * list maps keyed by {@code type} (set by the build, dev.portolan.crds.build.CrdPostProcessing), so
 * server-side apply merges them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Condition(
    @Required String type, @Required String status, String reason, String message, Long observedGeneration,
    String lastTransitionTime) {
  /** The condition Argo CD's and Flux's health checks read. */
  public static final String READY = "Ready";

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isTrue() {
    return "True".equals(status);
  }
}
