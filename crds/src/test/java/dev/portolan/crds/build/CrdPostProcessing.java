package dev.portolan.crds.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A build step (exec:java, after the CRD generator) for what fabric8's generator cannot say:
 * <ul>
 *   <li>printer columns in the order the {@code @AdditionalPrinterColumn} annotations are declared,
 *       which is the order kubectl shows (the generator sorts them by JSON path, which puts Age
 *       first and splits what belongs together);
 *   <li>every {@code conditions} list a list map keyed by {@code type}
 *       ({@code x-kubernetes-list-type: map}), as Kubernetes' own conditions are, so two field
 *       managers can own one condition each and server-side apply merges the list.
 * </ul>
 * Arguments: the generated CRD directory, then CLASS=FILE pairs.
 */
public final class CrdPostProcessing {
  private CrdPostProcessing() {}

  public static void main(String[] args) throws IOException, ClassNotFoundException {
    Path dir = Path.of(args[0]);
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory()
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
        .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));
    for (int i = 1; i < args.length; i++) {
      String[] pair = args[i].split("=", 2);
      Class<?> type = Class.forName(pair[0]);
      Path file = dir.resolve(pair[1]);
      List<String> order = new ArrayList<>();
      for (AdditionalPrinterColumn c : type.getAnnotationsByType(AdditionalPrinterColumn.class)) {
        order.add(c.name());
      }
      String text = Files.readString(file);
      ObjectNode crd = (ObjectNode) yaml.readTree(text);
      for (var version : crd.path("spec").path("versions")) {
        if (!(version.get("additionalPrinterColumns") instanceof ArrayNode columns)) {
          continue;
        }
        List<ObjectNode> sorted = new ArrayList<>();
        columns.forEach(c -> sorted.add((ObjectNode) c));
        sorted.sort((a, b) -> Integer.compare(order.indexOf(a.path("name").asText()), order.indexOf(b.path("name").asText())));
        columns.removeAll();
        sorted.forEach(columns::add);
      }
      for (var version : crd.path("spec").path("versions")) {
        conditionsAsListMaps(version.path("schema").path("openAPIV3Schema"));
      }
      Files.writeString(file, yaml.writeValueAsString(crd));
    }
  }

  /** Marks every array property named conditions whose items have a type as a list map keyed by it. */
  private static void conditionsAsListMaps(com.fasterxml.jackson.databind.JsonNode schema) {
    if (!(schema.get("properties") instanceof ObjectNode properties)) {
      if (schema.get("items") != null) {
        conditionsAsListMaps(schema.get("items"));
      }
      return;
    }
    properties.properties().forEach(p -> {
      if (p.getKey().equals("conditions") && p.getValue() instanceof ObjectNode c && "array".equals(c.path("type").asText())
          && c.path("items").path("properties").has("type")) {
        c.put("x-kubernetes-list-type", "map");
        c.putArray("x-kubernetes-list-map-keys").add("type");
      } else {
        conditionsAsListMaps(p.getValue());
      }
    });
  }
}
