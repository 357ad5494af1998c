package dev.portolan.scanner.engine;

import dev.portolan.control.target.ScanSpace;
import dev.portolan.control.target.ScopePermutation;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Discovery without CAP_NET_RAW: a full TCP connect per target, on virtual threads with a bound on
 * how many are in flight, in the same keyed order, at the same rate, with the same results. Slower
 * and visible in the targets' logs, which is why it is only the fallback. Connections that succeed
 * are closed with a reset, so neither side keeps TIME_WAIT state for thousands of targets.
 */
public final class ConnectScanner implements Scanner {
  public static final int DEFAULT_CONCURRENCY = 256;

  private final ScanPlan plan;
  private final int concurrency;
  private final Ticker ticker;
  private final ScanCounters counters = new ScanCounters();
  private volatile boolean stopRequested;

  public ConnectScanner(ScanPlan plan, int concurrency, Ticker ticker) {
    this.plan = plan;
    this.concurrency = concurrency;
    this.ticker = ticker;
  }

  @Override
  public ScanCounters counters() {
    return counters;
  }

  @Override
  public void stop() {
    stopRequested = true;
  }

  @Override
  public String method() {
    return "connect";
  }

  /** Resume points with exact counts, by place (a connect makes every attempt at once). */
  private volatile ProgressLedger ledger;
  /** Places whose connects have not ended: no resume point passes one. */
  private final java.util.concurrent.ConcurrentSkipListSet<Long> inFlightPlaces = new java.util.concurrent.ConcurrentSkipListSet<>();

  @Override
  public Checkpoint checkpoint(long safe) {
    ProgressLedger l = ledger;
    if (l == null) {
      return Scanner.super.checkpoint(safe);
    }
    long passes = plan.retries() + 1L;
    long place = safe / passes;
    Long oldest = inFlightPlaces.ceiling(Long.MIN_VALUE); // null when none: isEmpty() then first() races the probes
    if (oldest != null) {
      place = Math.min(place, oldest);
    }
    Checkpoint c = l.placeCheckpoint(place);
    return new Checkpoint(c.position() * passes, c.sent(), c.closed());
  }

  @Override
  public ScanSummary run(ScanListener listener) throws IOException {
    Instant started = Instant.now();
    counters.startNanos = ticker.nanoTime();
    long shardLength = plan.shardLength();
    // A connect tries every attempt itself, so the plan's passes collapse into one walk.
    counters.total = plan.totalPositions();
    // Positions count over passes as in the SYN engine; a connect makes every attempt at once.
    long from = Math.min(plan.resumeFrom() / (plan.retries() + 1L), shardLength);
    counters.position = from * (plan.retries() + 1L);
    ProgressLedger ledger = new ProgressLedger(shardLength, from);
    this.ledger = ledger;
    ScanSpace space = plan.space();
    ScopePermutation order = plan.permutation();
    RateLimiter limiter = new RateLimiter(plan.rate(), ticker);
    Semaphore inFlight = new Semaphore(concurrency);
    java.util.concurrent.atomic.LongAdder filtered = new java.util.concurrent.atomic.LongAdder();
    int timeoutMillis = (int) Math.max(200, Math.min(Integer.MAX_VALUE, plan.replyWait().toMillis()));
    long i = from;
    try (Delivery delivery = new Delivery(listener);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      while (i < shardLength && !stopRequested) {
        int granted = limiter.acquire((int) Math.min(shardLength - i, RateLimiter.MAX_BATCH));
        for (int g = 0; g < granted && i < shardLength; g++, i++) {
          long index = order.at(plan.shard().position(i));
          int address = space.addressAt(index);
          int port = space.portAt(index);
          long place = i;
          inFlight.acquireUninterruptibly();
          inFlightPlaces.add(place);
          pool.execute(
              () -> {
                try {
                  PortResult r = probe(address, port, timeoutMillis, place);
                  switch (r.state()) {
                    case OPEN -> counters.open.increment();
                    case CLOSED -> {
                      counters.closed.increment();
                      ledger.closed(place);
                    }
                    case FILTERED -> filtered.increment();
                  }
                  if (plan.reports(r.state(), index)) {
                    delivery.deliver(r);
                  }
                } finally {
                  inFlightPlaces.remove(place);
                  inFlight.release();
                }
              });
        }
        counters.position = i * (plan.retries() + 1L);
      }
      pool.shutdown();
      if (!pool.awaitTermination((long) timeoutMillis * (plan.retries() + 2L), TimeUnit.MILLISECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    boolean completed = i >= shardLength;
    return new ScanSummary(
        method(),
        started,
        Instant.now(),
        counters.sent(),
        counters.open(),
        counters.closed(),
        filtered.sum(),
        shardLength - from,
        completed ? plan.totalPositions() : counters.position,
        completed,
        0,
        0,
        java.time.Duration.ofNanos(ticker.nanoTime() - counters.startNanos));
  }

  private PortResult probe(int address, int port, int timeoutMillis, long place) {
    String reason = PortState.FILTERED.defaultReason();
    for (int attempt = 0; attempt <= plan.retries(); attempt++) {
      counters.sent.increment();
      ledger.sent(place);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getByAddress(bytes(address)), port), timeoutMillis);
        s.setSoLinger(true, 0);
        return new PortResult(address, port, PortState.OPEN, "syn-ack", null, System.currentTimeMillis());
      } catch (ConnectException e) {
        if (String.valueOf(e.getMessage()).contains("refused")) {
          return new PortResult(address, port, PortState.CLOSED, "conn-refused", null, System.currentTimeMillis());
        }
        reason = "unreachable";
      } catch (NoRouteToHostException e) {
        return new PortResult(address, port, PortState.FILTERED, "host-unreach", null, System.currentTimeMillis());
      } catch (SocketTimeoutException e) {
        reason = PortState.FILTERED.defaultReason();
      } catch (IOException e) {
        reason = "error: " + e.getMessage();
      }
      if (stopRequested) {
        break;
      }
    }
    return new PortResult(address, port, PortState.FILTERED, reason, null, System.currentTimeMillis());
  }

  private static byte[] bytes(int address) {
    return new byte[] {
      (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address
    };
  }
}
