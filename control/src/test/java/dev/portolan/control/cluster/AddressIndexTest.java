package dev.portolan.control.cluster;

import static dev.portolan.control.fixtures.Cluster.T0;
import static dev.portolan.control.fixtures.Cluster.controller;
import static dev.portolan.control.fixtures.Cluster.node;
import static dev.portolan.control.fixtures.Cluster.pod;
import static dev.portolan.control.fixtures.Cluster.resolve;
import static dev.portolan.control.fixtures.Cluster.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.control.target.Ipv4;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.IndexEntry;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.NetworkVerdict;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.PortOwner;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import dev.portolan.crds.v1alpha1.ScanReportStatus.WorkloadRef;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("a run's address index over time")
class AddressIndexTest {
  /** The last time the operator saw the index match the cluster. */
  private static final Instant T1 = T0.plusSeconds(600);
  /** When it saw the address change owner. */
  private static final Instant T2 = T0.plusSeconds(900);
  private static final String X = "10.244.1.7";

  private static final Target WEB = podTarget("shop", "web-1", "Deployment", "web", T0);
  private static final Target DB = podTarget("shop", "db-0", "StatefulSet", "db", T2);

  private static Target podTarget(String namespace, String name, String workloadKind, String workload, Instant resolvedAt) {
    return new Target("Pod", namespace, name, "uid-" + name, null, new WorkloadRef(workloadKind, workload), null, "node-a",
        null, null, null, resolvedAt.toString(), null, null);
  }

  private static Target nodeTarget(String name) {
    return new Target("Node", null, name, "uid-" + name, null, null, null, name, null, null, null, T0.toString(), null, null);
  }

  private static IndexEntry initial(String ip, Target t) {
    return new IndexEntry(ip, t, null, null);
  }

  private static IndexEntry change(String ip, Target t, Instant after, Instant before) {
    return new IndexEntry(ip, t, null, null, null, after.toString(), before.toString());
  }

  private static int ip(String text) {
    return Ipv4.parse(text);
  }

  private static Ownership owner(AddressIndex index, String address, int port, Instant time) {
    return index.attribute(ip(address), port, time).orElseThrow(() -> new AssertionError("no owner of " + address));
  }

  @Nested
  @DisplayName("names the owner at a probe's time")
  class Attribution {
    private final AddressIndex reused = AddressIndex.of(List.of(initial(X, WEB), change(X, DB, T1, T2)), T0);

    @Test
    @DisplayName("exactly, at any time and at an unknown time, when the address never changed owner")
    void unchanged() {
      AddressIndex index = AddressIndex.of(List.of(initial(X, WEB)), T0);
      for (Instant time : new Instant[] {T0, T2.plusSeconds(3600), null}) {
        Target t = owner(index, X, 8080, time).target();
        assertThat(t.name()).isEqualTo("web-1");
        assertThat(t.attribution()).isEqualTo(Target.EXACT);
        assertThat(t.note()).isNull();
      }
    }

    @Test
    @DisplayName("as the old pod up to the start of the change window, the new pod after it was seen: a reused IP is not pinned on the new owner")
    void byProbeTime() {
      assertThat(owner(reused, X, 80, T0.plusSeconds(60)).target().name()).isEqualTo("web-1");
      assertThat(owner(reused, X, 80, T1).target().name()).as("the window is open at its start").isEqualTo("web-1");
      assertThat(owner(reused, X, 80, T1).target().attribution()).isEqualTo(Target.EXACT);
      Target after = owner(reused, X, 80, T2.plusMillis(1)).target();
      assertThat(after.name()).isEqualTo("db-0");
      assertThat(after.attribution()).isEqualTo(Target.EXACT);
      assertThat(reused.latest(ip(X)).orElseThrow().target().name()).as("what the index says now").isEqualTo("db-0");
    }

    @Test
    @DisplayName("as Uncertain inside the change window (its end included): the previous owner, with both owners in the note")
    void insideWindow() {
      Instant probe = T1.plusSeconds(100);
      Target t = owner(reused, X, 80, probe).target();
      assertThat(t.name()).isEqualTo("web-1");
      assertThat(t.attribution()).isEqualTo(Target.UNCERTAIN);
      assertThat(t.note()).contains("Deployment shop/web", "StatefulSet shop/db", T1.toString(), T2.toString(), probe.toString());
      assertThat(owner(reused, X, 80, T2).target().attribution()).isEqualTo(Target.UNCERTAIN);
    }

