package dev.portolan.operator.cluster;

import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.SourceSpec;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The scanner pod of a run whose policy has {@code source.type: Pod}: started in the source
 * namespace with the source labels and without host network, so the cluster's NetworkPolicies
 * treat its probes exactly as traffic from a workload with those labels. Its single shard is
 * assigned to the pod's name. The pod may live in another namespace than its run, where an owner
 * reference cannot reach, so the operator deletes it explicitly when the run ends or is pruned.
 */
public final class SourcePods {
  /** On the main report of a Pod-sourced run: "namespace/name" of its pod. */
  public static final String ANNOTATION = "portolan.dev/source-pod";

  private final KubernetesClient client;

  public SourcePods(KubernetesClient client) {
    this.client = client;
  }

  public static boolean isPodSourced(ScanPolicy policy) {
    SourceSpec s = policy.getSpec().source();
    return s != null && s.type() == SourceSpec.Type.Pod && s.pod() != null;
  }

  /** The pod's name for a run: deterministic, so a retry never starts a second one. */
  public static String podName(String run) {
    return run + "-source";
  }

  /** The pod's namespace: the source's, or the policy's when the source names none. */
  public static String podNamespace(ScanPolicy policy) {
    String ns = policy.getSpec().source().pod().namespace();
    return ns == null || ns.isBlank() ? policy.getMetadata().getNamespace() : ns;
  }

  /** "namespace/name" of the run's pod, if the run is Pod-sourced. */
  public static Optional<String[]> of(ScanReport report) {
    Map<String, String> a = report.getMetadata().getAnnotations();
    String ref = a == null ? null : a.get(ANNOTATION);
    if (ref == null || !ref.contains("/")) {
      return Optional.empty();
    }
    return Optional.of(ref.split("/", 2));
  }

  /** The pod a run needs, as it should exist. */
  public static Pod desired(ScanPolicy policy, String run, SourcePodTemplate template) {
    String name = podName(run);
    Map<String, String> labels = new LinkedHashMap<>();
    Map<String, String> source = policy.getSpec().source().pod().labels();
    if (source != null) {
      labels.putAll(source);
    }
    labels.put(ScanReport.POLICY_LABEL, policy.getMetadata().getName());
    labels.put(ScanReport.RUN_LABEL, run);
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(podNamespace(policy))
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withHostNetwork(false)
        .withRestartPolicy("OnFailure")
        .withServiceAccountName(template.serviceAccount())
        .withAutomountServiceAccountToken(true)
        .withImagePullSecrets(template.imagePullSecrets().stream().map(LocalObjectReference::new).toList())
        .withTolerations(template.tolerations())
        .withNodeSelector(template.nodeSelector().isEmpty() ? null : template.nodeSelector())
        .withNewSecurityContext()
        .withNewSeccompProfile("", "RuntimeDefault")
        .endSecurityContext()
        .addNewContainer()
        .withName("scanner")
        .withImage(template.image())
        .withArgs(template.argsFor(name, policy.getMetadata().getNamespace(), run))
        .withResources(template.resources())
        // As the DaemonSet's agent: raw sockets need NET_RAW in the effective set, which
        // Kubernetes gives only to root (no ambient capabilities for other users); root here
        // holds NET_RAW and nothing else, on a read-only root filesystem.
        .withNewSecurityContext()
        .withRunAsUser(0L)
        .withRunAsNonRoot(false)
        .withPrivileged(false)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .addToDrop("ALL")
        .addToAdd("NET_RAW")
        .endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("tmp")
        .withNewEmptyDir()
        .withSizeLimit(new Quantity("128Mi"))
        .endEmptyDir()
        .endVolume()
        .endSpec()
        .build();
  }

  /** Creates the pod unless it exists. */
  public void ensure(Pod pod) {
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  public void delete(String namespace, String name) {
    client.pods().inNamespace(namespace).withName(name).delete();
  }

  public boolean exists(String namespace, String name) {
    return client.pods().inNamespace(namespace).withName(name).get() != null;
  }
}
