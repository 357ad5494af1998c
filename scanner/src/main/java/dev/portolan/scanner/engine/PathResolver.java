package dev.portolan.scanner.engine;

import dev.portolan.control.UsageException;
import dev.portolan.control.target.AddressRange;
import dev.portolan.control.target.AddressSet;
import dev.portolan.control.target.Ipv4;
import dev.portolan.scanner.link.Interfaces;
import dev.portolan.scanner.link.LinkException;
import dev.portolan.scanner.link.Neighbours;
import dev.portolan.scanner.link.Routes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Works out how probes leave this host, from the routing table with the user's overrides: the
 * interface, our source address and MAC, and the next hop's MAC (from the neighbour table, else
 * asked by ARP). Targets that are this host's own addresses, or 127.0.0.0/8, go out on loopback.
 */
public final class PathResolver {
  /** On-link scopes larger than this would mean an ARP sweep of a network, not a next hop. */
  static final long MAX_ON_LINK_HOSTS = 65_536;

  private static final int ARP_ATTEMPTS = 3;
  private static final int ARP_TIMEOUT_MILLIS = 1000;

  /** What the user fixed by hand; empty fields are detected. */
  public record Overrides(Optional<String> ifname, OptionalInt sourceIp, Optional<Long> routerMac) {
    public static Overrides none() {
      return new Overrides(Optional.empty(), OptionalInt.empty(), Optional.empty());
    }
  }

  private PathResolver() {}

  /** Resolves the path for {@code hosts}; {@code pacer} paces any ARP requests. */
  public static NetworkPath resolve(AddressSet hosts, Overrides overrides, Runnable pacer)
      throws LinkException {
    int first = hosts.addressAt(0);
    String ifname;
    int gateway = 0;
    boolean loopback = isLoopbackTarget(first);
    if (overrides.ifname().isPresent()) {
      ifname = overrides.ifname().get();
      Interfaces.require(ifname);
      loopback = Interfaces.isLoopback(ifname);
      if (!loopback) {
        Optional<Routes.Route> r = Routes.lookup(first);
        if (r.isPresent() && r.get().ifname().equals(ifname)) {
          gateway = r.get().gateway();
        }
      }
    } else if (loopback) {
      for (AddressRange r : hosts.ranges()) {
        if (!isLoopbackTarget((int) r.first()) || !isLoopbackTarget((int) r.last())) {
          throw new UsageException(
              "the targets mix this host's own addresses with others ("
                  + r
                  + "): scan them separately");
        }
      }
      ifname = Interfaces.loopbackName();
    } else {
      Routes.Route route = routeFor(first);
      checkSameRoute(hosts);
      ifname = route.ifname();
      gateway = route.gateway();
    }
    if (!Interfaces.hasEthernetHeader(ifname)) {
      throw new UsageException(
          "interface '" + ifname + "' has no Ethernet link layer (a tunnel?); raw scans need an"
              + " Ethernet or loopback interface: pick one with --interface, or use --connect");
    }
    int sourceIp =
        overrides.sourceIp().isPresent()
            ? overrides.sourceIp().getAsInt()
            : loopback && isLoopbackTarget(first) && Interfaces.owning(first).isEmpty()
                ? 0x7f000001
                : Interfaces.ipv4(ifname)
                    .orElseThrow(
                        () ->
                            new UsageException(
                                "interface '" + ifname + "' has no IPv4 address: give --source-ip"));
    if (loopback) {
      return new NetworkPath(ifname, sourceIp, 0, new NextHop.Loopback());
    }
    long srcMac = Interfaces.mac(ifname);
    if (overrides.routerMac().isPresent()) {
      return new NetworkPath(ifname, sourceIp, srcMac, new NextHop.Router(gateway, overrides.routerMac().get()));
    }
    if (gateway != 0) {
      Map<Integer, Long> mac =
          Neighbours.resolve(ifname, srcMac, sourceIp, new int[] {gateway}, ARP_ATTEMPTS, ARP_TIMEOUT_MILLIS, pacer);
      if (!mac.containsKey(gateway)) {
        throw new UsageException(
            "the router "
                + Ipv4.format(gateway)
                + " on "
                + ifname
                + " did not answer ARP; check the link, or give its MAC with --router-mac");
      }
      return new NetworkPath(ifname, sourceIp, srcMac, new NextHop.Router(gateway, mac.get(gateway)));
    }
    if (hosts.size() > MAX_ON_LINK_HOSTS) {
      throw new UsageException(
          "the targets are on the link of "
              + ifname
              + " and more than "
              + MAX_ON_LINK_HOSTS
              + " hosts; scan at most a /16 of a local network at a time");
    }
    int[] ips = new int[(int) hosts.size()];
    for (int i = 0; i < ips.length; i++) {
      ips[i] = hosts.addressAt(i);
    }
    Map<Integer, Long> macs = Neighbours.resolve(ifname, srcMac, sourceIp, ips, ARP_ATTEMPTS, ARP_TIMEOUT_MILLIS, pacer);
    return new NetworkPath(ifname, sourceIp, srcMac, new NextHop.OnLink(macs));
  }

