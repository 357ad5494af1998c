package dev.portolan.operator.cluster;

import dev.portolan.control.UsageException;
import java.util.Arrays;
import java.util.List;

/**
 * How the operator starts the scanner pod of a Pod-sourced run: the image, the arguments
 * ({@code {node}} becomes the pod's name, the name its shard is assigned to; {@code {namespace}}
 * the run's namespace; {@code {run}} the run's name), the service account it runs as (in the
 * pod's namespace; it needs to read its run and write its shard and pages) and the pull secrets of
 * a private registry (Secrets of those names in the pod's namespace).
 */
public record SourcePodTemplate(String image, String args, String serviceAccount, List<String> imagePullSecrets) {
  /**
   * The pod watches its run's namespace only: its service account is granted that namespace's runs
   * by a Role (the chart's), not every namespace's by a ClusterRole.
   */
  public static final String DEFAULT_ARGS = "agent --node {node} --namespace {namespace}";

  public SourcePodTemplate(String image, String args, String serviceAccount) {
    this(image, args, serviceAccount, List.of());
  }

  public SourcePodTemplate {
    imagePullSecrets = imagePullSecrets == null ? List.of()
        : imagePullSecrets.stream().map(String::strip).filter(n -> !n.isEmpty()).toList();
    if (image == null || image.isBlank()) {
      throw new UsageException("--source-pod-image must name an image");
    }
    if (args == null || !args.contains("{node}")) {
      throw new UsageException("--source-pod-args must contain {node} (the name the pod's shard is assigned to)");
    }
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
}
