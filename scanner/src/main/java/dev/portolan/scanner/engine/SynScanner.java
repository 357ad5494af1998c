package dev.portolan.scanner.engine;

import dev.portolan.control.target.ScanSpace;
import dev.portolan.control.target.ScopePermutation;
import dev.portolan.control.target.Shard;
import dev.portolan.scanner.link.RxRing;
import dev.portolan.scanner.packet.SynProbeFrame;
import dev.portolan.scanner.packet.TcpReply;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Instant;

/**
 * The stateless SYN engine. The calling thread transmits: it walks the shard's positions of the
 * keyed order, builds each probe in place in the transmit ring and sends in rate-limited batches. A
 * receive thread reads the filtered ring, keeps replies whose acknowledgement matches the SYN
 * cookie, and reports each target once. Retry passes re-probe only what has not answered, spaced
 * in time; a bounded wait for late replies ends the scan, sooner when everything has answered.
 */
public final class SynScanner implements Scanner {
  /** Responses tracked before closed ports stop being remembered (see {@link ResponseSet}). */
  private static final int RESPONSE_LIMIT = 8_000_000;

  private static final long MAX_RETRY_GAP_NANOS = 1_000_000_000L;
  private static final long STOP_GRACE_NANOS = 500_000_000L;

  private final ScanPlan plan;
  private final NetworkPath path;
  private final FrameSink sink;
  private final RxRing rx;
  private final SynCookie cookie;
  private final Ticker ticker;
  private final ScanCounters counters = new ScanCounters();
  private final ResponseSet responses = new ResponseSet(RESPONSE_LIMIT);
  private volatile boolean stopRequested;
  private volatile boolean receiving = true;
  private long unreachable;
  private java.time.Duration sendTime = java.time.Duration.ZERO;

  SynScanner(ScanPlan plan, NetworkPath path, FrameSink sink, RxRing rx, SynCookie cookie, Ticker ticker) {
    this.plan = plan;
    this.path = path;
    this.sink = sink;
    this.rx = rx;
    this.cookie = cookie;
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
    return rx == null ? "syn (dry run)" : "syn";
  }

  /** Resume points with exact counts; made when the run starts. */
  private volatile ProgressLedger ledger;

  @Override
  public Checkpoint checkpoint(long safe) {
    ProgressLedger l = ledger;
    return l == null ? Scanner.super.checkpoint(safe) : l.checkpoint(safe);
  }

  @Override
  public ScanSummary run(ScanListener listener) throws IOException {
    Instant started = Instant.now();
    counters.startNanos = ticker.nanoTime();
    counters.total = plan.totalPositions();
    long shardLength = plan.shardLength();
    long resume = Math.min(plan.resumeFrom(), plan.totalPositions());
    counters.position = resume;
    ledger = new ProgressLedger(shardLength, resume);
    Thread receiver = null;
    long drops = 0;
    try (Delivery delivery = new Delivery(listener)) {
      if (rx != null) {
        receiver = startReceiver(delivery);
      }
      long sendStart = ticker.nanoTime();
      transmit(shardLength, resume);
      sendTime = java.time.Duration.ofNanos(ticker.nanoTime() - sendStart);
      if (rx != null) {
        awaitLateReplies(shardLength, resume);
        receiving = false;
        receiver.join();
        drops = rx.drops();
      }
      long filtered = reportFiltered(delivery, shardLength, resume);
      boolean completed = counters.position >= plan.totalPositions();
      return new ScanSummary(
          method(),
          started,
          Instant.now(),
          counters.sent(),
          counters.open(),
          counters.closed(),
          filtered,
          shardLength == 0 ? 0 : shardLength - resume % shardLength,
          counters.position,
          completed,
          drops,
          counters.foreign(),
          sendTime);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      receiving = false;
      sink.close();
      if (rx != null) {
        rx.close();
      }
    }
  }