  static boolean isLoopbackTarget(int address) {
    return (address >>> 24) == 127 || Interfaces.owning(address).isPresent();
  }

  private static Routes.Route routeFor(int address) {
    return Routes.lookup(address)
        .orElseThrow(
            () ->
                new UsageException(
                    "no route to "
                        + Ipv4.format(address)
                        + " from here; add one, or name the interface with --interface"));
  }

  /** A scope must leave by one interface and next hop; otherwise scanning half of it is wrong. */
  private static void checkSameRoute(AddressSet hosts) {
    Optional<String> mixed = mixedRoutes(hosts, Routes.table(), Interfaces.ownAddresses());
    if (mixed.isPresent()) {
      throw new UsageException(mixed.get() + ": scan them separately");
    }
  }

  /**
   * Why {@code hosts} cannot all leave by one interface and next hop, or empty when they can: some
   * are this host's own addresses and others not, or the routing table sends parts of them
   * different ways (a pod network whose hosts each have their own route, a more specific route in
   * the middle of a CIDR). Exact, not sampled: routing can only change at a route's boundaries, so
   * one lookup per piece between boundaries decides for the whole piece.
   */
  public static Optional<String> mixedRoutes(AddressSet hosts, List<String> table, Set<Integer> own) {
    TreeSet<Long> cuts = new TreeSet<>(Routes.boundaries(table));
    for (int a : own) {
      // This host's own addresses are pieces of their own (the kernel's local table decides them).
      cuts.add(Integer.toUnsignedLong(a));
      cuts.add(Integer.toUnsignedLong(a) + 1);
    }
    String firstWay = null;
    long firstAddress = 0;
    int pieces = 0;
    for (AddressRange r : hosts.ranges()) {
      long start = r.first();
      while (start <= r.last()) {
        Long next = cuts.higher(start);
        long end = next == null ? r.last() : Math.min(r.last(), next - 1);
        String way = wayOf((int) start, table, own);
        if (firstWay == null) {
          firstWay = way;
          firstAddress = start;
        } else if (!way.equals(firstWay)) {
          return Optional.of("the targets leave by different routes (" + Ipv4.format((int) start) + " " + way + ", "
              + Ipv4.format((int) firstAddress) + " " + firstWay + ")");
        }
        if (++pieces > 100_000) {
          return Optional.empty(); // a pathological table; the first pieces agreed
        }
        start = end + 1;
      }
    }
    return Optional.empty();
  }

  private static String wayOf(int address, List<String> table, Set<Integer> own) {
    if ((address >>> 24) == 127 || own.contains(address)) {
      return "is this host's own";
    }
    return Routes.lookup(table, address)
        .map(r -> "via " + r.ifname() + (r.onLink() ? " (on link)" : " gateway " + Ipv4.format(r.gateway())))
        .orElse("has no route");
  }
}
