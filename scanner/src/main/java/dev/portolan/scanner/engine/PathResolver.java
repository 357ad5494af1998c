package dev.portolan.scanner.engine;

import dev.portolan.scanner.UsageException;
import dev.portolan.scanner.link.Interfaces;
import dev.portolan.scanner.link.LinkException;
import dev.portolan.scanner.link.Neighbours;
import dev.portolan.scanner.link.Routes;
import dev.portolan.scanner.target.AddressRange;
import dev.portolan.scanner.target.AddressSet;
import dev.portolan.scanner.target.Ipv4;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

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
      checkSameRoute(hosts, route);
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
  private static void checkSameRoute(AddressSet hosts, Routes.Route route) {
    int checked = 0;
    for (AddressRange r : hosts.ranges()) {
      for (long a : new long[] {r.first(), r.last()}) {
        Routes.Route other = routeFor((int) a);
        if (!other.ifname().equals(route.ifname()) || other.gateway() != route.gateway()) {
          throw new UsageException(
              "the targets leave by different routes ("
                  + Ipv4.format((int) a)
                  + " via "
                  + other.ifname()
                  + ", "
                  + Ipv4.format(hosts.addressAt(0))
                  + " via "
                  + route.ifname()
                  + "): scan them separately");
        }
      }
      if (++checked >= 1024) {
        return;
      }
    }
  }
}
