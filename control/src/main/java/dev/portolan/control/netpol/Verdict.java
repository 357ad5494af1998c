package dev.portolan.control.netpol;

import java.util.List;

/**
 * What the NetworkPolicies say about connections from one peer to another: the ports the
 * destination's ingress admits and the source's egress lets out (allowed = both), the policies
 * that isolate the destination for ingress and the source for egress (namespace/name, sorted),
 * and which rules allow what, in words.
 */
public record Verdict(
    PortRanges ingressAllowed,
    PortRanges egressAllowed,
    List<String> ingressIsolatedBy,
    List<String> egressIsolatedBy,
    List<String> allowedBy,
    String note) {

  public PortRanges allowed() {
    return ingressAllowed.intersect(egressAllowed);
  }

  public boolean allows(int port) {
    return ingressAllowed.contains(port) && egressAllowed.contains(port);
  }

  /** Whether any policy isolates either end (without one, everything is allowed). */
  public boolean isolated() {
    return !ingressIsolatedBy.isEmpty() || !egressIsolatedBy.isEmpty();
  }

  /** Why {@code port} is denied, in words, or "" when it is allowed. */
  public String whyDenied(int port, String source, String destination) {
    StringBuilder s = new StringBuilder();
    if (!ingressAllowed.contains(port)) {
      s.append(isolation(ingressIsolatedBy)).append(destination).append(" for ingress and no rule ")
          .append(ingressIsolatedBy.size() > 1 ? "of theirs" : "of it").append(" admits ").append(source)
          .append(" on port ").append(port);
    }
    if (!egressAllowed.contains(port)) {
      if (s.length() > 0) {
        s.append("; and ");
      }
      s.append(isolation(egressIsolatedBy)).append(source).append(" for egress and no rule ")
          .append(egressIsolatedBy.size() > 1 ? "of theirs" : "of it").append(" lets it reach ").append(destination)
          .append(" on port ").append(port);
    }
    return s.toString();
  }

  private static String isolation(List<String> policies) {
    return "NetworkPolicy " + String.join(", ", policies) + (policies.size() > 1 ? " isolate " : " isolates ");
  }
}
