package dev.portolan.control.run;

import dev.portolan.control.cluster.AddressIndex;
import dev.portolan.control.cluster.ClusterSnapshot;
import dev.portolan.control.cluster.IndexResolver;
import dev.portolan.control.cluster.OwnerFacts;
import dev.portolan.control.cluster.TargetLabels;
import dev.portolan.control.expect.ExpectationFacts;
import dev.portolan.control.netpol.NetworkPolicyEvaluator;
import dev.portolan.control.netpol.Peer;
import dev.portolan.control.netpol.PortRanges;
import dev.portolan.control.netpol.Reachability;
import dev.portolan.control.target.AddressSet;
import dev.portolan.control.target.PortSet;
import dev.portolan.crds.v1alpha1.ExpectationsSpec;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.IndexEntry;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.PortOwner;
import dev.portolan.crds.v1alpha1.ScanReportSpec.Vantage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run's addresses resolved against the cluster when it starts: the index (what owns each
 * address, which expectations select it, what NetworkPolicies let the vantage point reach), the
 * ports to watch for broken paths, and the vantage point as policies see it.
 *
 * @param watch "ip:port" of ports a pod declares, the run scans and the policies allow: the agents
 *     report them even when silent, so a blocked path is seen (bounded by {@link #MAX_WATCH})
 */
public record RunResolution(List<IndexEntry> entries, List<String> watch, Vantage vantage, Instant resolvedAt, String source) {
  /** At most this many watched ports per run; beyond, broken paths are not looked for (said in the report). */
  public static final int MAX_WATCH = 10_000;

  /** A run that knows no cluster. */
  public static RunResolution none(Vantage vantage) {
    return new RunResolution(List.of(), List.of(), vantage, null, null);
  }

  public AddressIndex index() {
    return AddressIndex.of(entries, resolvedAt);
  }

  /**
   * Resolves {@code scope} against {@code snapshot} for a policy in {@code policyNamespace}.
   *
   * @param vantage the run's vantage point; for agents, {@code addresses} are the nodes' addresses
   */
  public static RunResolution resolve(
      ExpectationsSpec expectations, String policyNamespace, AddressSet scope, PortSet ports, ClusterSnapshot snapshot,
      Vantage vantage, TargetLabels labels) {
    Reachability reach = null;
    if (expectations != null && expectations.derivedFromNetworkPolicies()) {
      NetworkPolicyEvaluator evaluator = new NetworkPolicyEvaluator(snapshot.networkPolicies(), snapshot::namespaceLabels);
      reach = new Reachability(evaluator, sources(vantage));
    }
    OwnerFacts facts = expectations == null ? OwnerFacts.NONE
        : new ExpectationFacts(expectations, policyNamespace, snapshot, reach);
    List<IndexEntry> entries = new IndexResolver(snapshot, labels, facts).resolve(scope);
    List<String> watch = new ArrayList<>();
    if (reach != null) {
      for (IndexEntry e : entries) {
        if (e.target() == null || !"Pod".equals(e.target().kind()) || e.ports() == null) {
          continue;
        }
        PortRanges allowed = e.network() == null || e.network().allowedPorts() == null
            ? PortRanges.all() : PortRanges.parse(e.network().allowedPorts());
        for (PortOwner p : e.ports()) {
          if (p.target() == null && p.port() != null && ports.indexOf(p.port()) >= 0 && allowed.contains(p.port())
              && watch.size() < MAX_WATCH) {
            watch.add(e.ip() + ":" + p.port());
          }
        }
      }
    }
    Vantage v = vantage;
    if (v != null && Vantage.POD.equals(v.kind()) && v.namespaceLabels() == null) {
      v = new Vantage(v.kind(), v.namespace(), v.labels(), snapshot.namespaceLabels(v.namespace()), v.addresses());
    }
    return new RunResolution(entries, watch, v, snapshot.takenAt(), snapshot.source());
  }

  /** The vantage point's sources as NetworkPolicies see them: a pod (no address yet), or each node. */
  static List<Peer> sources(Vantage vantage) {
    if (vantage == null || Vantage.NODE.equals(vantage.kind())) {
      List<Peer> nodes = new ArrayList<>();
      if (vantage != null && vantage.addresses() != null) {
        for (String ip : vantage.addresses()) {
          nodes.add(Peer.node(null, ip));
        }
      }
      if (nodes.isEmpty()) {
        nodes.add(Peer.node(null, null));
      }
      return nodes;
    }
    Map<String, String> labels = vantage.labels() == null ? Map.of() : vantage.labels();
    return List.of(Peer.pod(vantage.namespace(), null, labels, null, null, Map.of()));
  }
}
