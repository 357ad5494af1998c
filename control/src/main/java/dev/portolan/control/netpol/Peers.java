package dev.portolan.control.netpol;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Pods as NetworkPolicies see them: a host-network pod is its node's traffic, a pod its labels and ports. */
public final class Peers {
  private Peers() {}

  public static Peer of(Pod p) {
    String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
    String ip = ip(p);
    if (p.getSpec() != null && Boolean.TRUE.equals(p.getSpec().getHostNetwork())) {
      return Peer.node(node, ip);
    }
    return Peer.pod(p.getMetadata().getNamespace(), p.getMetadata().getName(), p.getMetadata().getLabels(), ip, node, namedPorts(p));
  }

  private static String ip(Pod p) {
    if (p.getStatus() == null) {
      return null;
    }
    if (p.getStatus().getPodIP() != null) {
      return p.getStatus().getPodIP();
    }
    List<PodIP> ips = p.getStatus().getPodIPs();
    return ips == null || ips.isEmpty() ? null : ips.getFirst().getIp();
  }

  /** Named container ports: protocol to (name to number); sidecars (restartable init containers) included. */
  public static Map<String, Map<String, Integer>> namedPorts(Pod p) {
    Map<String, Map<String, Integer>> out = new HashMap<>();
    List<Container> containers = new ArrayList<>();
    if (p.getSpec() != null && p.getSpec().getContainers() != null) {
      containers.addAll(p.getSpec().getContainers());
    }
    if (p.getSpec() != null && p.getSpec().getInitContainers() != null) {
      p.getSpec().getInitContainers().stream().filter(c -> "Always".equals(c.getRestartPolicy())).forEach(containers::add);
    }
    for (Container c : containers) {
      if (c.getPorts() == null) {
        continue;
      }
      for (ContainerPort cp : c.getPorts()) {
        if (cp.getName() != null && cp.getContainerPort() != null) {
          out.computeIfAbsent(cp.getProtocol() == null ? "TCP" : cp.getProtocol(), k -> new HashMap<>())
              .putIfAbsent(cp.getName(), cp.getContainerPort());
        }
      }
    }
    return out;
  }
}
