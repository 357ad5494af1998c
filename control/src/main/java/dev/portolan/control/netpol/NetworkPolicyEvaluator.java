package dev.portolan.control.netpol;

import dev.portolan.control.cluster.LabelSelectors;
import dev.portolan.control.target.AddressRange;
import dev.portolan.control.target.Ipv4;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * networking.k8s.io/v1 NetworkPolicy semantics, as the API defines them and Kubernetes' own e2e
 * suite checks them, evaluated without a network: which ports of a destination a source may
 * reach.
 *
 * <ul>
 *   <li>A pod is isolated for ingress (egress) when a policy in its namespace selects it and has
 *       Ingress (Egress) among its policyTypes; unset policyTypes mean Ingress, plus Egress when
 *       the policy has egress rules. Host-network pods are never selected. An isolated pod admits
 *       (sends) only what some selecting policy's rule allows; policies add up.
 *   <li>A rule with no peers matches every peer; with no ports, every port. A peer's podSelector
 *       alone means pods of the policy's namespace; a namespaceSelector alone, every pod of the
 *       namespaces it selects; both in one peer, both must hold. ipBlock matches the other end's
 *       address (pod addresses included, as upstream e2e tests do), minus its excepts; node
 *       traffic (a host-network source) is matched by ipBlocks only.
 *   <li>Ports: a number, a range to endPort, or a name resolved against the destination pod's
 *       container ports (a name matches nothing where the destination declares none); the
 *       protocol defaults to TCP and must match.
 *   <li>A pod can always reach itself, and traffic between a pod and its own node is always
 *       allowed.
 * </ul>
 * Pure: the policies and namespace labels come in; nothing is read.
 */
public final class NetworkPolicyEvaluator {
  private final List<NetworkPolicy> policies;
  private final Function<String, Map<String, String>> namespaceLabels;

  /**
   * @param namespaceLabels the labels of a namespace by name (with {@code kubernetes.io/metadata.name})
   */
  public NetworkPolicyEvaluator(List<NetworkPolicy> policies, Function<String, Map<String, String>> namespaceLabels) {
    this.policies = List.copyOf(policies);
    this.namespaceLabels = namespaceLabels;
  }

  /** What {@code from} may reach of {@code to}, for {@code protocol} ("TCP", "UDP", "SCTP"). */
  public Verdict evaluate(Peer from, Peer to, String protocol) {
    List<String> allowedBy = new ArrayList<>();
    TreeSet<String> ingressIsolators = new TreeSet<>();
    TreeSet<String> egressIsolators = new TreeSet<>();
    String note = null;

    PortRanges ingress = PortRanges.all();
    if (to.isPod()) {
      List<NetworkPolicy> selecting = selecting(to, "Ingress");
      selecting.forEach(p -> ingressIsolators.add(name(p)));
      if (!selecting.isEmpty()) {
        if (samePod(from, to)) {
          note = "a pod can always reach itself";
        } else if (from.kind() == Peer.Kind.NODE && from.node() != null && from.node().equals(to.node())) {
          note = "traffic from a pod's own node is always allowed";
        } else {
          ingress = PortRanges.none();
          for (NetworkPolicy p : selecting) {
            List<NetworkPolicyIngressRule> rules = p.getSpec().getIngress() == null ? List.of() : p.getSpec().getIngress();
            for (int i = 0; i < rules.size(); i++) {
              NetworkPolicyIngressRule r = rules.get(i);
              if (peersMatch(r.getFrom(), from, ns(p))) {
                PortRanges ports = ports(r.getPorts(), to, protocol);
                if (!ports.isEmpty()) {
                  ingress = ingress.union(ports);
                  allowedBy.add(name(p) + " ingress rule " + (i + 1) + " (" + describe(ports) + ")");
                }
              }
            }
          }
        }
      }
    }

    PortRanges egress = PortRanges.all();
    if (from.isPod()) {
      List<NetworkPolicy> selecting = selecting(from, "Egress");
      selecting.forEach(p -> egressIsolators.add(name(p)));
      if (!selecting.isEmpty()) {
        if (samePod(from, to)) {
          note = "a pod can always reach itself";
        } else if (to.kind() == Peer.Kind.NODE && to.node() != null && to.node().equals(from.node())) {
          note = "traffic between a pod and its own node is always allowed";
        } else {
          egress = PortRanges.none();
          for (NetworkPolicy p : selecting) {
            List<NetworkPolicyEgressRule> rules = p.getSpec().getEgress() == null ? List.of() : p.getSpec().getEgress();
            for (int i = 0; i < rules.size(); i++) {
              NetworkPolicyEgressRule r = rules.get(i);
              if (peersMatch(r.getTo(), to, ns(p))) {
                PortRanges ports = ports(r.getPorts(), to, protocol);
                if (!ports.isEmpty()) {
                  egress = egress.union(ports);
                  allowedBy.add(name(p) + " egress rule " + (i + 1) + " (" + describe(ports) + ")");
                }
              }
            }
          }
        }
      }
    }
    return new Verdict(ingress, egress, List.copyOf(ingressIsolators), List.copyOf(egressIsolators), List.copyOf(allowedBy), note);
  }

