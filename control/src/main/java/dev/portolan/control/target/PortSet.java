package dev.portolan.control.target;

import dev.portolan.control.UsageException;
import java.util.Arrays;
import java.util.BitSet;

/** A set of TCP ports 1-65535 in ascending order, with constant-time port-to-index lookup. */
public final class PortSet {
  private final int[] ports;
  private final int[] indexOfPort;

  private PortSet(BitSet set) {
    this.ports = set.stream().toArray();
    this.indexOfPort = new int[65536];
    Arrays.fill(indexOfPort, -1);
    for (int i = 0; i < ports.length; i++) {
      indexOfPort[ports[i]] = i;
    }
  }

  /**
   * Parses nmap/masscan style lists: {@code 80}, {@code 22,80,443}, {@code 1-1024},
   * {@code 8000-}, {@code -} (all), optionally prefixed with {@code T:}.
   */
  public static PortSet parse(String text) {
    if (text == null || text.isBlank()) {
      throw new UsageException("no ports given: use -p with a list such as 22,80,443 or 1-1024");
    }
    BitSet set = new BitSet(65536);
    for (String raw : text.split(",", -1)) {
      String item = raw.strip();
      if (item.regionMatches(true, 0, "T:", 0, 2)) {
        item = item.substring(2);
      } else if (item.regionMatches(true, 0, "U:", 0, 2) || item.regionMatches(true, 0, "S:", 0, 2)) {
        throw new UsageException("'" + raw.strip() + "': only TCP ports are scanned; drop the U:/S: entries");
      }
      if (item.isEmpty()) {
        throw new UsageException("empty entry in port list '" + text + "' (remove the extra comma)");
      }
      int dash = item.indexOf('-');
      if (dash < 0) {
        int p = port(item, raw);
        set.set(p);
      } else {
        int from = dash == 0 ? 1 : port(item.substring(0, dash), raw);
        int to = dash == item.length() - 1 ? 65535 : port(item.substring(dash + 1), raw);
        if (to < from) {
          throw new UsageException(
              "port range '" + raw.strip() + "' is reversed: write the lower port first, like 1-1024");
        }
        set.set(from, to + 1);
      }
    }
    return new PortSet(set);
  }

  public static PortSet of(int... ports) {
    BitSet set = new BitSet(65536);
    for (int p : ports) {
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException("port " + p);
      }
      set.set(p);
    }
    return new PortSet(set);
  }

  private static int port(String s, String raw) {
    String t = s.strip();
    if (t.isEmpty() || t.length() > 5 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new UsageException(
          "'" + raw.strip() + "' is not a port or port range (ports are numbers 1-65535)");
    }
    int p = Integer.parseInt(t);
    if (p < 1 || p > 65535) {
      throw new UsageException("port " + t + " is out of range: TCP ports are 1-65535");
    }
    return p;
  }

  public int size() {
    return ports.length;
  }

  public int portAt(int index) {
    return ports[index];
  }

  /** The index of {@code port}, or -1 when the set does not hold it. */
  public int indexOf(int port) {
    return port < 0 || port > 65535 ? -1 : indexOfPort[port];
  }

  public int[] toArray() {
    return ports.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PortSet p && Arrays.equals(ports, p.ports);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ports);
  }

  /** The compact form: {@code 22,80,8000-8100}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (i < ports.length) {
      int j = i;
      while (j + 1 < ports.length && ports[j + 1] == ports[j] + 1) {
        j++;
      }
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(ports[i]);
      if (j > i) {
        b.append('-').append(ports[j]);
      }
      i = j + 1;
    }
    return b.toString();
  }
}
