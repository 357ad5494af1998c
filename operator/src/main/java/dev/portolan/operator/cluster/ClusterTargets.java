package dev.portolan.operator.cluster;

import dev.portolan.crds.v1alpha1.TargetsSpec;
import dev.portolan.crds.v1alpha1.TargetsSpec.Selector;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns a policy's cluster selectors into addresses: nodes into their InternalIP addresses,
 * services into their cluster IPs (headless services have none), pods into their pod IPs. IPv4
 * only, as the engine is. A selector's namespace is the policy's when empty, every namespace when
 * "*"; nodes are cluster-wide. Only equality label selectors exist in the API, so the server
 * filters them exactly (no set-based selector is ever sent).
 */
public final class ClusterTargets {
  /** Cluster objects could not be read: the policy cannot be resolved until they can. */
  public static final class LookupFailed extends Exception {
    private static final long serialVersionUID = 1L;

    LookupFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final KubernetesClient client;

  public ClusterTargets(KubernetesClient client) {
    this.client = client;
  }

  /**
   * The addresses the selectors of {@code targets} match now, sorted and without duplicates.
   *
   * @throws LookupFailed when the API refuses (403) or does not serve (404) the objects; other API
   *     errors are thrown as they are, to be retried
   */
  public List<String> resolve(TargetsSpec targets, String policyNamespace) throws LookupFailed {
    if (targets == null || (targets.nodes() == null && targets.services() == null && targets.pods() == null)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    try {
      if (targets.nodes() != null) {
        out.addAll(nodeAddresses(client.nodes().withLabels(labels(targets.nodes())).list().getItems()));
      }
      if (targets.services() != null) {
        out.addAll(serviceAddresses(list(client.services(), targets.services(), policyNamespace)));
      }
      if (targets.pods() != null) {
        out.addAll(podAddresses(list(client.pods(), targets.pods(), policyNamespace)));
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403 || e.getCode() == 404) {
        throw new LookupFailed(
            "The cluster selectors cannot be resolved: the API server answered " + e.getCode()
                + (e.getCode() == 403 ? " (the operator may not list nodes, services or pods there)" : " (it does not serve them)")
                + ".", e);
      }
      throw e;
    }
    return List.copyOf(new TreeSet<>(out));
  }

  private static <T extends HasMetadata, L extends KubernetesResourceList<T>> List<T> list(
      MixedOperation<T, L, ? extends Resource<T>> op, Selector selector, String policyNamespace) {
    String ns = namespace(selector, policyNamespace);
    var scoped = ns == null ? op.inAnyNamespace() : op.inNamespace(ns);
    return scoped.withLabels(labels(selector)).list().getItems();
  }

  /** The policy's namespace for an empty selector namespace, null (all) for "*". */
  static String namespace(Selector s, String policyNamespace) {
    if (s.namespace() == null || s.namespace().isBlank()) {
      return policyNamespace;
    }
    return "*".equals(s.namespace()) ? null : s.namespace();
  }

  private static Map<String, String> labels(Selector s) {
    return s.matchLabels() == null ? Map.of() : s.matchLabels();
  }

  /** InternalIP addresses of nodes (IPv4). */
  public static List<String> nodeAddresses(Collection<Node> nodes) {
    List<String> out = new ArrayList<>();
    for (Node n : nodes) {
      if (n.getStatus() == null || n.getStatus().getAddresses() == null) {
        continue;
      }
      for (NodeAddress a : n.getStatus().getAddresses()) {
        if ("InternalIP".equals(a.getType()) && isIpv4(a.getAddress())) {
          out.add(a.getAddress());
        }
      }
    }
    return out;
  }

  /** Cluster IPs of services (IPv4); headless services ("None") and ExternalName ones have none. */
  public static List<String> serviceAddresses(Collection<Service> services) {
    List<String> out = new ArrayList<>();
    for (Service s : services) {
      if (s.getSpec() == null) {
        continue;
      }
      List<String> ips = s.getSpec().getClusterIPs() != null && !s.getSpec().getClusterIPs().isEmpty()
          ? s.getSpec().getClusterIPs()
          : s.getSpec().getClusterIP() == null ? List.of() : List.of(s.getSpec().getClusterIP());
      for (String ip : ips) {
        if (isIpv4(ip)) {
          out.add(ip);
        }
      }
    }
    return out;
  }

  /**
   * Pod IPs (IPv4) of running pods. A pod that is not running has no address of its own (a
   * finished pod's address may already belong to another pod).
   */
  public static List<String> podAddresses(Collection<Pod> pods) {
    List<String> out = new ArrayList<>();
    for (Pod p : pods) {
      if (p.getStatus() == null || !"Running".equals(p.getStatus().getPhase())) {
        continue;
      }
      List<String> ips = new ArrayList<>();
      if (p.getStatus().getPodIPs() != null) {
        for (PodIP ip : p.getStatus().getPodIPs()) {
          ips.add(ip.getIp());
        }
      }
      if (ips.isEmpty() && p.getStatus().getPodIP() != null) {
        ips.add(p.getStatus().getPodIP());
      }
      for (String ip : ips) {
        if (isIpv4(ip)) {
          out.add(ip);
        }
      }
    }
    return out;
  }

  static boolean isIpv4(String s) {
    if (s == null || s.isBlank() || "None".equals(s)) {
      return false;
    }
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }
}