  /** The policies of the pod's namespace that select it for {@code type} (Ingress or Egress). */
  public List<NetworkPolicy> selecting(Peer pod, String type) {
    List<NetworkPolicy> out = new ArrayList<>();
    if (!pod.isPod()) {
      return out;
    }
    for (NetworkPolicy p : policies) {
      if (p.getSpec() == null || !pod.namespace().equals(ns(p)) || !types(p).contains(type)) {
        continue;
      }
      if (LabelSelectors.matches(p.getSpec().getPodSelector(), pod.labels())) {
        out.add(p);
      }
    }
    return out;
  }

  /** policyTypes as given, or as the API server defaults them: Ingress, and Egress when there are egress rules. */
  static List<String> types(NetworkPolicy p) {
    List<String> given = p.getSpec().getPolicyTypes();
    if (given != null && !given.isEmpty()) {
      return given;
    }
    List<String> out = new ArrayList<>(List.of("Ingress"));
    if (p.getSpec().getEgress() != null && !p.getSpec().getEgress().isEmpty()) {
      out.add("Egress");
    }
    return out;
  }

  private boolean peersMatch(List<NetworkPolicyPeer> peers, Peer other, String policyNamespace) {
    if (peers == null || peers.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPeer peer : peers) {
      if (peerMatches(peer, other, policyNamespace)) {
        return true;
      }
    }
    return false;
  }

  private boolean peerMatches(NetworkPolicyPeer peer, Peer other, String policyNamespace) {
    if (peer.getIpBlock() != null) {
      return other.ip() != null && inBlock(peer.getIpBlock(), other.ip());
    }
    if (peer.getPodSelector() == null && peer.getNamespaceSelector() == null) {
      return false; // an empty peer is invalid in the API; it matches nothing here
    }
    if (!other.isPod()) {
      return false; // selectors name pods; node traffic and outside addresses match ipBlocks only
    }
    if (peer.getNamespaceSelector() == null) {
      if (!other.namespace().equals(policyNamespace)) {
        return false;
      }
    } else if (!LabelSelectors.matches(peer.getNamespaceSelector(), namespaceLabels.apply(other.namespace()))) {
      return false;
    }
    return peer.getPodSelector() == null || LabelSelectors.matches(peer.getPodSelector(), other.labels());
  }

  private static boolean inBlock(IPBlock block, String ip) {
    int a;
    try {
      a = Ipv4.parse(ip);
    } catch (RuntimeException e) {
      return false;
    }
    if (!contains(block.getCidr(), a)) {
      return false;
    }
    if (block.getExcept() != null) {
      for (String except : block.getExcept()) {
        if (contains(except, a)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean contains(String cidr, int address) {
    try {
      return AddressRange.parse(cidr).contains(Ipv4.unsigned(address));
    } catch (RuntimeException e) {
      return false; // an IPv6 block (or a malformed one) never holds an IPv4 address
    }
  }

  /** The ports a rule's port list allows on {@code destination}. */
  private static PortRanges ports(List<NetworkPolicyPort> ports, Peer destination, String protocol) {
    if (ports == null || ports.isEmpty()) {
      return PortRanges.all();
    }
    PortRanges out = PortRanges.none();
    for (NetworkPolicyPort p : ports) {
      String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
      if (!proto.equals(protocol)) {
        continue;
      }
      IntOrString port = p.getPort();
      if (port == null) {
        out = PortRanges.all();
        continue;
      }
      if (port.getStrVal() != null && port.getIntVal() == null) {
        if (p.getEndPort() != null) {
          continue; // endPort with a named port is invalid in the API
        }
        Integer n = destination.isPod() ? destination.namedPort(port.getStrVal(), protocol) : null;
        if (n != null) {
          out = out.union(PortRanges.of(n));
        }
        continue;
      }
      int from = port.getIntVal();
      int to = p.getEndPort() == null ? from : p.getEndPort();
      out = out.union(PortRanges.range(from, to));
    }
    return out;
  }

  private static boolean samePod(Peer a, Peer b) {
    return a.isPod() && b.isPod() && a.namespace().equals(b.namespace()) && a.name() != null && a.name().equals(b.name());
  }

  private static String ns(NetworkPolicy p) {
    return p.getMetadata().getNamespace() == null ? "default" : p.getMetadata().getNamespace();
  }

  static String name(NetworkPolicy p) {
    return ns(p) + "/" + p.getMetadata().getName();
  }

  private static String describe(PortRanges ports) {
    return ports.isAll() ? "all ports" : "ports " + ports;
  }
}
