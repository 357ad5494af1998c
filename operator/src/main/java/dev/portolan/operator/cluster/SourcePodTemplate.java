package dev.portolan.operator.cluster;

import dev.portolan.control.UsageException;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How the operator starts the scanner pod of a Pod-sourced run: the image, the arguments
 * ({@code {node}} becomes the pod's name, the name its shard is assigned to; {@code {namespace}}
 * the run's namespace; {@code {run}} the run's name), the service account it runs as (in the
 * pod's namespace; it needs to read its run and write its shard and pages), the pull secrets of
 * a private registry (Secrets of those names in the pod's namespace), and where and how big it
 * runs: resources, tolerations and a node selector (none of each when null or empty).
 */
public record SourcePodTemplate(
    String image,
    String args,
    String serviceAccount,
    List<String> imagePullSecrets,
    ResourceRequirements resources,
    List<Toleration> tolerations,
    Map<String, String> nodeSelector) {
  /**
   * The pod watches its run's namespace only: its service account is granted that namespace's runs
   * by a Role (the chart's), not every namespace's by a ClusterRole.
   */
  public static final String DEFAULT_ARGS = "agent --node {node} --namespace {namespace}";

  public SourcePodTemplate(String image, String args, String serviceAccount) {
    this(image, args, serviceAccount, List.of());
  }

  public SourcePodTemplate(String image, String args, String serviceAccount, List<String> imagePullSecrets) {
    this(image, args, serviceAccount, imagePullSecrets, null, null, null);
  }

  public SourcePodTemplate {
    imagePullSecrets = imagePullSecrets == null ? List.of()
        : imagePullSecrets.stream().map(String::strip).filter(n -> !n.isEmpty()).toList();
    tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
    nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
    if (image == null || image.isBlank()) {
      throw new UsageException("--source-pod-image must name an image");
    }
    if (args == null || !args.contains("{node}")) {
      throw new UsageException("--source-pod-args must contain {node} (the name the pod's shard is assigned to)");
    }
  }

  /** This template placed and sized as given (the chart's sourcePods.resources, tolerations, nodeSelector). */
  public SourcePodTemplate placed(ResourceRequirements resources, List<Toleration> tolerations, Map<String, String> nodeSelector) {
    return new SourcePodTemplate(image, args, serviceAccount, imagePullSecrets, resources, tolerations, nodeSelector);
  }

  public static SourcePodTemplate defaults(String version) {
    return new SourcePodTemplate("portolan:" + version, DEFAULT_ARGS, "portolan-source");
  }

  /** The container arguments for one pod. */
  public List<String> argsFor(String node, String namespace, String run) {
    return Arrays.stream(args.strip().split("\\s+"))
        .map(a -> a.replace("{node}", node).replace("{namespace}", namespace).replace("{run}", run))
        .toList();
  }

  /**
   * A container's resources as Kubernetes writes them in JSON ({@code flag} names the setting in
   * messages); empty is none. Unknown fields and amounts that are not quantities are refused.
   */
  public static ResourceRequirements resources(String json, String flag) {
    ResourceRequirements r = json(json, flag, ResourceRequirements.class, "a container's resources object");
    if (r == null) {
      return null;
    }
    unknownFields(r.getAdditionalProperties(), flag);
    for (Map<String, Quantity> amounts : Arrays.asList(r.getRequests(), r.getLimits())) {
      if (amounts != null) {
        amounts.forEach((name, q) -> {
          try {
            Quantity.getAmountInBytes(q);
          } catch (IllegalArgumentException | ArithmeticException e) {
            throw new UsageException(flag + ": " + name + " '" + q + "' is not a quantity (100m, 256Mi)");
          }
        });
      }
    }
    return r;
  }

  /** A pod's tolerations as Kubernetes writes them in JSON; empty is none. */
  public static List<Toleration> tolerations(String json, String flag) {
    Toleration[] t = json(json, flag, Toleration[].class, "a list of tolerations");
    if (t == null) {
      return List.of();
    }
    for (Toleration one : t) {
      unknownFields(one.getAdditionalProperties(), flag);
    }
    return List.of(t);
  }

  private static <T> T json(String text, String flag, Class<T> type, String what) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return JSON.readValue(text, type);
    } catch (java.io.IOException | IllegalArgumentException e) {
      String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      throw new UsageException(flag + " must be " + what + " in JSON: " + why.replaceAll(" \\(class [^)]*\\)", ""));
    }
  }

  /** fabric8's model keeps fields it does not know; a misspelt one (requets) must not be dropped silently. */
  private static void unknownFields(Map<String, Object> extra, String flag) {
    if (extra != null && !extra.isEmpty()) {
      throw new UsageException(flag + ": unknown field '" + extra.keySet().iterator().next() + "'");
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
}
