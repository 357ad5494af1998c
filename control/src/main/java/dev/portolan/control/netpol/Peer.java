package dev.portolan.control.netpol;

import java.util.Map;

/**
 * One end of a connection, as NetworkPolicies see it: a pod (namespace, labels, address, node,
 * the container ports it declares by name), a node's own network (a host-network source on
 * {@code node}: matched by ipBlocks only), or an address outside the cluster.
 *
 * @param ports named container ports: name to number, per protocol ("TCP", "UDP", "SCTP")
 */
public record Peer(
    Kind kind, String namespace, String name, Map<String, String> labels, String ip, String node,
    Map<String, Map<String, Integer>> ports) {

  /** What kind of end this is. */
  public enum Kind {
    /** A pod on the pod network. */
    POD,
    /** A node's own network: the node itself, or a host-network pod on it. */
    NODE,
    /** An address no object of the cluster owns. */
    EXTERNAL
  }

  public Peer {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    ports = ports == null ? Map.of() : Map.copyOf(ports);
  }

  public static Peer pod(String namespace, String name, Map<String, String> labels, String ip, String node,
      Map<String, Map<String, Integer>> ports) {
    return new Peer(Kind.POD, namespace, name, labels, ip, node, ports);
  }

  public static Peer node(String node, String ip) {
    return new Peer(Kind.NODE, null, node, Map.of(), ip, node, Map.of());
  }

  public static Peer external(String ip) {
    return new Peer(Kind.EXTERNAL, null, null, Map.of(), ip, null, Map.of());
  }

  public boolean isPod() {
    return kind == Kind.POD;
  }

  /** "ns/name" for a pod, "node node-1" or the address otherwise: how messages name it. */
  public String describe() {
    return switch (kind) {
      case POD -> "pod " + namespace + "/" + name;
      case NODE -> "node " + name + (ip == null ? "" : " (" + ip + ")");
      case EXTERNAL -> ip;
    };
  }

  /** The number of a named container port for a protocol, or null when the pod declares none. */
  public Integer namedPort(String name, String protocol) {
    Map<String, Integer> byName = ports.get(protocol);
    return byName == null ? null : byName.get(name);
  }
}
