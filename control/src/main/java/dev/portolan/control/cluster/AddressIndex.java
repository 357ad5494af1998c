package dev.portolan.control.cluster;

import dev.portolan.control.target.Ipv4;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.IndexEntry;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec.PortOwner;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Target;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A run's addresses and what owned them, over time. The index the run started with gives each
 * owned address one entry; ownership changes seen during the run append entries that say when the
 * change happened, as a window (changedAfter, changedBefore]. {@link #attribute} names the owner
 * of an address and port at a probe's time: exact outside every window, {@code Uncertain} (with
 * both candidates in the note) inside one, so a reused pod address is never silently pinned on the
 * wrong workload.
 */
public final class AddressIndex {
  private final Map<Integer, List<IndexEntry>> timeline = new HashMap<>();
  private final Instant resolvedAt;
  private final int size;

  private AddressIndex(Collection<IndexEntry> entries, Instant resolvedAt) {
    this.resolvedAt = resolvedAt;
    for (IndexEntry e : entries) {
      timeline.computeIfAbsent(Ipv4.parse(e.ip()), k -> new ArrayList<>()).add(e);
    }
    for (List<IndexEntry> es : timeline.values()) {
      es.sort(Comparator.comparing(AddressIndex::changedBefore, Comparator.nullsFirst(Comparator.naturalOrder())));
    }
    this.size = entries.size();
  }

  /** The index from its entries, initial and appended, in any order. */
  public static AddressIndex of(Collection<IndexEntry> entries, Instant resolvedAt) {
    return new AddressIndex(entries, resolvedAt);
  }

