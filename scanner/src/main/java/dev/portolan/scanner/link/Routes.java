package dev.portolan.scanner.link;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Longest-prefix lookups in this namespace's main IPv4 routing table ({@code /proc/net/route}). */
public final class Routes {
  /** A route: the interface, and the gateway (0 when the destination is on the link). */
  public record Route(String ifname, int gateway, int prefixLength) {
    public boolean onLink() {
      return gateway == 0;
    }
  }

  private static final int RTF_UP = 0x1;

  private Routes() {}

  public static Optional<Route> lookup(int destination) {
    try {
      return lookup(Files.readAllLines(Path.of("/proc/net/route")), destination);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The kernel's table as it is now ({@code /proc/net/route} lines, header first); empty if unreadable. */
  public static List<String> table() {
    try {
      return Files.readAllLines(Path.of("/proc/net/route"));
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * Where routing decisions can change: the first address of every route's prefix and the first
   * address after it. Between two consecutive boundaries every address takes the same route.
   */
  public static List<Long> boundaries(List<String> table) {
    List<Long> out = new java.util.ArrayList<>();
    for (String line : table.subList(Math.min(1, table.size()), table.size())) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 8 || (Integer.parseInt(f[3], 16) & RTF_UP) == 0) {
        continue;
      }
      long dst = Integer.toUnsignedLong(Integer.reverseBytes(Integer.parseUnsignedInt(f[1], 16)));
      long mask = Integer.toUnsignedLong(Integer.reverseBytes(Integer.parseUnsignedInt(f[7], 16)));
      out.add(dst);
      out.add(dst + ((~mask) & 0xffffffffL) + 1);
    }
    return out;
  }

  /** Parses the kernel's table (hex fields in host byte order) and picks the best route. */
  public static Optional<Route> lookup(List<String> table, int destination) {
    Route best = null;
    int bestMetric = Integer.MAX_VALUE;
    for (String line : table.subList(Math.min(1, table.size()), table.size())) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 8) {
        continue;
      }
      int flags = Integer.parseInt(f[3], 16);
      if ((flags & RTF_UP) == 0) {
        continue;
      }
      int dst = Integer.reverseBytes(Integer.parseUnsignedInt(f[1], 16));
      int gw = Integer.reverseBytes(Integer.parseUnsignedInt(f[2], 16));
      int metric = Integer.parseInt(f[6]);
      int mask = Integer.reverseBytes(Integer.parseUnsignedInt(f[7], 16));
      if ((destination & mask) != dst) {
        continue;
      }
      int prefix = Integer.bitCount(mask);
      if (best == null
          || prefix > best.prefixLength()
          || (prefix == best.prefixLength() && metric < bestMetric)) {
        best = new Route(f[0], gw, prefix);
        bestMetric = metric;
      }
    }
    return Optional.ofNullable(best);
  }
}
