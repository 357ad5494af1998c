package dev.portolan.charts;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What kube-controller-manager's clusterrole-aggregation controller does, for an API server that
 * runs no controllers (e2e/kubeapi): every ClusterRole with an {@code aggregationRule} gets, as its
 * rules, the rules of the ClusterRoles its selectors match (itself excluded), selector by selector
 * and in name order within one, each rule once. A real cluster's controller re-syncs on every
 * ClusterRole change, so {@code view}'s rules reach {@code edit} and {@code edit}'s reach
 * {@code admin}; this repeats the pass until nothing changes. Only {@code matchLabels} selectors
 * are understood (all Kubernetes' own roles use); any other is refused, not guessed.
 */
final class ClusterRoleAggregationEmulator {
  static final String AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-";
  private static final int MAX_PASSES = 10;

  private ClusterRoleAggregationEmulator() {}

  /**
   * Creates {@code view}, {@code edit} and {@code admin} as a cluster's bootstrap policy does:
   * empty, with their aggregation rules, view labelled into edit and edit into admin. Their own
   * rules on built-in kinds (upstream's system:aggregate-to-* roles) are left out: nothing here
   * is about them.
   */
  static void createDefaultRoles(KubernetesClient admin) {
    defaultRole(admin, "admin", null);
    defaultRole(admin, "edit", "admin");
    defaultRole(admin, "view", "edit");
  }

  private static void defaultRole(KubernetesClient admin, String name, String aggregatedInto) {
    ClusterRoleBuilder role = new ClusterRoleBuilder().withNewMetadata().withName(name)
        .addToLabels("kubernetes.io/bootstrapping", "rbac-defaults").endMetadata()
        .withNewAggregationRule().addNewClusterRoleSelector().addToMatchLabels(AGGREGATE_TO + name, "true")
        .endClusterRoleSelector().endAggregationRule();
    if (aggregatedInto != null) {
      role.editMetadata().addToLabels(AGGREGATE_TO + aggregatedInto, "true").endMetadata();
    }
    admin.rbac().clusterRoles().resource(role.build()).create();
  }

  /** Writes every aggregated ClusterRole's rules until they hold what their selectors match. */
  static void converge(KubernetesClient admin) {
    for (int pass = 0; pass < MAX_PASSES; pass++) {
      List<ClusterRole> roles = admin.rbac().clusterRoles().list().getItems();
      boolean changed = false;
      for (ClusterRole role : roles) {
        if (role.getAggregationRule() == null) {
          continue;
        }
        List<PolicyRule> rules = aggregatedRules(role, roles);
        if (!rules.equals(rulesOf(role))) {
          admin.rbac().clusterRoles().withName(role.getMetadata().getName()).edit(r -> {
            r.setRules(rules);
            return r;
          });
          changed = true;
        }
      }
      if (!changed) {
        return;
      }
    }
    throw new IllegalStateException("ClusterRole aggregation did not settle in " + MAX_PASSES + " passes");
  }

  private static List<PolicyRule> aggregatedRules(ClusterRole role, List<ClusterRole> all) {
    List<PolicyRule> rules = new ArrayList<>();
    for (LabelSelector selector : role.getAggregationRule().getClusterRoleSelectors()) {
      if (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty()) {
        throw new IllegalArgumentException(role.getMetadata().getName() + ": matchExpressions are not emulated");
      }
      Map<String, String> wanted = selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
      List<ClusterRole> matched = all.stream()
          .filter(c -> !c.getMetadata().getName().equals(role.getMetadata().getName()))
          .filter(c -> c.getMetadata().getLabels() != null && c.getMetadata().getLabels().entrySet().containsAll(wanted.entrySet()))
          .sorted(Comparator.comparing(c -> c.getMetadata().getName()))
          .toList();
      for (ClusterRole source : matched) {
        for (PolicyRule rule : rulesOf(source)) {
          if (!rules.contains(rule)) {
            rules.add(rule);
          }
        }
      }
    }
    return rules;
  }

  /** A role's rules; none is an empty list (the API server leaves the field out). */
  private static List<PolicyRule> rulesOf(ClusterRole role) {
    return role.getRules() == null ? List.of() : role.getRules();
  }
}