    @Test
    @DisplayName("as Uncertain, the latest owner, when the probe time is unknown and the address changed owner")
    void unknownTime() {
      Target t = owner(reused, X, 80, null).target();
      assertThat(t.name()).isEqualTo("db-0");
      assertThat(t.attribution()).isEqualTo(Target.UNCERTAIN);
      assertThat(t.note()).contains("unknown");
    }

    @Test
    @DisplayName("as nothing before an address was first owned, and as the new owner, Uncertain, while it was taken")
    void newlyOwned() {
      AddressIndex index = AddressIndex.of(List.of(change(X, DB, T1, T2)), T0);
      assertThat(index.attribute(ip(X), 80, T1)).isEmpty();
      Target during = owner(index, X, 80, T1.plusSeconds(1)).target();
      assertThat(during.name()).isEqualTo("db-0");
      assertThat(during.attribution()).isEqualTo(Target.UNCERTAIN);
      assertThat(during.note()).contains("from nothing to StatefulSet shop/db");
      assertThat(owner(index, X, 80, T2.plusSeconds(1)).target().attribution()).isEqualTo(Target.EXACT);
    }

    @Test
    @DisplayName("as nothing after the owner went away and nothing took the address")
    void released() {
      AddressIndex index = AddressIndex.of(List.of(initial(X, WEB), change(X, null, T1, T2)), T0);
      assertThat(owner(index, X, 80, T1).target().name()).isEqualTo("web-1");
      assertThat(index.attribute(ip(X), 80, T2.plusSeconds(1))).isEmpty();
      assertThat(owner(index, X, 80, T2).target().note()).contains("to nothing");
    }

    @Test
    @DisplayName("through several changes in the order they were seen, whatever order the entries come in")
    void severalChanges() {
      Instant t3 = T2.plusSeconds(300);
      Instant t4 = T2.plusSeconds(600);
      Target api = podTarget("shop", "api-1", "Deployment", "api", t4);
      AddressIndex index = AddressIndex.of(List.of(change(X, api, t3, t4), initial(X, WEB), change(X, DB, T1, T2)), T0);
      assertThat(owner(index, X, 80, T2.plusSeconds(1)).target().name()).isEqualTo("db-0");
      Target between = owner(index, X, 80, t3.plusSeconds(1)).target();
      assertThat(between.name()).as("the previous owner is the one before this change").isEqualTo("db-0");
      assertThat(between.attribution()).isEqualTo(Target.UNCERTAIN);
      assertThat(between.note()).contains("from StatefulSet shop/db to Deployment shop/api");
      assertThat(owner(index, X, 80, t4.plusSeconds(1)).target().name()).isEqualTo("api-1");
      assertThat(index.latest(ip(X)).orElseThrow().target()).isEqualTo(api);
    }

    @Test
    @DisplayName("with the time the address was resolved to that owner")
    void resolvedAt() {
      assertThat(owner(reused, X, 80, T1).target().resolvedAt()).isEqualTo(T0.toString());
      assertThat(owner(reused, X, 80, T2.plusSeconds(1)).target().resolvedAt()).isEqualTo(T2.toString());
    }

    @Test
    @DisplayName("per port: a port another object owns names it, with its container, port name and rules; other ports name the address's owner")
    void portOwners() {
      Target proxy = new Target("Pod", "kube-system", "kube-proxy-7xk2p", "uid-proxy", true, new WorkloadRef("DaemonSet", "kube-proxy"),
          null, "node-a", null, null, null, T0.toString(), null, null);
      IndexEntry onNode = new IndexEntry("10.0.0.5", nodeTarget("node-a"),
          List.of(new PortOwner(10249, "kube-proxy", "metrics", proxy, List.of(3))), null, List.of(1), null, null);
      AddressIndex index = AddressIndex.of(List.of(onNode), T0);
      Ownership metrics = owner(index, "10.0.0.5", 10249, T0);
      assertThat(metrics.target().name()).isEqualTo("kube-proxy-7xk2p");
      assertThat(metrics.target().hostNetwork()).isTrue();
      assertThat(metrics.target().container()).isEqualTo("kube-proxy");
      assertThat(metrics.target().portName()).isEqualTo("metrics");
      assertThat(metrics.rules()).containsExactly(3);
      Ownership ssh = owner(index, "10.0.0.5", 22, T0);
      assertThat(ssh.target().kind()).isEqualTo("Node");
      assertThat(ssh.target().container()).isNull();
      assertThat(ssh.rules()).containsExactly(1);
    }

