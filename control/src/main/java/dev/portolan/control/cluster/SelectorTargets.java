package dev.portolan.control.cluster;

import dev.portolan.crds.v1alpha1.TargetsSpec;
import dev.portolan.crds.v1alpha1.TargetsSpec.Selector;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A policy's cluster selectors turned into addresses, over a snapshot: nodes into their InternalIP
 * addresses (ExternalIPs are a scan from outside, named by CIDR), Services into their cluster, external and load-balancer IPs (headless
 * ones have none), pods into the addresses of pods that have not ended. A selector's namespace is
 * the policy's when empty, every namespace when "*"; nodes are cluster-wide. Labels match as a
 * Kubernetes label selector: matchLabels and matchExpressions.
 */
public final class SelectorTargets {
  private SelectorTargets() {}

  /** The addresses the selectors of {@code targets} match, sorted and without duplicates. */
  public static List<String> resolve(TargetsSpec targets, String policyNamespace, ClusterSnapshot snapshot) {
    if (targets == null || !targets.selectsClusterObjects()) {
      return List.of();
    }
    TreeSet<String> out = new TreeSet<>();
    if (targets.nodes() != null) {
      for (Node n : snapshot.nodes()) {
        if (matches(targets.nodes(), n)) {
          out.addAll(IndexResolver.nodeInternalAddresses(n));
        }
      }
    }
    if (targets.services() != null) {
      for (Service s : snapshot.services()) {
        if (s.getSpec() != null && inNamespace(targets.services(), s, policyNamespace) && matches(targets.services(), s)) {
          out.addAll(IndexResolver.serviceAddresses(s));
        }
      }
    }
    if (targets.pods() != null) {
      for (Pod p : snapshot.pods()) {
        if (IndexResolver.owns(p) && inNamespace(targets.pods(), p, policyNamespace) && matches(targets.pods(), p)) {
          out.addAll(IndexResolver.podIps(p));
        }
      }
    }
    return new ArrayList<>(out);
  }

  /** The selector's namespace: the policy's for an empty one, every namespace for "*". */
  public static String namespace(Selector s, String policyNamespace) {
    return s.namespaceFor(policyNamespace);
  }

  private static boolean inNamespace(Selector s, HasMetadata o, String policyNamespace) {
    String ns = namespace(s, policyNamespace);
    return ns == null || ns.equals(o.getMetadata().getNamespace());
  }

  private static boolean matches(Selector s, HasMetadata o) {
    return LabelSelectors.matches(s.matchLabels(), s.matchExpressions(), o.getMetadata().getLabels());
  }
}
