package dev.portolan.scanner.engine;

import dev.portolan.control.UsageException;
import dev.portolan.control.target.Ipv4;
import dev.portolan.scanner.link.Interfaces;
import dev.portolan.scanner.link.LinkException;
import dev.portolan.scanner.link.Neighbours;
import dev.portolan.scanner.link.Routes;
import dev.portolan.scanner.link.RxRing;
import dev.portolan.scanner.link.TxRing;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Chooses and builds the scanner for a plan: the raw SYN engine when this process may open packet
 * sockets, the pcap dry run when asked, and otherwise the connect fallback (said once, on the
 * notice channel).
 */
public final class ScannerFactory {
  /** How discovery should run, beyond the plan itself. */
  public record Options(
      PathResolver.Overrides overrides, Optional<Path> pcap, boolean forceConnect, int connectConcurrency) {}

  private ScannerFactory() {}

  public static Scanner create(ScanPlan plan, Options options, Consumer<String> notices) throws IOException {
    if (options.pcap().isPresent()) {
      return dryRun(plan, options, notices);
    }
    if (options.forceConnect()) {
      return new ConnectScanner(plan, options.connectConcurrency(), Ticker.SYSTEM);
    }
    if (options.overrides().ifname().isEmpty() && allOnThisHost(plan)) {
      notices.accept(
          "the targets are this host's own addresses: the kernel does not accept raw frames"
              + " injected on loopback, so they are probed with TCP connects");
      return new ConnectScanner(plan, options.connectConcurrency(), Ticker.SYSTEM);
    }
    if (options.overrides().ifname().isEmpty()) {
      // One raw path per scan: a scope the routing table splits (each pod its own route on a
      // node, this host's own addresses among others) is probed by connects, which the kernel
      // routes target by target, rather than sent half the wrong way or refused.
      Optional<String> mixed =
          PathResolver.mixedRoutes(plan.space().hosts(), Routes.table(), Interfaces.ownAddresses());
      if (mixed.isPresent()) {
        notices.accept(mixed.get() + ": probing with TCP connects, which follow the routing table target by"
            + " target (slower; scan each route's part separately for raw SYN speed)");
        return new ConnectScanner(plan, options.connectConcurrency(), Ticker.SYSTEM);
      }
    }
    RateLimiter arpPace = new RateLimiter(Math.min(plan.rate(), 10_000), Ticker.SYSTEM);
    try {
      NetworkPath path =
          PathResolver.resolve(plan.space().hosts(), options.overrides(), () -> arpPace.acquire(1));
      TxRing tx = TxRing.open(path.ifname());
      RxRing rx;
      try {
        rx = RxRing.open(path.ifname(), path.sourceIp(), plan.sourcePortLow(), plan.sourcePortHigh());
      } catch (LinkException e) {
        tx.close();
        throw e;
      }
      notices.accept("sending on " + path.describe());
      return new SynScanner(plan, path, new RingSink(tx), rx, SynCookie.random(), Ticker.SYSTEM);
    } catch (LinkException e) {
      if (!e.isPermissionDenied()) {
        throw e;
      }
      notices.accept(
          "no CAP_NET_RAW here: falling back to a TCP connect scan (slower, and targets log the"
              + " connections); run as root or grant cap_net_raw for SYN scans");
      return new ConnectScanner(plan, options.connectConcurrency(), Ticker.SYSTEM);
    }
  }

  private static boolean allOnThisHost(ScanPlan plan) {
    for (dev.portolan.control.target.AddressRange r : plan.space().hosts().ranges()) {
      if (!PathResolver.isLoopbackTarget((int) r.first()) || !PathResolver.isLoopbackTarget((int) r.last())) {
        return false;
      }
    }
    return true;
  }

  /** Frames go to a pcap file; works unprivileged, so next hops come from tables or overrides. */
  private static Scanner dryRun(ScanPlan plan, Options options, Consumer<String> notices) throws IOException {
    PathResolver.Overrides o = options.overrides();
    int first = plan.space().hosts().addressAt(0);
    String ifname =
        o.ifname()
            .orElseGet(
                () ->
                    PathResolver.isLoopbackTarget(first)
                        ? Interfaces.loopbackName()
                        : Routes.lookup(first).map(Routes.Route::ifname).orElse(Interfaces.loopbackName()));
    Interfaces.require(ifname);
    int sourceIp =
        o.sourceIp().isPresent()
            ? o.sourceIp().getAsInt()
            : Interfaces.ipv4(ifname).orElse(0x7f000001);
    long router =
        o.routerMac()
            .orElseGet(
                () ->
                    Routes.lookup(first)
                        .filter(r -> !r.onLink())
                        .flatMap(r -> {
                          var mac = Neighbours.lookup(r.ifname(), r.gateway());
                          return mac.isPresent() ? Optional.of(mac.getAsLong()) : Optional.empty();
                        })
                        .orElse(0L));
    NetworkPath path =
        new NetworkPath(ifname, sourceIp, Interfaces.mac(ifname), new NextHop.Router(0, router));
    Path file = options.pcap().get();
    OutputStream out;
    try {
      out = Files.newOutputStream(file);
    } catch (IOException e) {
      throw new UsageException("cannot write the pcap file '" + file + "': check the directory and permissions");
    }
    notices.accept(
        "dry run: writing frames to " + file + " instead of sending (source " + Ipv4.format(sourceIp) + ")");
    return new SynScanner(plan, path, new PcapSink(out), null, SynCookie.random(), Ticker.SYSTEM);
  }
}