    @Test
    @DisplayName("per port: a port the owner declares names the container and port name, with the owner's rules and verdict")
    void declaredPorts() {
      NetworkVerdict verdict = new NetworkVerdict("8080", List.of("shop/deny-all"), null, null, "8080,9090");
      IndexEntry e = new IndexEntry(X, WEB, List.of(new PortOwner(8080, "web", "http", null)), verdict, List.of(0, 2), null, null);
      AddressIndex index = AddressIndex.of(List.of(e), T0);
      Ownership http = owner(index, X, 8080, T0);
      assertThat(http.target().name()).isEqualTo("web-1");
      assertThat(http.target().container()).isEqualTo("web");
      assertThat(http.target().portName()).isEqualTo("http");
      assertThat(http.rules()).containsExactly(0, 2);
      assertThat(http.network()).isEqualTo(verdict);
      Ownership other = owner(index, X, 9999, T0);
      assertThat(other.target().container()).isNull();
      assertThat(other.network()).isEqualTo(verdict);
    }

    @Test
    @DisplayName("as nothing for an address the index does not hold, or one that only has ports of others")
    void unowned() {
      Target proxy = podTarget("kube-system", "kube-proxy-7xk2p", "DaemonSet", "kube-proxy", T0);
      AddressIndex index = AddressIndex.of(List.of(new IndexEntry("10.0.0.5", null,
          List.of(new PortOwner(10249, "kube-proxy", "metrics", proxy)), null)), T0);
      assertThat(index.attribute(ip("10.0.0.5"), 10249, T0)).isPresent();
      assertThat(index.attribute(ip("10.0.0.5"), 22, T0)).isEmpty();
      assertThat(index.attribute(ip("10.0.0.6"), 22, T0)).isEmpty();
      assertThat(AddressIndex.none().attribute(ip(X), 80, T0)).isEmpty();
    }
  }

  @Nested
  @DisplayName("appends the changes the cluster shows during the run")
  class Changes {
    private final AddressIndex start = AddressIndex.of(List.of(initial(X, WEB)), T0);

    @Test
    @DisplayName("a pod IP given to a new pod is one change, in the window after the last check, up to when it was seen")
    void reused() {
      List<IndexEntry> changes = start.changes(List.of(initial(X, DB)), T1, T2, Map.of());
      assertThat(changes).containsExactly(change(X, DB, T1, T2));
    }

    @Test
    @DisplayName("the window starts no earlier than the new pod's creation, if that fell between the check and the sighting")
    void narrowedByCreation() {
      Instant created = T1.plusSeconds(120);
      assertThat(start.changes(List.of(initial(X, DB)), T1, T2, Map.of("uid-db-0", created)))
          .containsExactly(change(X, DB, created, T2));
      assertThat(start.changes(List.of(initial(X, DB)), T1, T2, Map.of("uid-db-0", T0.minusSeconds(60))))
          .as("created before the last check").containsExactly(change(X, DB, T1, T2));
      assertThat(start.changes(List.of(initial(X, DB)), T1, T2, Map.of("uid-db-0", T2.plusSeconds(60))))
          .as("a creation time after the sighting (clock skew) is not trusted").containsExactly(change(X, DB, T1, T2));
    }

    @Test
    @DisplayName("an address nothing owns any more is a change to no owner; one newly owned is a change from nothing")
    void releasedAndTaken() {
      assertThat(start.changes(List.of(), T1, T2, Map.of())).containsExactly(change(X, null, T1, T2));
      assertThat(start.changes(List.of(initial(X, WEB), initial("10.244.1.8", DB)), T1, T2, Map.of()))
          .containsExactly(change("10.244.1.8", DB, T1, T2));
    }

