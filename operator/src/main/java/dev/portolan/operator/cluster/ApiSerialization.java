package dev.portolan.operator.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The JSON mapping of the API types, one for every client and patch of the operator, so that what
 * the operator writes and what it reads back agree (the API types keep their helper methods out
 * of JSON with {@code @JsonIgnore}).
 */
public final class ApiSerialization {
  private ApiSerialization() {}

  /** A plain mapper for the patches the operator writes itself. */
  public static ObjectMapper jsonMapper() {
    return new ObjectMapper();
  }

  /** The serialization a fabric8 client is built with. */
  public static KubernetesSerialization create() {
    return new KubernetesSerialization(jsonMapper(), true);
  }
}
