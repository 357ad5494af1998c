package dev.portolan.control.guard;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.portolan.control.UsageException;
import dev.portolan.control.target.Scope;
import java.util.List;

/**
 * What the policies of one namespace may reach beyond their own namespace's Pods and Services,
 * which is all a namespaced ScanPolicy reaches without a grant. The cluster admins write grants in
 * the guard ({@code namespaces}); a policy author cannot give them to herself.
 *
 * @param name the namespace whose policies the grant is for; {@code "*"} for every namespace that
 *     has no grant of its own (a named grant wins over it, and is not merged with it)
 * @param cidrs ranges its policies may name in {@code targets.cidrs} (still inside the guard's
 *     allowed ranges, still minus its excluded ones); none when empty
 * @param otherNamespaces namespaces, besides its own, whose Pods and Services its selectors may
 *     select and where its source pods may run; {@code "*"} for every namespace
 * @param nodes whether its policies may select nodes
 * @param maxRate the most one of its policies may ask for, below the guard's per-policy cap
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NamespaceGrant(String name, List<String> cidrs, List<String> otherNamespaces, Boolean nodes, Long maxRate) {
  public static final String EVERY = "*";

  public NamespaceGrant {
    cidrs = cidrs == null ? List.of() : List.copyOf(cidrs);
    otherNamespaces = otherNamespaces == null ? List.of() : List.copyOf(otherNamespaces);
    nodes = nodes != null && nodes;
  }

  /** Everything the guard allows, for every namespace: {@code portolan run}'s grant on a person's own machine. */
  public static NamespaceGrant everything(List<String> cidrs) {
    return new NamespaceGrant(EVERY, cidrs, List.of(EVERY), true, null);
  }

  /** Whether selectors and source pods of this grant's policies may reach {@code namespace}. */
  public boolean reaches(String namespace) {
    return otherNamespaces.contains(EVERY) || otherNamespaces.contains(namespace);
  }

  public boolean reachesEveryNamespace() {
    return otherNamespaces.contains(EVERY);
  }

  void check(int index) {
    String where = "guard: namespaces[" + index + "]";
    if (name == null || name.isBlank()) {
      throw new UsageException(where + " has no name; give the namespace the grant is for, or \"*\" for every namespace");
    }
    try {
      Scope.parseList(cidrs);
    } catch (UsageException e) {
      throw new UsageException(where + " (" + name + ") cidrs: " + e.getMessage());
    }
    if (maxRate != null && maxRate < 1) {
      throw new UsageException(where + " (" + name + ") maxRate must be at least 1");
    }
    for (String ns : otherNamespaces) {
      if (ns == null || !(EVERY.equals(ns) || ns.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") && ns.length() <= 63)) {
        throw new UsageException(where + " (" + name + ") otherNamespaces: '" + ns + "' is not a namespace name or \"*\"");
      }
    }
  }
}