    @Test
    @DisplayName("the same owner seen again (by uid) is no change, whatever else its target now says")
    void sameOwner() {
      Target relabelled = new Target("Pod", "shop", "web-1", "uid-web-1", null, new WorkloadRef("Deployment", "web"),
          List.of("shop/web"), "node-a", Map.of("app", "web"), null, null, T2.toString(), null, null);
      assertThat(start.changes(List.of(initial(X, relabelled)), T1, T2, Map.of())).isEmpty();
    }

    @Test
    @DisplayName("a port that changes owner on an address that does not is a change (a host-network pod replaced on its node)")
    void portOwnerReplaced() {
      Target oldProxy = podTarget("kube-system", "kube-proxy-aaaaa", "DaemonSet", "kube-proxy", T0);
      Target newProxy = podTarget("kube-system", "kube-proxy-bbbbb", "DaemonSet", "kube-proxy", T2);
      AddressIndex index = AddressIndex.of(List.of(new IndexEntry("10.0.0.5", nodeTarget("node-a"),
          List.of(new PortOwner(10249, "kube-proxy", "metrics", oldProxy)), null)), T0);
      IndexEntry now = new IndexEntry("10.0.0.5", nodeTarget("node-a"),
          List.of(new PortOwner(10249, "kube-proxy", "metrics", newProxy)), null);
      List<IndexEntry> changes = index.changes(List.of(now), T1, T2, Map.of());
      assertThat(changes).hasSize(1);
      assertThat(changes.getFirst().ports()).extracting(p -> p.target().name()).containsExactly("kube-proxy-bbbbb");

      List<IndexEntry> all = new ArrayList<>(index.entries());
      all.addAll(changes);
      AddressIndex after = AddressIndex.of(all, T0);
      assertThat(owner(after, "10.0.0.5", 10249, T1).target().name()).isEqualTo("kube-proxy-aaaaa");
      assertThat(owner(after, "10.0.0.5", 10249, T1.plusSeconds(1)).target().attribution()).isEqualTo(Target.UNCERTAIN);
      assertThat(owner(after, "10.0.0.5", 10249, T2.plusSeconds(1)).target().name()).isEqualTo("kube-proxy-bbbbb");
      assertThat(owner(after, "10.0.0.5", 22, T1.plusSeconds(1)).target().kind()).as("the node's own ports").isEqualTo("Node");
    }

    @Test
    @DisplayName("are compared with the latest entry of an address, not the one the run started with")
    void againstLatest() {
      AddressIndex changed = AddressIndex.of(List.of(initial(X, WEB), change(X, DB, T1, T2)), T0);
      Instant t3 = T2.plusSeconds(60);
      assertThat(changed.changes(List.of(initial(X, DB)), T2, t3, Map.of())).isEmpty();
      assertThat(changed.changes(List.of(initial(X, WEB)), T2, t3, Map.of())).containsExactly(change(X, WEB, T2, t3));
      AddressIndex released = AddressIndex.of(List.of(initial(X, WEB), change(X, null, T1, T2)), T0);
      assertThat(released.changes(List.of(), T2, t3, Map.of())).as("still nothing").isEmpty();
    }
  }

  @Nested
  @DisplayName("as a whole")
  class Whole {
    @Test
    @DisplayName("gives its entries by address as unsigned numbers, each address's initial entry before its changes")
    void entries() {
      IndexEntry high = initial("198.18.0.1", WEB);
      IndexEntry highChange = change("198.18.0.1", DB, T1, T2);
      IndexEntry low = initial("10.244.1.7", WEB);
      AddressIndex index = AddressIndex.of(List.of(highChange, high, low), T0);
      assertThat(index.entries()).containsExactly(low, high, highChange);
      assertThat(index.size()).isEqualTo(3);
      assertThat(index.isEmpty()).isFalse();
      assertThat(index.addresses()).containsExactlyInAnyOrder(ip("198.18.0.1"), ip("10.244.1.7"));
      assertThat(index.latest(ip("198.18.0.1"))).contains(highChange);
      assertThat(index.latest(ip("10.244.1.8"))).isEmpty();
      assertThat(index.resolvedAt()).isEqualTo(T0);
    }

