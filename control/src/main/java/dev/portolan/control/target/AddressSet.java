package dev.portolan.control.target;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * A set of IPv4 addresses as sorted, disjoint, non-adjacent ranges, with the address at any index
 * and the index of any address found by binary search. Memory grows with the number of ranges,
 * never with the number of addresses: 0.0.0.0/0 is one range.
 */
public final class AddressSet {
  private static final AddressSet EMPTY = new AddressSet(new long[0], new long[0]);

  private final long[] firsts;
  private final long[] lasts;
  /** starts[i] = number of addresses in the ranges before range i. */
  private final long[] starts;

  private final long size;

  private AddressSet(long[] firsts, long[] lasts) {
    this.firsts = firsts;
    this.lasts = lasts;
    this.starts = new long[firsts.length];
    long total = 0;
    for (int i = 0; i < firsts.length; i++) {
      starts[i] = total;
      total += lasts[i] - firsts[i] + 1;
    }
    this.size = total;
  }

  public static AddressSet empty() {
    return EMPTY;
  }

  public static AddressSet of(AddressRange... ranges) {
    return of(Arrays.asList(ranges));
  }

  /** Normalizes any collection of ranges: sorts them and merges the overlapping and adjacent. */
  public static AddressSet of(Collection<AddressRange> ranges) {
    AddressRange[] sorted = ranges.toArray(new AddressRange[0]);
    Arrays.sort(sorted);
    long[] f = new long[sorted.length];
    long[] l = new long[sorted.length];
    int n = 0;
    for (AddressRange r : sorted) {
      if (n > 0 && r.first() <= l[n - 1] + 1) {
        l[n - 1] = Math.max(l[n - 1], r.last());
      } else {
        f[n] = r.first();
        l[n] = r.last();
        n++;
      }
    }
    return new AddressSet(Arrays.copyOf(f, n), Arrays.copyOf(l, n));
  }

  /** This set without the addresses of {@code other}: excludes always win, whatever their shape. */
  public AddressSet minus(AddressSet other) {
    List<AddressRange> out = new ArrayList<>();
    int j = 0;
    for (int i = 0; i < firsts.length; i++) {
      long from = firsts[i];
      long to = lasts[i];
      while (j < other.firsts.length && other.lasts[j] < from) {
        j++;
      }
      int k = j;
      while (from <= to && k < other.firsts.length && other.firsts[k] <= to) {
        if (other.firsts[k] > from) {
          out.add(new AddressRange(from, other.firsts[k] - 1));
        }
        from = other.lasts[k] + 1;
        k++;
      }
      if (from <= to) {
        out.add(new AddressRange(from, to));
      }
    }
    return of(out);
  }

  public AddressSet union(AddressSet other) {
    List<AddressRange> all = new ArrayList<>(ranges());
    all.addAll(other.ranges());
    return of(all);
  }

  public long size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public int rangeCount() {
    return firsts.length;
  }

  public List<AddressRange> ranges() {
    List<AddressRange> out = new ArrayList<>(firsts.length);
    for (int i = 0; i < firsts.length; i++) {
      out.add(new AddressRange(firsts[i], lasts[i]));
    }
    return out;
  }

  /** The address at {@code index} in ascending order, for index in [0, size). */
  public int addressAt(long index) {
    int lo = 0;
    int hi = starts.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= index) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return (int) (firsts[lo] + (index - starts[lo]));
  }

  /** The index of {@code address}, or -1 when the set does not hold it. */
  public long indexOf(int address) {
    long a = Ipv4.unsigned(address);
    int lo = 0;
    int hi = firsts.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (lasts[mid] < a) {
        lo = mid + 1;
      } else if (firsts[mid] > a) {
        hi = mid - 1;
      } else {
        return starts[mid] + (a - firsts[mid]);
      }
    }
    return -1;
  }

  public boolean contains(int address) {
    return indexOf(address) >= 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AddressSet s && Arrays.equals(firsts, s.firsts) && Arrays.equals(lasts, s.lasts);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(firsts) * 31 + Arrays.hashCode(lasts);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < firsts.length; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(new AddressRange(firsts[i], lasts[i]));
    }
    return b.toString();
  }
}
