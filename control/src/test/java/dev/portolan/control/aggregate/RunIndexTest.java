package dev.portolan.control.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.portolan.control.target.Ipv4;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.IndexEntry;
import dev.portolan.crds.v1alpha1.ScanReportStatus.AddressChange;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import dev.portolan.crds.v1alpha1.ScanReportStatus.TargetIndex;
import dev.portolan.crds.v1alpha1.ScanReportStatus.WorkloadRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a run's index as the aggregator reads it")
class RunIndexTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Instant T1 = T0.plusSeconds(600);
  private static final Instant T2 = T0.plusSeconds(900);

  private static Target pod(String name, String workloadKind, String workload) {
    return new Target("Pod", "shop", name, "uid-" + name, null, new WorkloadRef(workloadKind, workload), null, "node-a", null,
        null, null, T0.toString(), null, null);
  }

  private static IndexEntry initial(String ip, Target t) {
    return new IndexEntry(ip, t, null, null);
  }

  private static IndexEntry change(String ip, Target t, Instant after, Instant before) {
    return new IndexEntry(ip, t, null, null, null, after.toString(), before.toString());
  }

  private static ScanReportPage page(String name, String contents, List<IndexEntry> entries, List<Finding> findings) {
    ScanReportPage p = new ScanReportPage();
    p.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("scans").build());
    p.setSpec(new ScanReportPageSpec("lab", "lab-g1", contents, null, 1, entries == null ? 0 : entries.size(), findings, entries,
        null));
    return p;
  }

  private static ScanReportPage targets(String name, IndexEntry... entries) {
    return page(name, ScanReportPageSpec.TARGETS, List.of(entries), null);
  }

  @Test
  @DisplayName("reads the index from the run's Targets pages in any order, and nothing from its findings pages")
  void fromTargetPages() {
    Finding f = new Finding("10.244.1.9", 80, null, null, null, null, null, null, null, null, null, "node-a", T0.toString());
    RunIndex index = RunIndex.of(List.of(
        targets("lab-g1-targets-2", change("10.244.1.7", pod("db-0", "StatefulSet", "db"), T1, T2)),
        page("lab-g1-s0-p1", ScanReportPageSpec.FINDINGS, List.of(initial("10.244.1.9", pod("stray", "Job", "x"))), List.of(f)),
        targets("lab-g1-targets-1", initial("10.244.1.7", pod("web-1", "Deployment", "web")),
            initial("10.244.1.8", pod("api-1", "Deployment", "api")))), T0, "cluster", T2, 0);
    assertThat(index.pages()).containsExactly("lab-g1-targets-1", "lab-g1-targets-2");
    assertThat(index.index().size()).isEqualTo(3);
    assertThat(index.index().latest(Ipv4.parse("10.244.1.9"))).isEmpty();
    assertThat(index.index().resolvedAt()).isEqualTo(T0);
  }

  @Test
  @DisplayName("says in the status how many addresses were owned at the start, and each change with its previous and new owner")
  void status() {
    RunIndex index = RunIndex.of(List.of(targets("lab-g1-targets-1",
        initial("10.244.1.7", pod("web-1", "Deployment", "web")),
        initial("10.244.1.8", pod("api-1", "Deployment", "api")),
        change("10.244.1.7", pod("db-0", "StatefulSet", "db"), T1, T2),
        change("10.244.1.8", null, T1, T2),
        change("10.244.1.9", pod("job-1", "Job", "migrate"), T0, T1))), T0, "cluster", T2, 0);
    TargetIndex status = index.status().orElseThrow();
    assertThat(status.entries()).isEqualTo(2);
    assertThat(status.resolvedAt()).isEqualTo(T0.toString());
    assertThat(status.checkedAt()).isEqualTo(T2.toString());
    assertThat(status.source()).isEqualTo("cluster");
    assertThat(status.pages()).containsExactly("lab-g1-targets-1");
    assertThat(status.changes()).containsExactly(
        new AddressChange("10.244.1.9", null, "Job shop/migrate", T0.toString(), T1.toString()),
        new AddressChange("10.244.1.7", "Deployment shop/web", "StatefulSet shop/db", T1.toString(), T2.toString()),
        new AddressChange("10.244.1.8", "Deployment shop/api", null, T1.toString(), T2.toString()));
    assertThat(status.changesDropped()).isNull();
  }

  @Test
  @DisplayName("names as a change's previous owner the one just before it, not the one the run started with")
  void previousOwnerOfALaterChange() {
    Instant t3 = T2.plusSeconds(300);
    RunIndex index = RunIndex.of(List.of(targets("lab-g1-targets-1",
        change("10.244.1.7", pod("api-1", "Deployment", "api"), T2, t3),
        initial("10.244.1.7", pod("web-1", "Deployment", "web")),
        change("10.244.1.7", pod("db-0", "StatefulSet", "db"), T1, T2))), T0, "cluster", t3, 0);
    assertThat(index.status().orElseThrow().changes()).extracting(AddressChange::previous, AddressChange::current)
        .containsExactly(
            tuple("Deployment shop/web", "StatefulSet shop/db"),
            tuple("StatefulSet shop/db", "Deployment shop/api"));
  }

  @Test
  @DisplayName("orders changes by time, not by how their times are written: 10:15:00Z comes before 10:15:00.250Z")
  void ordersByInstant() {
    // Instant.toString() drops a zero fraction and writes 3, 6 or 9 digits: as text,
    // "10:15:00.250Z" sorts before "10:15:00Z" and "10:15:00.250125Z" before "10:15:00.250Z".
    Instant first = T2;
    Instant second = T2.plusMillis(250);
    Instant third = second.plusNanos(125_000);
    RunIndex index = RunIndex.of(List.of(targets("lab-g1-targets-1",
        initial("10.244.1.7", pod("web-1", "Deployment", "web")),
        change("10.244.1.7", pod("db-0", "StatefulSet", "db"), T1, first),
        change("10.244.1.7", pod("api-1", "Deployment", "api"), first, second),
        change("10.244.1.7", pod("job-1", "Job", "migrate"), second, third))), T0, "cluster", third, 0);
    assertThat(index.status().orElseThrow().changes()).extracting(AddressChange::previous, AddressChange::current)
        .containsExactly(
            tuple("Deployment shop/web", "StatefulSet shop/db"),
            tuple("StatefulSet shop/db", "Deployment shop/api"),
            tuple("Deployment shop/api", "Job shop/migrate"));
  }

  @Test
  @DisplayName("lists at most 50 changes, the earliest seen first, and counts the rest as dropped with those dropped before")
  void boundedChanges() {
    List<IndexEntry> entries = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      entries.add(change("10.244.2." + i, pod("p-" + i, "Deployment", "d"), T0.plusSeconds(i), T0.plusSeconds(i + 1)));
    }
    TargetIndex status = RunIndex.of(List.of(targets("lab-g1-targets-1", entries.reversed().toArray(IndexEntry[]::new))),
        T0, "cluster", T2, 5).status().orElseThrow();
    assertThat(status.changes()).hasSize(RunIndex.MAX_LISTED_CHANGES);
    assertThat(status.changes().getFirst().ip()).isEqualTo("10.244.2.0");
    assertThat(status.changes().getLast().ip()).isEqualTo("10.244.2.49");
    assertThat(status.changesDropped()).isEqualTo(15);
    assertThat(status.entries()).isZero();
  }

  @Test
  @DisplayName("gives no index status for a run that knows no cluster")
  void none() {
    assertThat(RunIndex.none().status()).isEmpty();
    assertThat(RunIndex.of(List.of(), null, null, null, 0).status()).isEmpty();
  }
}
