package dev.portolan.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portolan.operator.cluster.ApiSerialization;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The write that turns one status into another, naming only the top-level fields that differ and
 * never those another writer owns (a run's {@code shards}, written by the agents). Computed
 * against what was read: a field someone edited by hand is put back, one the operator no longer
 * sets is removed, and a key an agent wrote since is left alone because it is not named.
 *
 * <p>A status that does not exist yet is written with a JSON merge patch (it creates {@code
 * status} without touching keys an agent may be adding at the same moment); an existing one with
 * a JSON Patch of whole-field {@code add}/{@code remove} operations, which replaces lists exactly
 * (fabric8's mock appends lists given in a merge patch, unlike a real API server).
 */
public final class StatusPatch {
  private static final ObjectMapper JSON = ApiSerialization.jsonMapper();

  /** A patch body and its type. */
  public record Write(PatchType type, JsonNode body) {}

  private StatusPatch() {}

  /** The write to make, or empty when the status is already as desired. */
  public static Optional<Write> of(Object current, Object desired, Set<String> othersFields) {
    ObjectNode to = JSON.valueToTree(desired);
    othersFields.forEach(to::remove);
    if (current == null) {
      if (to.isEmpty()) {
        return Optional.empty();
      }
      ObjectNode merge = JsonNodeFactory.instance.objectNode();
      merge.set("status", to);
      return Optional.of(new Write(PatchType.JSON_MERGE, merge));
    }
    ObjectNode from = JSON.valueToTree(current);
    othersFields.forEach(from::remove);
    ArrayNode ops = JsonNodeFactory.instance.arrayNode();
    for (Map.Entry<String, JsonNode> e : from.properties()) {
      if (!to.has(e.getKey())) {
        ops.addObject().put("op", "remove").put("path", "/status/" + e.getKey());
      }
    }
    for (Map.Entry<String, JsonNode> e : to.properties()) {
      if (!e.getValue().equals(from.get(e.getKey()))) {
        ops.addObject().put("op", "add").put("path", "/status/" + e.getKey()).set("value", e.getValue());
      }
    }
    return ops.isEmpty() ? Optional.empty() : Optional.of(new Write(PatchType.JSON, ops));
  }
}
