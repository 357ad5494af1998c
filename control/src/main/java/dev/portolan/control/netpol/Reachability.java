package dev.portolan.control.netpol;

import dev.portolan.crds.v1alpha1.ScanReportPageSpec.NetworkVerdict;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What a run's vantage point may reach on each pod, for the index: the TCP ports the policies
 * allow, the policies that isolate either end, and the ports the pod declares. A vantage of
 * several sources (the agents on several nodes) reaches a port when any of them does: a node the
 * policies let through is a node a probe can come from.
 */
public final class Reachability {
  private final NetworkPolicyEvaluator evaluator;
  private final List<Peer> sources;

  public Reachability(NetworkPolicyEvaluator evaluator, List<Peer> sources) {
    this.evaluator = evaluator;
    this.sources = List.copyOf(sources);
  }

  public NetworkVerdict verdict(Pod target) {
    Peer to = Peers.of(target);
    PortRanges allowed = PortRanges.none();
    TreeSet<String> ingress = new TreeSet<>();
    TreeSet<String> egress = new TreeSet<>();
    List<String> allowedBy = new ArrayList<>();
    for (Peer from : sources) {
      Verdict v = evaluator.evaluate(from, to, "TCP");
      allowed = allowed.union(v.allowed());
      ingress.addAll(v.ingressIsolatedBy());
      egress.addAll(v.egressIsolatedBy());
      for (String a : v.allowedBy()) {
        if (!allowedBy.contains(a)) {
          allowedBy.add(a);
        }
      }
      if (v.note() != null && !allowedBy.contains(v.note())) {
        allowedBy.add(v.note());
      }
    }
    PortRanges declared = PortRanges.none();
    if (target.getSpec() != null && target.getSpec().getContainers() != null) {
      for (Container c : target.getSpec().getContainers()) {
        if (c.getPorts() != null) {
          for (ContainerPort cp : c.getPorts()) {
            if (cp.getContainerPort() != null && (cp.getProtocol() == null || "TCP".equals(cp.getProtocol()))) {
              declared = declared.union(PortRanges.of(cp.getContainerPort()));
            }
          }
        }
      }
    }
    boolean open = ingress.isEmpty() && egress.isEmpty();
    return new NetworkVerdict(
        open || allowed.isAll() ? null : allowed.toString(),
        ingress.isEmpty() ? null : List.copyOf(ingress),
        egress.isEmpty() ? null : List.copyOf(egress),
        allowedBy.isEmpty() ? null : String.join("; ", allowedBy),
        declared.isEmpty() ? null : declared.toString());
  }

  /** Whether a verdict (as stored) lets a probe reach {@code port}. */
  public static boolean allows(NetworkVerdict v, int port) {
    return v == null || v.allowedPorts() == null || PortRanges.parse(v.allowedPorts()).contains(port);
  }
}
