package dev.portolan.control.expect;

import dev.portolan.control.cluster.ClusterSnapshot;
import dev.portolan.control.cluster.IndexResolver;
import dev.portolan.control.cluster.LabelSelectors;
import dev.portolan.control.cluster.OwnerFacts;
import dev.portolan.control.netpol.Reachability;
import dev.portolan.crds.v1alpha1.ExpectationsSpec;
import dev.portolan.crds.v1alpha1.ExpectationsSpec.ExposureRule;
import dev.portolan.crds.v1alpha1.ExpectationsSpec.ServiceRef;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.NetworkVerdict;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, when a run's index is resolved, which expectations' workload selectors select each
 * owner (with its full labels and its namespace's labels, which the index does not keep), and
 * what NetworkPolicies let the vantage point reach on each pod.
 */
public final class ExpectationFacts implements OwnerFacts {
  private final List<ExposureRule> rules;
  private final String policyNamespace;
  private final ClusterSnapshot snapshot;
  private final Map<String, List<String>> servicesOfPods;
  private final Map<String, Map<String, String>> nodeLabels = new HashMap<>();
  private final Reachability reachability;

  /**
   * @param reachability the vantage point's reach, or null when the run does not derive
   *     expectations from NetworkPolicies
   */
  public ExpectationFacts(ExpectationsSpec spec, String policyNamespace, ClusterSnapshot snapshot, Reachability reachability) {
    this.rules = spec == null || spec.allowed() == null ? List.of() : spec.allowed();
    this.policyNamespace = policyNamespace;
    this.snapshot = snapshot;
    this.servicesOfPods = IndexResolver.servicesOfPods(snapshot);
    for (Node n : snapshot.nodes()) {
      nodeLabels.put(n.getMetadata().getName(), n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels());
    }
    this.reachability = reachability;
  }

  @Override
  public List<Integer> rules(HasMetadata owner) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      ExposureRule r = rules.get(i);
      if (r.selectsWorkloads() && selects(r, owner)) {
        out.add(i);
      }
    }
    return out;
  }

  @Override
  public NetworkVerdict network(Pod pod) {
    return reachability == null ? null : reachability.verdict(pod);
  }

  /** Whether every workload selector the rule gives selects {@code owner}. */
  boolean selects(ExposureRule r, HasMetadata owner) {
    if ((r.podSelector() != null || r.namespaceSelector() != null) && !selectsPod(r, owner)) {
      return false;
    }
    if (r.service() != null && !selectsService(r.service(), owner)) {
      return false;
    }
    return r.nodeSelector() == null || selectsNode(r, owner);
  }

  private boolean selectsPod(ExposureRule r, HasMetadata owner) {
    if (!(owner instanceof Pod p)) {
      return false;
    }
    String ns = p.getMetadata().getNamespace();
    if (r.namespaceSelector() == null) {
      if (!ns.equals(policyNamespace)) {
        return false;
      }
    } else if (!LabelSelectors.matches(r.namespaceSelector(), snapshot.namespaceLabels(ns))) {
      return false;
    }
    return r.podSelector() == null || LabelSelectors.matches(r.podSelector(), p.getMetadata().getLabels());
  }

  private boolean selectsService(ServiceRef ref, HasMetadata owner) {
    if (owner instanceof Service s) {
      return serviceMatches(ref, s.getMetadata().getNamespace(), s.getMetadata().getName(), s.getMetadata().getLabels());
    }
    if (owner instanceof Pod p) {
      List<String> services = servicesOfPods.getOrDefault(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(), List.of());
      for (String nsName : services) {
        String ns = nsName.substring(0, nsName.indexOf('/'));
        String name = nsName.substring(nsName.indexOf('/') + 1);
        Map<String, String> labels = snapshot.services().stream()
            .filter(s -> ns.equals(s.getMetadata().getNamespace()) && name.equals(s.getMetadata().getName()))
            .findFirst().map(s -> s.getMetadata().getLabels()).orElse(Map.of());
        if (serviceMatches(ref, ns, name, labels)) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean serviceMatches(ServiceRef ref, String ns, String name, Map<String, String> labels) {
    String want = ref.namespace() == null || ref.namespace().isBlank() ? policyNamespace : ref.namespace();
    if (!"*".equals(want) && !want.equals(ns)) {
      return false;
    }
    if (ref.name() != null && !ref.name().equals(name)) {
      return false;
    }
    return ref.selector() == null || LabelSelectors.matches(ref.selector(), labels);
  }

  private boolean selectsNode(ExposureRule r, HasMetadata owner) {
    if (owner instanceof Node n) {
      return LabelSelectors.matches(r.nodeSelector(), n.getMetadata().getLabels());
    }
    if (owner instanceof Pod p && p.getSpec() != null && Boolean.TRUE.equals(p.getSpec().getHostNetwork())) {
      Map<String, String> labels = nodeLabels.get(p.getSpec().getNodeName());
      return labels != null && LabelSelectors.matches(r.nodeSelector(), labels);
    }
    return false;
  }
}
