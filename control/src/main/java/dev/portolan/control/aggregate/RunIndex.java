package dev.portolan.control.aggregate;

import dev.portolan.control.cluster.AddressIndex;
import dev.portolan.control.target.Ipv4;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.IndexEntry;
import dev.portolan.crds.v1alpha1.ScanReportStatus.AddressChange;
import dev.portolan.crds.v1alpha1.ScanReportStatus.TargetIndex;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A run's address index as the aggregator reads it: the index itself (from the run's Targets
 * pages), their names, where the objects came from, and when the index was last compared with the
 * cluster.
 */
public record RunIndex(AddressIndex index, List<String> pages, String source, Instant checkedAt, long changesDropped) {
  /** Changes listed in the report's status; all of them stay in the index pages. */
  public static final int MAX_LISTED_CHANGES = 50;

  public static RunIndex none() {
    return new RunIndex(AddressIndex.none(), List.of(), null, null, 0);
  }

  /** The index from a run's Targets pages, in any order. */
  public static RunIndex of(Collection<ScanReportPage> targetPages, Instant resolvedAt, String source, Instant checkedAt,
      long changesDropped) {
    List<IndexEntry> entries = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<ScanReportPage> ordered = new ArrayList<>(targetPages);
    ordered.sort(Comparator.comparing(p -> p.getMetadata().getName()));
    for (ScanReportPage p : ordered) {
      if (p.getSpec() == null || !ScanReportPageSpec.TARGETS.equals(p.getSpec().contents())) {
        continue;
      }
      names.add(p.getMetadata().getName());
      if (p.getSpec().targets() != null) {
        entries.addAll(p.getSpec().targets());
      }
    }
    return new RunIndex(AddressIndex.of(entries, resolvedAt), names, source, checkedAt, changesDropped);
  }

  /** What the report's status says of the index; empty when the run has none. */
  public Optional<TargetIndex> status() {
    if (index.isEmpty() && pages.isEmpty() && source == null) {
      return Optional.empty();
    }
    List<IndexEntry> all = index.entries();
    long initial = all.stream().filter(e -> e.changedBefore() == null).count();
    List<AddressChange> changes = new ArrayList<>();
    List<IndexEntry> appended = new ArrayList<>(all.stream().filter(e -> e.changedBefore() != null).toList());
    appended.sort(Comparator.comparing(e -> Instant.parse(e.changedBefore())));
    for (IndexEntry e : appended) {
      if (changes.size() >= MAX_LISTED_CHANGES) {
        break;
      }
      String previous = previousOwner(all, e);
      changes.add(new AddressChange(e.ip(), previous, e.target() == null ? null : e.target().describe(), e.changedAfter(),
          e.changedBefore()));
    }
    return Optional.of(new TargetIndex(
        index.resolvedAt() == null ? null : index.resolvedAt().toString(), initial, pages.isEmpty() ? null : pages,
        changes.isEmpty() ? null : changes, changesDropped + Math.max(0, appended.size() - changes.size()) == 0 ? null
            : changesDropped + Math.max(0, appended.size() - changes.size()),
        checkedAt == null ? null : checkedAt.toString(), source));
  }

  private static String previousOwner(List<IndexEntry> all, IndexEntry change) {
    IndexEntry before = null;
    int address = Ipv4.parse(change.ip());
    for (IndexEntry e : all) {
      if (Ipv4.parse(e.ip()) != address || e == change) {
        continue;
      }
      if (e.changedBefore() == null || seenBefore(e, change)) {
        if (before == null || (e.changedBefore() != null
            && (before.changedBefore() == null || seenBefore(before, e)))) {
          before = e;
        }
      }
    }
    return before == null || before.target() == null ? null : before.target().describe();
  }

  /** Whether change {@code a} was seen before change {@code b}: by instant, as the text of two instants does not sort. */
  private static boolean seenBefore(IndexEntry a, IndexEntry b) {
    return Instant.parse(a.changedBefore()).isBefore(Instant.parse(b.changedBefore()));
  }
}