    @Test
    @DisplayName("of a run without a cluster is empty and has no resolution time")
    void none() {
      AddressIndex none = AddressIndex.none();
      assertThat(none.isEmpty()).isTrue();
      assertThat(none.size()).isZero();
      assertThat(none.entries()).isEmpty();
      assertThat(none.resolvedAt()).isNull();
    }
  }

  @Nested
  @DisplayName("over a run in which a pod is deleted and its IP reused")
  class OverARun {
    private final Instant created = T1.plusSeconds(120);

    private final PodBuilder web = pod("shop", "web-7d4b9-x2x4k", X).editMetadata().addToLabels("pod-template-hash", "7d4b9")
        .addToOwnerReferences(controller("apps/v1", "ReplicaSet", "web-7d4b9")).endMetadata();
    private final PodBuilder db = pod("shop", "db-0", X).editMetadata().withCreationTimestamp(created.toString())
        .addToOwnerReferences(controller("apps/v1", "StatefulSet", "db")).endMetadata();

    /** The index the run starts with at T0, and the changes the operator appends at T2, having last checked at T1. */
    private AddressIndex run() {
      var first = resolve(snapshot(T0, web.build(), node("node-a", "10.0.0.5").build()), "10.0.0.0/8");
      AddressIndex index = AddressIndex.of(first, T0);
      var later = snapshot(T2, new PodBuilder(web.build()).editStatus().withPhase("Failed").endStatus().build(), db.build(),
          node("node-a", "10.0.0.5").build());
      List<IndexEntry> all = new ArrayList<>(first);
      all.addAll(index.changes(resolve(later, "10.0.0.0/8"), T1, T2, IndexResolver.creationTimes(later)));
      return AddressIndex.of(all, T0);
    }

    @Test
    @DisplayName("records one change, for the reused address only, from the new pod's creation to when it was seen")
    void oneChange() {
      AddressIndex index = run();
      assertThat(index.size()).isEqualTo(3);
      IndexEntry latest = index.latest(ip(X)).orElseThrow();
      assertThat(latest.target().name()).isEqualTo("db-0");
      assertThat(latest.changedAfter()).isEqualTo(created.toString());
      assertThat(latest.changedBefore()).isEqualTo(T2.toString());
      assertThat(index.latest(ip("10.0.0.5")).orElseThrow().changedBefore()).as("the node did not change").isNull();
    }

    @Test
    @DisplayName("attributes each probe to the owner at its time, never to whoever owns the address when the report is read")
    void attribution() {
      AddressIndex index = run();
      Target early = owner(index, X, 8080, T1.plusSeconds(60)).target();
      assertThat(early.describe()).as("before the new pod existed").isEqualTo("Deployment shop/web");
      assertThat(early.attribution()).isEqualTo(Target.EXACT);
      assertThat(early.resolvedAt()).isEqualTo(T0.toString());
      Target during = owner(index, X, 8080, created.plusSeconds(1)).target();
      assertThat(during.attribution()).isEqualTo(Target.UNCERTAIN);
      assertThat(during.note()).contains("Deployment shop/web", "StatefulSet shop/db");
      Target late = owner(index, X, 8080, T2.plusSeconds(1)).target();
      assertThat(late.describe()).isEqualTo("StatefulSet shop/db");
      assertThat(late.attribution()).isEqualTo(Target.EXACT);
      assertThat(late.resolvedAt()).isEqualTo(T2.toString());
    }
  }

  @Test
  @DisplayName("pods' creation times are known by uid; a pod without a uid or with a bad timestamp narrows nothing")
  void creationTimes() {
    var good = pod("shop", "web-1", X).build();
    var noUid = pod("shop", "web-2", "10.244.1.8").editMetadata().withUid(null).endMetadata().build();
    var bad = pod("shop", "web-3", "10.244.1.9").editMetadata().withCreationTimestamp("yesterday").endMetadata().build();
    var unknown = pod("shop", "web-4", "10.244.1.10").editMetadata().withCreationTimestamp(null).endMetadata().build();
    Map<String, Instant> times = IndexResolver.creationTimes(snapshot(good, noUid, bad, unknown));
    assertThat(times).containsExactly(Map.entry("uid-web-1", Instant.parse("2026-12-01T09:00:00Z")));
  }
}
