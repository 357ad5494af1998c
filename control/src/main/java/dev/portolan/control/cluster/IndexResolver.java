package dev.portolan.control.cluster;

import dev.portolan.control.target.AddressSet;
import dev.portolan.control.target.Ipv4;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.IndexEntry;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.NetworkVerdict;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.PortOwner;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Resolves the addresses of a scope against a cluster snapshot: every address some object owns
 * becomes one {@link IndexEntry}. Pods own their pod IPs (host-network pods own ports on their
 * node's address instead, as do hostPorts); Services own their cluster, external and
 * load-balancer IPs, and their NodePorts on every node address; Nodes own their InternalIP and
 * ExternalIP. A pod that has ended (Succeeded or Failed) owns nothing: its address may already be
 * another pod's. IPv4 only, as the engine is.
 */
public final class IndexResolver {
  private final ClusterSnapshot snapshot;
  private final TargetLabels labels;
  private final Workloads workloads;
  private final Map<String, List<String>> servicesOfPod;
  private final String resolvedAt;
  private final OwnerFacts facts;

  /** @param facts what the run's expectations make of each owner ({@link OwnerFacts#NONE} for nothing) */
  public IndexResolver(ClusterSnapshot snapshot, TargetLabels labels, OwnerFacts facts) {
    this.snapshot = snapshot;
    this.labels = labels;
    this.workloads = new Workloads(snapshot);
    this.servicesOfPod = servicesOfPods(snapshot);
    this.resolvedAt = snapshot.takenAt().toString();
    this.facts = facts;
  }

  /** The index of {@code scope}: one entry per owned address, sorted by address. */
  public List<IndexEntry> resolve(AddressSet scope) {
    Map<Integer, Builder> byIp = new TreeMap<>(Comparator.comparingLong(Ipv4::unsigned));
    for (Node n : snapshot.nodes()) {
      Target t = nodeTarget(n);
      for (String ip : nodeAddresses(n)) {
        Builder b = add(byIp, scope, ip, t);
        if (b != null && b.target == t) {
          b.rules = facts.rules(n);
        }
      }
    }
    for (Pod p : snapshot.pods()) {
      if (!owns(p)) {
        continue;
      }
      Target t = podTarget(p);
      List<Integer> rules = facts.rules(p);
      if (Boolean.TRUE.equals(spec(p).getHostNetwork())) {
        for (String ip : hostIps(p)) {
          for (ContainerPortRef c : declaredPorts(p)) {
            addPort(byIp, scope, ip, new PortOwner(c.port(), c.container(), c.name(), t, rules));
          }
        }
        continue;
      }
      for (String ip : podIps(p)) {
        Builder b = add(byIp, scope, ip, t);
        if (b != null && b.target == t) {
          for (ContainerPortRef c : declaredPorts(p)) {
            b.ports.put(c.port(), new PortOwner(c.port(), c.container(), c.name(), null));
          }
          b.rules = rules;
          b.network = facts.network(p);
        }
      }
      for (ContainerPortRef c : hostPorts(p)) {
        for (String ip : hostIps(p)) {
          addPort(byIp, scope, ip, new PortOwner(c.port(), c.container(), c.name(), t, rules));
        }
      }
    }
    for (Service s : snapshot.services()) {
      if (s.getSpec() == null) {
        continue;
      }
      Target t = serviceTarget(s);
      List<Integer> rules = facts.rules(s);
      for (String ip : serviceAddresses(s)) {
        Builder b = add(byIp, scope, ip, t);
        if (b != null && b.target == t) {
          b.rules = rules;
        }
        if (b != null && b.target == t && s.getSpec().getPorts() != null) {
          for (ServicePort sp : s.getSpec().getPorts()) {
            if (isTcp(sp.getProtocol()) && sp.getPort() != null) {
              b.ports.put(sp.getPort(), new PortOwner(sp.getPort(), null, sp.getName(), null));
            }
          }
        } else if (b != null && s.getSpec().getPorts() != null) {
          for (ServicePort sp : s.getSpec().getPorts()) {
            if (isTcp(sp.getProtocol()) && sp.getPort() != null) {
              b.ports.putIfAbsent(sp.getPort(), new PortOwner(sp.getPort(), null, sp.getName(), t, rules));
            }
          }
        }
      }
      if (("NodePort".equals(s.getSpec().getType()) || "LoadBalancer".equals(s.getSpec().getType())) && s.getSpec().getPorts() != null) {
        for (ServicePort sp : s.getSpec().getPorts()) {
          if (sp.getNodePort() == null || !isTcp(sp.getProtocol())) {
            continue;
          }
          for (Node n : snapshot.nodes()) {
            for (String ip : nodeAddresses(n)) {
              addPort(byIp, scope, ip, new PortOwner(sp.getNodePort(), null, sp.getName(), t, rules));
            }
          }
        }
      }
    }
    List<IndexEntry> out = new ArrayList<>(byIp.size());
    for (var e : byIp.entrySet()) {
      Builder b = e.getValue();
      out.add(new IndexEntry(Ipv4.format(e.getKey()), b.target, b.ports.isEmpty() ? null : List.copyOf(b.ports.values()),
          b.network, b.rules == null || b.rules.isEmpty() ? null : List.copyOf(b.rules), null, null));
    }
    return out;
  }

  /** What an address resolves to so far: its owner, its ports, its verdict. */
  private static final class Builder {
    Target target;
    final Map<Integer, PortOwner> ports = new TreeMap<>();
    List<Integer> rules;
    NetworkVerdict network;
  }

  private static Builder add(Map<Integer, Builder> byIp, AddressSet scope, String ip, Target t) {
    int a = Ipv4.parse(ip);
    if (!scope.contains(a)) {
      return null;
    }
    Builder b = byIp.computeIfAbsent(a, k -> new Builder());
    if (b.target == null) {
      b.target = t;
    }
    return b;
  }

  private static void addPort(Map<Integer, Builder> byIp, AddressSet scope, String ip, PortOwner owner) {
    int a = Ipv4.parse(ip);
    if (!scope.contains(a)) {
      return;
    }
    byIp.computeIfAbsent(a, k -> new Builder()).ports.putIfAbsent(owner.port(), owner);
  }

  /** A pod's spec; an object from a hand-written snapshot may have none. */
  private static PodSpec spec(Pod p) {
    return p.getSpec() == null ? EMPTY_SPEC : p.getSpec();
  }

  private static final PodSpec EMPTY_SPEC = new PodSpec();

  /** A pod that has not ended owns its addresses (a Pending pod may already have one). */
  static boolean owns(Pod p) {
    if (p.getStatus() == null) {
      return false;
    }
    String phase = p.getStatus().getPhase();
    return !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  Target podTarget(Pod p) {
    var meta = p.getMetadata();
    List<String> services = servicesOfPod.get(meta.getNamespace() + "/" + meta.getName());
    return new Target("Pod", meta.getNamespace(), meta.getName(), meta.getUid(),
        Boolean.TRUE.equals(spec(p).getHostNetwork()) ? true : null,
        workloads.of(p).orElse(null), services == null || services.isEmpty() ? null : services,
        spec(p).getNodeName(), labels.pick(meta.getLabels()), null, null, resolvedAt, null, null);
  }

  private Target serviceTarget(Service s) {
    var meta = s.getMetadata();
    return new Target("Service", meta.getNamespace(), meta.getName(), meta.getUid(), null, null, null, null,
        labels.pick(meta.getLabels()), null, null, resolvedAt, null, null);
  }

  private Target nodeTarget(Node n) {
    var meta = n.getMetadata();
    return new Target("Node", null, meta.getName(), meta.getUid(), null, null, null, meta.getName(),
        labels.pick(meta.getLabels()), null, null, resolvedAt, null, null);
  }

  /** A container port: its number, container and name. */
  record ContainerPortRef(int port, String container, String name) {}

  /** TCP ports the pod's containers declare (for a host-network pod: ports on the node). */
  static List<ContainerPortRef> declaredPorts(Pod p) {
    List<ContainerPortRef> out = new ArrayList<>();
    for (Container c : containers(p)) {
      if (c.getPorts() == null) {
        continue;
      }
      for (ContainerPort cp : c.getPorts()) {
        if (cp.getContainerPort() != null && isTcp(cp.getProtocol())) {
          out.add(new ContainerPortRef(cp.getContainerPort(), c.getName(), cp.getName()));
        }
      }
    }
    return out;
  }

  private static List<ContainerPortRef> hostPorts(Pod p) {
    List<ContainerPortRef> out = new ArrayList<>();
    if (Boolean.TRUE.equals(spec(p).getHostNetwork())) {
      return out;
    }
    for (Container c : containers(p)) {
      if (c.getPorts() == null) {
        continue;
      }
      for (ContainerPort cp : c.getPorts()) {
        if (cp.getHostPort() != null && cp.getHostPort() > 0 && isTcp(cp.getProtocol())) {
          out.add(new ContainerPortRef(cp.getHostPort(), c.getName(), cp.getName()));
        }
      }
    }
    return out;
  }

  private static List<Container> containers(Pod p) {
    List<Container> out = new ArrayList<>();
    if (spec(p).getContainers() != null) {
      out.addAll(spec(p).getContainers());
    }
    // Sidecars (init containers that keep running) declare ports too.
    if (spec(p).getInitContainers() != null) {
      for (Container c : spec(p).getInitContainers()) {
        if ("Always".equals(c.getRestartPolicy())) {
          out.add(c);
        }
      }
    }
    return out;
  }

  static boolean isTcp(String protocol) {
    return protocol == null || "TCP".equals(protocol);
  }

  static List<String> podIps(Pod p) {
    Set<String> ips = new TreeSet<>();
    if (p.getStatus().getPodIPs() != null) {
      for (PodIP ip : p.getStatus().getPodIPs()) {
        ips.add(ip.getIp());
      }
    }
    if (p.getStatus().getPodIP() != null) {
      ips.add(p.getStatus().getPodIP());
    }
    return ipv4(ips);
  }

  private static List<String> hostIps(Pod p) {
    Set<String> ips = new TreeSet<>();
    if (p.getStatus().getHostIPs() != null) {
      for (HostIP ip : p.getStatus().getHostIPs()) {
        ips.add(ip.getIp());
      }
    }
    if (p.getStatus().getHostIP() != null) {
      ips.add(p.getStatus().getHostIP());
    }
    return ipv4(ips);
  }

  /** A node's InternalIP and ExternalIP addresses: every address a finding may be about. */
  static List<String> nodeAddresses(Node n) {
    return nodeAddresses(n, Set.of("InternalIP", "ExternalIP"));
  }

  /**
   * A node's InternalIP addresses: what a node selector scans. ExternalIPs are where the node
   * meets the outside, often public addresses the guard rightly refuses; testing them is a scan
   * from outside, with the addresses named in spec.targets.cidrs.
   */
  static List<String> nodeInternalAddresses(Node n) {
    return nodeAddresses(n, Set.of("InternalIP"));
  }

  private static List<String> nodeAddresses(Node n, Set<String> types) {
    Set<String> ips = new TreeSet<>();
    if (n.getStatus() != null && n.getStatus().getAddresses() != null) {
      for (NodeAddress a : n.getStatus().getAddresses()) {
        if (types.contains(a.getType())) {
          ips.add(a.getAddress());
        }
      }
    }
    return ipv4(ips);
  }

  /** Cluster IPs, external IPs and load-balancer ingress IPs; headless ("None") and ExternalName have none. */
  static List<String> serviceAddresses(Service s) {
    Set<String> ips = new TreeSet<>();
    var spec = s.getSpec();
    if (spec.getClusterIPs() != null) {
      ips.addAll(spec.getClusterIPs());
    }
    if (spec.getClusterIP() != null) {
      ips.add(spec.getClusterIP());
    }
    if (spec.getExternalIPs() != null) {
      ips.addAll(spec.getExternalIPs());
    }
    if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null && s.getStatus().getLoadBalancer().getIngress() != null) {
      for (LoadBalancerIngress i : s.getStatus().getLoadBalancer().getIngress()) {
        if (i.getIp() != null) {
          ips.add(i.getIp());
        }
      }
    }
    return ipv4(ips);
  }

  private static List<String> ipv4(Set<String> ips) {
    List<String> out = new ArrayList<>();
    for (String ip : ips) {
      if (ip != null && !"None".equals(ip) && Ipv4.looksLikeAddress(ip) && isDottedQuad(ip)) {
        out.add(ip);
      }
    }
    return out;
  }

  private static boolean isDottedQuad(String s) {
    try {
      Ipv4.parse(s);
      return s.chars().filter(c -> c == '.').count() == 3;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * "namespace/name" of the Services in front of each pod: from EndpointSlices (which pods back
   * which Service, as kube-proxy sees it); without any EndpointSlice in the snapshot, from each
   * Service's selector over the pods of its namespace.
   */
  public static Map<String, List<String>> servicesOfPods(ClusterSnapshot snapshot) {
    Map<String, Set<String>> out = new HashMap<>();
    if (!snapshot.endpointSlices().isEmpty()) {
      Map<String, String> podByIp = new HashMap<>();
      for (Pod p : snapshot.pods()) {
        if (owns(p)) {
          for (String ip : podIps(p)) {
            podByIp.put(p.getMetadata().getNamespace() + "/" + ip, p.getMetadata().getName());
          }
        }
      }
      for (EndpointSlice slice : snapshot.endpointSlices()) {
        String ns = slice.getMetadata().getNamespace();
        String service = slice.getMetadata().getLabels() == null ? null : slice.getMetadata().getLabels().get("kubernetes.io/service-name");
        if (service == null || slice.getEndpoints() == null) {
          continue;
        }
        for (Endpoint e : slice.getEndpoints()) {
          String pod = null;
          if (e.getTargetRef() != null && "Pod".equals(e.getTargetRef().getKind())) {
            pod = e.getTargetRef().getName();
          } else if (e.getAddresses() != null) {
            for (String a : e.getAddresses()) {
              pod = pod != null ? pod : podByIp.get(ns + "/" + a);
            }
          }
          if (pod != null) {
            out.computeIfAbsent(ns + "/" + pod, k -> new TreeSet<>()).add(ns + "/" + service);
          }
        }
      }
    } else {
      for (Service s : snapshot.services()) {
        Map<String, String> selector = s.getSpec() == null ? null : s.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
          continue;
        }
        String ns = s.getMetadata().getNamespace();
        for (Pod p : snapshot.pods()) {
          if (ns.equals(p.getMetadata().getNamespace()) && LabelSelectors.matches(selector, null, p.getMetadata().getLabels())) {
            out.computeIfAbsent(ns + "/" + p.getMetadata().getName(), k -> new TreeSet<>()).add(ns + "/" + s.getMetadata().getName());
          }
        }
      }
    }
    Map<String, List<String>> lists = new LinkedHashMap<>();
    out.forEach((k, v) -> lists.put(k, List.copyOf(v)));
    return lists;
  }

  /** When each pod was created, by uid: a new owner cannot have had its address before that. */
  public static Map<String, Instant> creationTimes(ClusterSnapshot snapshot) {
    Map<String, Instant> out = new HashMap<>();
    for (Pod p : snapshot.pods()) {
      String ts = p.getMetadata().getCreationTimestamp();
      if (p.getMetadata().getUid() != null && ts != null) {
        try {
          out.put(p.getMetadata().getUid(), Instant.parse(ts));
        } catch (java.time.format.DateTimeParseException e) {
          // a hand-written snapshot with a bad timestamp: no tightening for this pod
        }
      }
    }
    return out;
  }
}
