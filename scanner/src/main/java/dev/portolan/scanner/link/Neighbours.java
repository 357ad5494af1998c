package dev.portolan.scanner.link;

import dev.portolan.scanner.packet.ArpFrame;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Next-hop MAC addresses: first from the kernel's neighbour table, and when it has no entry (a
 * fresh node or namespace often has none), resolved by the engine itself with ARP, as masscan does.
 */
public final class Neighbours {
  private static final int ATF_COM = 0x2;

  private Neighbours() {}

  /** The complete entry for {@code ip} on {@code ifname} in {@code /proc/net/arp}, if any. */
  public static OptionalLong lookup(String ifname, int ip) {
    try {
      return lookup(Files.readAllLines(Path.of("/proc/net/arp")), ifname, ip);
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  static OptionalLong lookup(List<String> table, String ifname, int ip) {
    for (String line : table.subList(Math.min(1, table.size()), table.size())) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 6 || !f[5].equals(ifname)) {
        continue;
      }
      int flags = Integer.decode(f[2]);
      if ((flags & ATF_COM) == 0) {
        continue;
      }
      try {
        if (dev.portolan.control.target.Ipv4.parse(f[0]) == ip) {
          return OptionalLong.of(Interfaces.parseMac(f[3]));
        }
      } catch (RuntimeException e) {
        // not an entry we can read; keep looking
      }
    }
    return OptionalLong.empty();
  }

  /**
   * Resolves {@code ips} by ARP: each is taken from the kernel table when present, the rest are
   * asked (up to {@code attempts} times, {@code timeoutMillis} apart), each request sent only after
   * {@code pacer} returns (the scan's rate limit applies to ARP too). Returns what answered.
   */
  public static Map<Integer, Long> resolve(
      String ifname,
      long srcMac,
      int srcIp,
      int[] ips,
      int attempts,
      int timeoutMillis,
      Runnable pacer)
      throws LinkException {
    Map<Integer, Long> found = new HashMap<>();
    for (int ip : ips) {
      lookup(ifname, ip).ifPresent(mac -> found.put(ip, mac));
    }
    if (found.size() == ips.length) {
      return found;
    }
    java.util.Set<Integer> wanted = new java.util.HashSet<>();
    for (int ip : ips) {
      wanted.add(ip);
    }
    int fd = PacketSockets.open();
    try (Arena arena = Arena.ofConfined()) {
      PacketSockets.bind(fd, Interfaces.index(ifname), PacketSockets.ETH_P_ARP);
      MemorySegment frame = arena.allocate(1514);
      for (int attempt = 0; attempt < attempts && found.size() < ips.length; attempt++) {
        for (int ip : ips) {
          if (!found.containsKey(ip)) {
            pacer.run();
            int len = ArpFrame.writeRequest(frame, srcMac, srcIp, ip);
            if (Libc.sendto(fd, frame, len, 0) < 0) {
              throw new LinkException("sendto(ARP request)", Libc.errno());
            }
          }
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        long left;
        while (found.size() < ips.length && (left = deadline - System.nanoTime()) > 0) {
          if (!PacketSockets.poll(fd, Libc.POLLIN, (int) Math.max(1, left / 1_000_000L))) {
            continue;
          }
          long n = Libc.recv(fd, frame, frame.byteSize(), Libc.MSG_DONTWAIT);
          if (n <= 0) {
            continue;
          }
          ArpFrame.parseReply(frame, (int) n)
              .filter(r -> wanted.contains(r.senderIp()))
              .ifPresent(r -> found.putIfAbsent(r.senderIp(), r.senderMac()));
        }
      }
    } finally {
      PacketSockets.close(fd);
    }
    return found;
  }
}
