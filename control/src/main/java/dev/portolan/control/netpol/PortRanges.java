package dev.portolan.control.netpol;

import java.util.ArrayList;
import java.util.List;

/** A set of port numbers (1-65535) as sorted, disjoint, non-adjacent inclusive ranges; immutable. */
public final class PortRanges {
  private static final PortRanges NONE = new PortRanges(new int[0]);
  private static final PortRanges ALL = new PortRanges(new int[] {1, 65535});

  /** Pairs: from0, to0, from1, to1, ... */
  private final int[] bounds;

  private PortRanges(int[] bounds) {
    this.bounds = bounds;
  }

  public static PortRanges none() {
    return NONE;
  }

  public static PortRanges all() {
    return ALL;
  }

  public static PortRanges range(int from, int to) {
    int f = Math.max(1, from);
    int t = Math.min(65535, to);
    return f > t ? NONE : new PortRanges(new int[] {f, t});
  }

  public static PortRanges of(int port) {
    return range(port, port);
  }

  public boolean isEmpty() {
    return bounds.length == 0;
  }

  public boolean isAll() {
    return bounds.length == 2 && bounds[0] == 1 && bounds[1] == 65535;
  }

  public boolean contains(int port) {
    for (int i = 0; i < bounds.length; i += 2) {
      if (port >= bounds[i] && port <= bounds[i + 1]) {
        return true;
      }
    }
    return false;
  }

  public PortRanges union(PortRanges o) {
    if (o.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return o;
    }
    List<int[]> all = new ArrayList<>();
    for (int i = 0; i < bounds.length; i += 2) {
      all.add(new int[] {bounds[i], bounds[i + 1]});
    }
    for (int i = 0; i < o.bounds.length; i += 2) {
      all.add(new int[] {o.bounds[i], o.bounds[i + 1]});
    }
    all.sort((a, b) -> Integer.compare(a[0], b[0]));
    List<int[]> merged = new ArrayList<>();
    for (int[] r : all) {
      if (!merged.isEmpty() && r[0] <= merged.getLast()[1] + 1) {
        merged.getLast()[1] = Math.max(merged.getLast()[1], r[1]);
      } else {
        merged.add(new int[] {r[0], r[1]});
      }
    }
    return fromList(merged);
  }

  public PortRanges intersect(PortRanges o) {
    List<int[]> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < bounds.length && j < o.bounds.length) {
      int from = Math.max(bounds[i], o.bounds[j]);
      int to = Math.min(bounds[i + 1], o.bounds[j + 1]);
      if (from <= to) {
        out.add(new int[] {from, to});
      }
      if (bounds[i + 1] < o.bounds[j + 1]) {
        i += 2;
      } else {
        j += 2;
      }
    }
    return fromList(out);
  }

  private static PortRanges fromList(List<int[]> ranges) {
    if (ranges.isEmpty()) {
      return NONE;
    }
    int[] b = new int[ranges.size() * 2];
    for (int k = 0; k < ranges.size(); k++) {
      b[2 * k] = ranges.get(k)[0];
      b[2 * k + 1] = ranges.get(k)[1];
    }
    return new PortRanges(b);
  }

  /** "22,80,8000-9000" (the API's port list form), "" when empty. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < bounds.length; i += 2) {
      if (s.length() > 0) {
        s.append(',');
      }
      s.append(bounds[i]);
      if (bounds[i + 1] != bounds[i]) {
        s.append('-').append(bounds[i + 1]);
      }
    }
    return s.toString();
  }

  /** Parses {@link #toString}'s form; "" is the empty set. */
  public static PortRanges parse(String text) {
    PortRanges r = NONE;
    if (text == null || text.isBlank()) {
      return r;
    }
    for (String part : text.split(",")) {
      String p = part.strip();
      int dash = p.indexOf('-');
      r = r.union(dash < 0 ? of(Integer.parseInt(p)) : range(Integer.parseInt(p.substring(0, dash).strip()),
          Integer.parseInt(p.substring(dash + 1).strip())));
    }
    return r;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PortRanges p && java.util.Arrays.equals(bounds, p.bounds);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(bounds);
  }
}
