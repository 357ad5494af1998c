package dev.portolan.scanner.probe;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The work on one endpoint. The first connection listens for a greeting while a second one (when
 * the per-host bound allows) sends the probes the port makes likely, then the others by rarity; a
 * reply to a probe ends the wait for a greeting (the server is not server-first). Where the port
 * suggests TLS, or a reply or the TLS probe shows it, the handshake is inspected and the probes
 * are repeated inside TLS. The first full match ends everything at once; a soft match narrows the
 * remaining probes to those meant for its service. Every connection is bounded, and so is the
 * whole: {@link ValidationConfig#portBudget()}.
 */
final class EndpointValidation {
  private static final int MAX_CONNECT_FAILURES = 3;
  private static final long MIN_UNLIKELY_WAIT_MILLIS = 300;
  private static final long MIN_QUIET_MILLIS = 120;
  private static final long MIN_STEP_MILLIS = 20;

  private final Endpoint endpoint;
  private final ProbeDatabase db;
  private final ValidationConfig config;
  private final ScheduledExecutorService watchdog;
  private final boolean parallel;
  private final InetSocketAddress target;
  private final long startNanos;
  private final long deadline;
  private final long readMillis;

  private final Set<Connection> open = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private final Observations seen = new Observations();
  private volatile boolean done;
  private volatile long rttNanos = -1;
  private volatile Connection greeting;
  private volatile boolean greetingCancelled;
  private boolean tlsTried;
  private Connection tlsEntry;
  private boolean budgetNoted;
  private int connectFailures;

  EndpointValidation(Endpoint endpoint, ProbeDatabase db, ValidationConfig config, ScheduledExecutorService watchdog, boolean parallel) {
    this.endpoint = endpoint;
    this.db = db;
    this.config = config;
    this.watchdog = watchdog;
    this.parallel = parallel;
    this.target = new InetSocketAddress(inet(endpoint.address()), endpoint.port());
    this.startNanos = System.nanoTime();
    this.deadline = startNanos + config.portBudget().toNanos();
    this.readMillis = config.readTimeout().toMillis();
  }

  Validation run() {
    Connection first;
    try {
      first = connect();
    } catch (Connection.ConnectFailure f) {
      return unreachable(f);
    }
    rttNanos = first.connectNanos();
    try {
      ProbeDatabase.Plan plain = db.plan(endpoint.port(), config.intensity(), false);
      if (plain.tlsLikely() && claimTls()) {
        if (enterTls(first, true)) {
          tlsPhase(first);
        } else if (!done) {
          plainPhase(plain, null);
        }
      } else {
        plainPhase(plain, first);
      }
    } finally {
      done = true;
      for (Connection c : open) {
        c.close();
      }
    }
    return result();
  }

  private void plainPhase(ProbeDatabase.Plan plan, Connection first) {
    Connection c = first != null ? first : connectOrNull();
    if (c == null) {
      return;
    }
    runPhase(new Steps(plan.steps(), false), c, plan.bannerLikely());
    Connection entry;
    synchronized (lock) {
      entry = tlsEntry;
      tlsEntry = null;
    }
    if (entry != null) {
      if (done) {
        entry.close();
      } else {
        tlsPhase(entry);
      }
    }
  }

  private void tlsPhase(Connection entry) {
    ProbeDatabase.Plan plan = db.plan(endpoint.port(), config.intensity(), true);
    List<Probe> steps = plan.steps();
    TlsDetails tls = seen.tls();
    String alpn = tls == null ? null : tls.alpn();
    if (alpn != null) {
      // The server said it speaks HTTP: HTTP probes first.
      List<Probe> http = new ArrayList<>(steps.stream().filter(p -> p.targets("http")).toList());
      http.addAll(steps.stream().filter(p -> !p.targets("http")).toList());
      steps = http;
    }
    Connection greetingConnection = entry;
    if ("h2".equals(alpn)) {
      entry.close(); // an HTTP/2 server opens with its own frames; that is not a greeting
      open.remove(entry);
      greetingConnection = null;
    }
    runPhase(new Steps(steps, true), greetingConnection, plan.bannerLikely());
  }

  /**
   * One phase (in the clear, or inside TLS): listen for a greeting on {@code c} and work through
   * the probes. A greeting the port makes likely is awaited first, for the full read timeout;
   * otherwise, with a second connection allowed, a lane listens briefly beside the probes and then
   * takes probes too; without one, a short listen comes first.
   */
  private void runPhase(Steps steps, Connection c, boolean greetingLikely) {
    boolean insideTls = steps.insideTls;
    if (c != null && greetingLikely) {
      listen(c, insideTls, readMillis);
    } else if (c != null && !parallel) {
      listen(c, insideTls, unlikelyWaitMillis());
    }
    Thread lane = null;
    if (parallel) {
      Connection g = c != null && !greetingLikely ? c : null;
      if (g != null) {
        greeting = g;
      }
      lane =
          Thread.ofVirtual()
              .name("portolan-lane")
              .start(
                  () -> {
                    if (g != null) {
                      listen(g, insideTls, unlikelyWaitMillis());
                    }
                    work(steps);
                  });
    }
    work(steps);
    join(lane);
  }

  private void listen(Connection c, boolean insideTls, long waitMillis) {
    try {
      Probe banner = db.banner();
      Connection.Reply r = c.read(policy(waitMillis, false), (d, n) -> db.match(banner.id(), endpoint.port(), d, n).orElse(null));
      record(banner, r, insideTls, true);
    } finally {
      c.close();
      open.remove(c);
      if (greeting == c) {
        greeting = null;
      }
    }
  }

  /** The probes of one phase, taken in order by up to two workers. */
  private final class Steps {
    private final List<Probe> probes;
    private final boolean insideTls;
    private int next;
    private boolean closed;

    Steps(List<Probe> probes, boolean insideTls) {
      this.probes = probes;
      this.insideTls = insideTls;
    }

    /** The next probe worth sending, or null; after a soft match only probes for its service. */
    synchronized Probe take() {
      while (!closed && next < probes.size()) {
        Probe p = probes.get(next++);
        String softService = softService();
        if (softService == null || p.targets(softService)) {
          return p;
        }
      }
      return null;
    }

    synchronized void close() {
      closed = true;
    }
  }

  /** Sends probes until the steps run out, a match ends the work, or the port turns out to be TLS. */
  private void work(Steps steps) {
    while (!done && timeLeft()) {
      if (!steps.insideTls && seen.sawTlsSign() && claimTls()) {
        if (openTls(steps, true)) {
          return;
        }
        continue;
      }
      Probe p = steps.take();
      if (p == null) {
        break;
      }
      if (p.tlsHandshake()) {
        if (softService() == null && claimTls() && openTls(steps, p.likelyOn(endpoint.port(), false) || db.tlsLikely(endpoint.port()))) {
          return;
        }
        continue;
      }
      exchange(p, steps.insideTls);
      synchronized (lock) {
        if (connectFailures >= MAX_CONNECT_FAILURES) {
          return;
        }
      }
    }
    if (!steps.insideTls && !done && seen.sawTlsSign() && timeLeft() && claimTls()) {
      openTls(steps, true);
    }
  }

  /** True once: the caller may try the TLS handshake. */
  private boolean claimTls() {
    synchronized (lock) {
      if (tlsTried) {
        return false;
      }
      tlsTried = true;
      return true;
    }
  }

  /** Tries TLS on a new connection; on success the plain steps end and the phase inside TLS follows. */
  private boolean openTls(Steps plainSteps, boolean likely) {
    Connection c = connectOrNull();
    if (c == null || !enterTls(c, likely)) {
      return false;
    }
    plainSteps.close();
    cancelGreeting();
    synchronized (lock) {
      tlsEntry = c;
    }
    return true;
  }

  /** Inspects a TLS handshake over {@code c}; false (and {@code c} closed) when there is none. */
  private boolean enterTls(Connection c, boolean likely) {
    long wait = likely ? readMillis : unlikelyWaitMillis();
    try {
      TlsInspector.Established e = c.startTls(TlsInspector.get(), endpoint.addressText(), endpoint.port(), true, Math.min(wait, millisLeft()));
      seen.tls(e.details());
      return true;
    } catch (TlsInspector.HandshakeFailure f) {
      c.close();
      open.remove(c);
      if (!(done && c.stopped())) {
        if (f.partial() != null) {
          seen.tls(f.partial());
          note("tls: the server sent a certificate, then " + f.getMessage());
          done = true; // it speaks TLS but will not let us in: nothing in the clear will answer
        } else {
          note("tls: " + (c.stopped() ? "stopped: the port's time budget ran out" : f.getMessage()));
        }
      }
      return false;
    } catch (IOException e) {
      c.close();
      open.remove(c);
      note("tls: " + e.getMessage());
      return false;
    }
  }

  private void exchange(Probe p, boolean insideTls) {
    Connection c = connectOrNull();
    if (c == null) {
      return;
    }
    String label = (insideTls ? "tls/" : "") + p.id();
    try {
      if (insideTls) {
        try {
          c.startTls(TlsInspector.get(), endpoint.addressText(), endpoint.port(), false, Math.min(readMillis, millisLeft()));
        } catch (IOException e) {
          if (!done) {
            note(label + ": TLS handshake failed: " + e.getMessage());
          }
          return;
        }
      }
      long wait = p.likelyOn(endpoint.port(), insideTls) ? readMillis : unlikelyWaitMillis();
      try {
        c.send(p.payloadFor(endpoint));
      } catch (IOException e) {
        // The server may have said something before giving up on us: read it anyway.
        note(label + ": sending failed (" + e.getMessage() + ")");
      }
      Connection.Reply r = c.read(policy(wait, p.untilClose()), (d, n) -> db.match(p.id(), endpoint.port(), d, n).orElse(null));
      record(p, r, insideTls, false);
    } finally {
      c.close();
      open.remove(c);
    }
  }

  private void record(Probe p, Connection.Reply r, boolean insideTls, boolean isGreeting) {
    boolean quietStop = done || isGreeting && greetingCancelled;
    switch (seen.record(p, r, insideTls, isGreeting, quietStop)) {
      case IDENTIFIED -> finish();
      case ANSWERED -> cancelGreeting(); // a reply to a probe: this server does not wait to greet
      case NOTHING -> {}
    }
  }

  private void finish() {
    done = true;
    for (Connection c : open) {
      c.stop();
    }
  }

  private void cancelGreeting() {
    Connection g = greeting;
    if (g != null) {
      greeting = null;
      greetingCancelled = true;
      g.stop();
    }
  }

  private Connection connect() throws Connection.ConnectFailure {
    long closeAt = Math.min(deadline, System.nanoTime() + config.connectTimeout().toNanos() + 3 * config.readTimeout().toNanos());
    Connection c = Connection.open(target, (int) config.connectTimeout().toMillis(), closeAt, watchdog);
    open.add(c);
    if (done) {
      c.stop();
    }
    return c;
  }

  private Connection connectOrNull() {
    if (done || !timeLeft()) {
      return null;
    }
    try {
      return connect();
    } catch (Connection.ConnectFailure f) {
      synchronized (lock) {
        connectFailures++;
        note("connect: " + f.getMessage());
      }
      return null;
    }
  }

  private Connection.ReadPolicy policy(long firstByteMillis, boolean untilClose) {
    long rttMillis = Math.max(0, TimeUnit.NANOSECONDS.toMillis(rttNanos));
    long quiet = Math.min(readMillis, Math.max(MIN_QUIET_MILLIS, 4 * rttMillis));
    if (untilClose) {
      quiet = Math.max(quiet, Math.min(readMillis, 500));
    }
    long left = millisLeft();
    return new Connection.ReadPolicy(Math.min(firstByteMillis, left), quiet, Math.min(readMillis, left), config.maxResponseBytes(), untilClose);
  }

  /** How long to wait for a reply to a probe the port does not make likely: short, adapted to the path. */
  private long unlikelyWaitMillis() {
    long rttMillis = Math.max(0, TimeUnit.NANOSECONDS.toMillis(rttNanos));
    return Math.min(readMillis, Math.max(MIN_UNLIKELY_WAIT_MILLIS, MIN_UNLIKELY_WAIT_MILLIS + 8 * rttMillis));
  }

  private boolean timeLeft() {
    if (millisLeft() >= MIN_STEP_MILLIS) {
      return true;
    }
    synchronized (lock) {
      if (!budgetNoted && !done) {
        budgetNoted = true;
        note("stopped: the budget of " + config.portBudget().toMillis() + " ms for this port was spent");
      }
    }
    return false;
  }

  private long millisLeft() {
    return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
  }

  private String softService() {
    return seen.softService();
  }

  private void note(String text) {
    seen.note(text);
  }

  private void join(Thread lane) {
    if (lane == null) {
      return;
    }
    try {
      // The lane's connection is closed by the watchdog at the latest at the deadline.
      if (!lane.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())).plusSeconds(1))) {
        cancelGreeting();
        lane.join(Duration.ofSeconds(1));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Validation result() {
    return seen.toValidation(endpoint, db.osFromSynAck(endpoint.fingerprint()), db, Duration.ofNanos(System.nanoTime() - startNanos));
  }

  private Validation unreachable(Connection.ConnectFailure f) {
    return Observations.unreachable(
        endpoint, f.reachability(), f.getMessage(), db.osFromSynAck(endpoint.fingerprint()), Duration.ofNanos(System.nanoTime() - startNanos));
  }

  private static InetAddress inet(int address) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an address
    }
  }
}