  private void transmit(long shardLength, long resume) throws IOException {
    ScanSpace space = plan.space();
    ScopePermutation order = plan.permutation();
    Shard shard = plan.shard();
    RateLimiter limiter = new RateLimiter(plan.rate(), ticker);
    NextHop nextHop = path.nextHop();
    boolean macPerHost = nextHop instanceof NextHop.OnLink;
    SynProbeFrame frame =
        new SynProbeFrame(
            path.sourceMac(),
            macPerHost ? 0 : nextHop.macFor(0),
            path.sourceIp(),
            (int) (plan.seed() >>> 16));
    MemorySegment memory = sink.memory();
    int srcIp = path.sourceIp();
    int portLow = plan.sourcePortLow();
    int portCount = plan.sourcePortHigh() - portLow + 1;
    long lastPassEnd = 0;
    for (int pass = (int) (resume / Math.max(1, shardLength)); pass <= plan.retries(); pass++) {
      if (shardLength == 0 || stopRequested) {
        break;
      }
      if (pass > 0 && rx != null && !pauseBeforeRetry(lastPassEnd, shardLength, resume)) {
        counters.position = plan.totalPositions(); // everything answered: nothing left to retry
        return;
      }
      long base = pass * shardLength;
      // A resumed scan probes, in every remaining pass, only the positions from where it stopped:
      // those before had all their passes up to the interrupted one, and their answers are
      // already reported, so probing them again would report them twice.
      long i = resume % shardLength;
      ProgressLedger ledger = this.ledger;
      ledger.boundary(base + i, counters.sent());
      while (i < shardLength && !stopRequested) {
        int granted = limiter.acquire((int) Math.min(shardLength - i, RateLimiter.MAX_BATCH));
        if (granted == 0) {
          stopRequested = true;
          break;
        }
        int sent = 0;
        long sentBefore = counters.sent();
        while (sent < granted && i < shardLength) {
          if (ledger.isBoundary(i)) {
            ledger.boundary(base + i, sentBefore + sent);
          }
          long index = order.at(shard.position(i));
          i++;
          if (pass > 0 && responses.contains(index)) {
            continue;
          }
          int dst = space.addressAt(index);
          long mac = nextHop.macFor(dst);
          if (mac < 0) {
            if (pass == 0) {
              unreachable++;
            }
            continue;
          }
          int dport = space.portAt(index);
          int sport = portLow + (int) ((index + pass) % portCount);
          int seq = cookie.of(srcIp, sport, dst, dport);
          long at = sink.claim();
          frame.write(memory, at, dst, sport, dport, seq, seq >>> 16);
          if (macPerHost) {
            SynProbeFrame.setDestinationMac(memory, at, mac);
          }
          sink.commit(SynProbeFrame.LENGTH);
          sent++;
        }
        sink.flush();
        if (sent < granted) {
          limiter.refund(granted - sent);
        }
        counters.sent.add(sent);
        counters.position = base + i;
      }
      lastPassEnd = ticker.nanoTime();
    }
  }

  /**
   * Waits before a retry pass so that each target's retry comes a while after its first probe and
   * late replies are counted first. Returns false when every target has already answered.
   */
  private boolean pauseBeforeRetry(long lastPassEnd, long shardLength, long resume) {
    long gap = Math.min(plan.replyWait().toNanos(), MAX_RETRY_GAP_NANOS);
    while (ticker.nanoTime() - lastPassEnd < gap && !stopRequested) {
      if (allAnswered(shardLength, resume)) {
        return false;
      }
      ticker.sleepNanos(Math.min(10_000_000L, gap));
    }
    return !allAnswered(shardLength, resume);
  }

  private boolean allAnswered(long shardLength, long resume) {
    return resume == 0 && unreachable == 0 && responses.size() >= shardLength;
  }

