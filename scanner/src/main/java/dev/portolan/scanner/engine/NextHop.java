package dev.portolan.scanner.engine;

import java.util.Arrays;
import java.util.Map;

/**
 * The destination MAC for each target: one router for routed scopes, 0 on loopback, or each
 * host's own for on-link scopes (resolved by ARP before the scan; hosts that did not answer have
 * none, and are not probed).
 */
public sealed interface NextHop {
  /** The MAC to send a probe for {@code address} to, or -1 when there is none. */
  long macFor(int address);

  String describe();

  record Router(int ip, long mac) implements NextHop {
    @Override
    public long macFor(int address) {
      return mac;
    }

    @Override
    public String describe() {
      return "router " + dev.portolan.control.target.Ipv4.format(ip) + " at " + dev.portolan.scanner.link.Interfaces.formatMac(mac);
    }
  }

  record Loopback() implements NextHop {
    @Override
    public long macFor(int address) {
      return 0;
    }

    @Override
    public String describe() {
      return "loopback";
    }
  }

  /** On-link hosts, each with its own MAC (a primitive open-addressing map: no boxing per probe). */
  final class OnLink implements NextHop {
    private final int[] keys;
    private final long[] values;
    private final int mask;
    private final int count;

    public OnLink(Map<Integer, Long> macs) {
      int capacity = Integer.highestOneBit(Math.max(4, macs.size() * 2)) * 2;
      keys = new int[capacity];
      values = new long[capacity];
      Arrays.fill(values, -1);
      mask = capacity - 1;
      count = macs.size();
      for (Map.Entry<Integer, Long> e : macs.entrySet()) {
        int i = slot(e.getKey());
        while (values[i] != -1) {
          i = (i + 1) & mask;
        }
        keys[i] = e.getKey();
        values[i] = e.getValue();
      }
    }

    private int slot(int address) {
      return (address * 0x9E3779B9 >>> 7) & mask;
    }

    @Override
    public long macFor(int address) {
      for (int i = slot(address); values[i] != -1; i = (i + 1) & mask) {
        if (keys[i] == address) {
          return values[i];
        }
      }
      return -1;
    }

    @Override
    public String describe() {
      return "on-link, " + count + " hosts answered ARP";
    }
  }
}