  /** No index: the run knows no cluster (a plain CIDR run without a snapshot). */
  public static AddressIndex none() {
    return new AddressIndex(List.of(), null);
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public Instant resolvedAt() {
    return resolvedAt;
  }

  /** How many entries (initial and appended). */
  public int size() {
    return size;
  }

  private static Instant changedBefore(IndexEntry e) {
    return e.changedBefore() == null ? null : Instant.parse(e.changedBefore());
  }

  private static Instant changedAfter(IndexEntry e) {
    return e.changedAfter() == null ? null : Instant.parse(e.changedAfter());
  }

  /** The entry in force last, per address: what the index now says owns it. */
  public Optional<IndexEntry> latest(int address) {
    List<IndexEntry> es = timeline.get(address);
    return es == null || es.isEmpty() ? Optional.empty() : Optional.of(es.getLast());
  }

  /** Every address the index has an entry for. */
  public java.util.Set<Integer> addresses() {
    return java.util.Collections.unmodifiableSet(timeline.keySet());
  }

  /**
   * What owned {@code address}:{@code port} at {@code time}: the port's own owner (a host-network
   * pod, a NodePort) or the address's, with the container and port name that declare it; empty
   * when nothing did. An unknown time is read as "after every change" and marked Uncertain when
   * the address changed owner at all.
   */
  public Optional<Ownership> attribute(int address, int port, Instant time) {
    List<IndexEntry> es = timeline.get(address);
    if (es == null || es.isEmpty()) {
      return Optional.empty();
    }
    IndexEntry current = null;
    for (IndexEntry e : es) {
      Instant before = changedBefore(e);
      Instant after = changedAfter(e);
      if (before == null) {
        current = e; // the entry the run started with
        continue;
      }
      if (time == null) {
        IndexEntry last = es.getLast();
        return ownerOf(last, port).map(o -> uncertain(o, "the address changed owner during the run and the probe time is unknown"));
      }
      if (!time.isAfter(after == null ? before : after)) {
        break; // probed before this change began
      }
      if (time.isAfter(before)) {
        current = e; // probed after this change was seen
        continue;
      }
      // Probed while the address was changing hands: name both.
      Optional<Ownership> was = current == null ? Optional.empty() : ownerOf(current, port);
      Optional<Ownership> is = ownerOf(e, port);
      String note = "the address changed owner between " + after + " and " + before + " (from "
          + was.map(o -> o.target().describe()).orElse("nothing") + " to "
          + is.map(o -> o.target().describe()).orElse("nothing") + "); probed at " + time;
      return was.or(() -> is).map(o -> uncertain(o, note));
    }
    if (current == null) {
      return Optional.empty();
    }
    return ownerOf(current, port).map(o -> new Ownership(o.target().withAttribution(Target.EXACT, null, o.target().resolvedAt()),
        o.rules(), o.network()));
  }

  private static Ownership uncertain(Ownership o, String note) {
    return new Ownership(o.target().withAttribution(Target.UNCERTAIN, note, o.target().resolvedAt()), o.rules(), o.network());
  }

  /** The owner of a port of an entry: its port-level owner, else the address's owner with the declaring container. */
  static Optional<Ownership> ownerOf(IndexEntry e, int port) {
    if (e.ports() != null) {
      for (PortOwner p : e.ports()) {
        if (p.port() != null && p.port() == port) {
          if (p.target() != null) {
            return Optional.of(new Ownership(withPort(p.target(), p.container(), p.portName()), p.rules(), null));
          }
          if (e.target() == null) {
            return Optional.empty();
          }
          return Optional.of(new Ownership(withPort(e.target(), p.container(), p.portName()), e.rules(), e.network()));
        }
      }
    }
    return e.target() == null ? Optional.empty() : Optional.of(new Ownership(e.target(), e.rules(), e.network()));
  }

  private static Target withPort(Target t, String container, String portName) {
    return new Target(t.kind(), t.namespace(), t.name(), t.uid(), t.hostNetwork(), t.workload(), t.services(), t.node(),
        t.labels(), container, portName, t.resolvedAt(), t.attribution(), t.note());
  }

  /**
   * The entries to append so the index says what {@code now} says: one per address whose owner
   * (or whose port-level owners) differ from the index's latest entry. The change happened after
   * {@code checkedAt} (the last time the index matched the cluster), and not before a new pod's
   * creation; it was seen at {@code seenAt}.
   *
   * @param created creation time of pods by uid, to narrow each window
   */
  public List<IndexEntry> changes(List<IndexEntry> now, Instant checkedAt, Instant seenAt, Map<String, Instant> created) {
    Map<Integer, IndexEntry> current = new HashMap<>();
    for (IndexEntry e : now) {
      current.put(Ipv4.parse(e.ip()), e);
    }
    java.util.TreeSet<Long> all = new java.util.TreeSet<>();
    timeline.keySet().forEach(a -> all.add(Ipv4.unsigned(a)));
    current.keySet().forEach(a -> all.add(Ipv4.unsigned(a)));
    List<IndexEntry> out = new ArrayList<>();
    for (long u : all) {
      int a = (int) u;
      Optional<IndexEntry> was = latest(a);
      IndexEntry is = current.get(a);
      if (Objects.equals(signature(was.orElse(null)), signature(is))) {
        continue;
      }
      Instant after = checkedAt;
      if (is != null && is.target() != null && is.target().uid() != null) {
        Instant c = created.get(is.target().uid());
        if (c != null && c.isAfter(after) && c.isBefore(seenAt)) {
          after = c;
        }
      }
      String ip = Ipv4.format(a);
      out.add(is == null
          ? new IndexEntry(ip, null, null, null, null, after.toString(), seenAt.toString())
          : new IndexEntry(ip, is.target(), is.ports(), is.network(), is.rules(), after.toString(), seenAt.toString()));
    }
    return out;
  }

  /** Who owns an address and its ports, by uid: what counts as a change of owner. */
  private static String signature(IndexEntry e) {
    if (e == null || (e.target() == null && (e.ports() == null || e.ports().isEmpty()))) {
      return null;
    }
    StringBuilder b = new StringBuilder(e.target() == null ? "-" : String.valueOf(e.target().uid()));
    if (e.ports() != null) {
      for (PortOwner p : e.ports()) {
        if (p.target() != null) {
          b.append(',').append(p.port()).append('=').append(p.target().uid());
        }
      }
    }
    return b.toString();
  }

  /** The entries, initial then appended, by address: what the index pages hold. */
  public List<IndexEntry> entries() {
    List<Integer> keys = new ArrayList<>(timeline.keySet());
    keys.sort(Comparator.comparingLong(Ipv4::unsigned));
    List<IndexEntry> out = new ArrayList<>(size);
    for (int k : keys) {
      out.addAll(timeline.get(k));
    }
    return out;
  }
}