  private void awaitLateReplies(long shardLength, long resume) {
    long wait = stopRequested ? Math.min(plan.replyWait().toNanos(), STOP_GRACE_NANOS) : plan.replyWait().toNanos();
    long start = ticker.nanoTime();
    while (ticker.nanoTime() - start < wait && !allAnswered(shardLength, resume)) {
      ticker.sleepNanos(Math.min(10_000_000L, wait));
      if (stopRequested) {
        wait = Math.min(wait, STOP_GRACE_NANOS);
      }
    }
  }

  private Thread startReceiver(Delivery delivery) {
    TcpReply reply = new TcpReply();
    ProgressLedger ledger = this.ledger;
    ScanSpace space = plan.space();
    int ourIp = path.sourceIp();
    int low = plan.sourcePortLow();
    int high = plan.sourcePortHigh();
    boolean reportClosed = plan.reports(PortState.CLOSED);
    boolean watching = plan.watches();
    RxRing.FrameHandler handler =
        (memory, offset, length) -> {
          if (reply.decode(memory, offset, length) != TcpReply.Result.TCP
              || reply.dstIp != ourIp
              || reply.dstPort < low
              || reply.dstPort > high) {
            return;
          }
          boolean synAck = reply.isSynAck();
          if (!synAck && !reply.isRst()) {
            return;
          }
          if (!cookie.matches(reply.ack, ourIp, reply.dstPort, reply.srcIp, reply.srcPort)) {
            counters.foreign.increment();
            return;
          }
          long index = space.indexOf(reply.srcIp, reply.srcPort);
          if (index < 0 || !responses.add(index, synAck)) {
            return;
          }
          if (synAck) {
            counters.open.increment();
            delivery.deliver(
                new PortResult(
                    reply.srcIp,
                    reply.srcPort,
                    PortState.OPEN,
                    PortState.OPEN.defaultReason(),
                    new SynAckFingerprint(
                        reply.ttl,
                        reply.window,
                        reply.mss,
                        reply.windowScale,
                        TcpReply.optionLayout(reply.optionKinds, reply.optionCount)),
                    System.currentTimeMillis()));
          } else {
            counters.closed.increment();
            ledger.closed(plan.shard().local(plan.permutation().indexOf(index)));
            if (reportClosed || (watching && plan.reports(PortState.CLOSED, index))) {
              delivery.deliver(
                  new PortResult(
                      reply.srcIp,
                      reply.srcPort,
                      PortState.CLOSED,
                      PortState.CLOSED.defaultReason(),
                      null,
                      System.currentTimeMillis()));
            }
          }
        };
    return Thread.ofPlatform()
        .name("portolan-receive")
        .daemon(true)
        .start(
            () -> {
              while (receiving) {
                rx.poll(handler, 20);
              }
              rx.poll(handler, 0);
            });
  }

  /** Counts (and reports, when asked) the targets sent in the first pass that never answered. */
  private long reportFiltered(Delivery delivery, long shardLength, long resume) {
    if (rx == null || shardLength == 0) {
      return 0;
    }
    long firstPass = resume / shardLength;
    long from = resume % shardLength;
    long reached = counters.position - firstPass * shardLength;
    long end = Math.min(shardLength, reached);
    boolean report = plan.reports(PortState.FILTERED);
    if (!report && !plan.watches()) {
      return Math.max(0, end - from - counters.open() - counters.closed());
    }
    ScopePermutation order = plan.permutation();
    long filtered = 0;
    long now = System.currentTimeMillis();
    for (long i = from; i < end; i++) {
      long index = order.at(plan.shard().position(i));
      if (!responses.contains(index)) {
        filtered++;
        if (!report && !plan.reports(PortState.FILTERED, index)) {
          continue;
        }
        int address = plan.space().addressAt(index);
        // On-link hosts that did not answer ARP were never probed: nmap would call them down.
        String reason = path.nextHop().macFor(address) < 0 ? "no-arp-reply" : PortState.FILTERED.defaultReason();
        delivery.deliver(
            new PortResult(
                address,
                plan.space().portAt(index),
                PortState.FILTERED,
                reason,
                null,
                now));
      }
    }
    return filtered;
  }
}
