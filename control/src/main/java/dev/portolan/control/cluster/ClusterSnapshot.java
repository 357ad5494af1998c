package dev.portolan.control.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster objects a run is resolved against, as they were at {@code takenAt}: from the
 * operator's informers, a live list ({@code portolan run --kubeconfig}) or a snapshot file
 * ({@code portolan run --objects}). Kinds not given are empty lists; {@code source} says where the
 * objects came from, for the report.
 */
public record ClusterSnapshot(
    List<Namespace> namespaces,
    List<Pod> pods,
    List<Service> services,
    List<EndpointSlice> endpointSlices,
    List<Node> nodes,
    List<NetworkPolicy> networkPolicies,
    List<ReplicaSet> replicaSets,
    List<Job> jobs,
    Instant takenAt,
    String source) {

  public ClusterSnapshot {
    namespaces = List.copyOf(namespaces);
    pods = List.copyOf(pods);
    services = List.copyOf(services);
    endpointSlices = List.copyOf(endpointSlices);
    nodes = List.copyOf(nodes);
    networkPolicies = List.copyOf(networkPolicies);
    replicaSets = List.copyOf(replicaSets);
    jobs = List.copyOf(jobs);
  }

  /** No cluster at all: every address is unowned. */
  public static ClusterSnapshot empty(Instant at) {
    return of(List.of(), at, "none");
  }

  /**
   * The objects sorted by kind; kinds a run does not use (ConfigMaps, Deployments...) are ignored,
   * as a {@code kubectl get all -o yaml} dump holds them too.
   *
   * @return the snapshot; {@link #ignored} counts what was left out
   */
  public static ClusterSnapshot of(Collection<? extends HasMetadata> objects, Instant at, String source) {
    List<Namespace> namespaces = new ArrayList<>();
    List<Pod> pods = new ArrayList<>();
    List<Service> services = new ArrayList<>();
    List<EndpointSlice> slices = new ArrayList<>();
    List<Node> nodes = new ArrayList<>();
    List<NetworkPolicy> policies = new ArrayList<>();
    List<ReplicaSet> replicaSets = new ArrayList<>();
    List<Job> jobs = new ArrayList<>();
    for (HasMetadata o : objects) {
      switch (o) {
        case Namespace n -> namespaces.add(n);
        case Pod p -> pods.add(p);
        case Service s -> services.add(s);
        case EndpointSlice e -> slices.add(e);
        case Node n -> nodes.add(n);
        case NetworkPolicy n -> policies.add(n);
        case ReplicaSet r -> replicaSets.add(r);
        case Job j -> jobs.add(j);
        default -> { }
      }
    }
    return new ClusterSnapshot(namespaces, pods, services, slices, nodes, policies, replicaSets, jobs, at, source);
  }

  /** The kinds this snapshot can hold, for messages that say what a file lacked. */
  public static final List<String> KINDS =
      List.of("Namespace", "Pod", "Service", "EndpointSlice", "Node", "NetworkPolicy", "ReplicaSet", "Job");

  /** The labels of a namespace; empty when the snapshot does not have it (only its name is known). */
  public Map<String, String> namespaceLabels(String name) {
    return namespace(name).map(n -> n.getMetadata().getLabels()).orElseGet(() -> defaultLabels(name));
  }

  /**
   * A namespace by name. A snapshot without Namespace objects still knows every namespace's
   * {@code kubernetes.io/metadata.name} label, which the API server sets on every namespace.
   */
  public Optional<Namespace> namespace(String name) {
    for (Namespace n : namespaces) {
      if (name.equals(n.getMetadata().getName())) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }

  private static Map<String, String> defaultLabels(String name) {
    return Map.of("kubernetes.io/metadata.name", name);
  }

  /** Whether a namespace is known to exist: listed, or holding some object of the snapshot. */
  public List<String> namespaceNames() {
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    namespaces.forEach(n -> names.add(n.getMetadata().getName()));
    pods.forEach(p -> names.add(p.getMetadata().getNamespace()));
    services.forEach(s -> names.add(s.getMetadata().getNamespace()));
    return List.copyOf(names);
  }
}
