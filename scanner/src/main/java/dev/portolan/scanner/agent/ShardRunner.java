package dev.portolan.scanner.agent;

import dev.portolan.control.target.Ipv4;
import dev.portolan.control.target.PortSet;
import dev.portolan.control.target.ScanSpace;
import dev.portolan.control.target.Scope;
import dev.portolan.control.target.Shard;
import dev.portolan.crds.v1alpha1.Defaults;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ScopeSnapshot;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportSpec;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.engine.PortState;
import dev.portolan.scanner.engine.ScanCounters;
import dev.portolan.scanner.engine.ScanPlan;
import dev.portolan.scanner.engine.ScanSummary;
import dev.portolan.scanner.engine.Scanner;
import dev.portolan.scanner.engine.ScannerFactory;
import dev.portolan.scanner.probe.Endpoint;
import dev.portolan.scanner.probe.EndpointQueue;
import dev.portolan.scanner.probe.Validator;
import java.io.IOException;
import java.time.Duration;
import dev.portolan.scanner.engine.Checkpoint;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.function.Consumer;

/**
 * Runs one shard of a run: discovery over the shard's positions of the frozen scope, and
 * validation of every open port as it is found (streamed into the validator, which bounds its own
 * concurrency). Findings go to a consumer as they are concluded. {@link #safePosition} is the
 * resume point that loses nothing: every probe before it was sent, its reply had time to arrive
 * and its finding has been handed over.
 */
public final class ShardRunner {
  private static final long SAMPLE_NANOS = 500_000_000L;

  private final ScanPlan plan;
  private final ScannerFactory.Options options;
  private final Validator validator;
  private final String node;
  private final Consumer<String> notices;
  private volatile Scanner scanner;
  /** Open ports found but not yet handed over, with the time they were found. */
  private final java.util.Map<String, Long> pending = new java.util.concurrent.ConcurrentHashMap<>();
  /** The discovery result of each open port waiting for validation. */
  private final java.util.Map<String, PortResult> results = new java.util.concurrent.ConcurrentHashMap<>();
  private final Deque<long[]> samples = new ArrayDeque<>();
  private volatile boolean finished;
  /** The run's scope says so (Service cluster IPs): connects, whatever the agent's options. */
  private final boolean connectOnly;
  private volatile long finalPosition = -1;

  /**
   * @param validator null when the run does not validate
   */
  public ShardRunner(
      ScanReportSpec spec, ShardAssignment shard, long resumeFrom, ScannerFactory.Options options,
      Validator validator, String node, Consumer<String> notices) {
    this.plan = plan(spec.scope(), shard, resumeFrom);
    this.connectOnly = spec.scope().connectOnly();
    this.options = connectOnly && !options.forceConnect()
        ? new ScannerFactory.Options(options.overrides(), options.pcap(), true, options.connectConcurrency())
        : options;
    this.validator = validator;
    this.node = node;
    this.notices = notices;
  }

  static ScanPlan plan(ScopeSnapshot scope, ShardAssignment shard, long resumeFrom) {
    Scope s = Scope.of(Scope.parseList(scope.cidrs()), Scope.parseList(scope.exclude() == null ? java.util.List.of() : scope.exclude()));
    ScanSpace space = new ScanSpace(s.hosts(), PortSet.parse(scope.ports()));
    java.util.Set<Long> watch = new java.util.HashSet<>();
    for (String endpoint : scope.watchOrEmpty()) {
      int colon = endpoint.lastIndexOf(':');
      long index = space.indexOf(Ipv4.parse(endpoint.substring(0, colon)), Integer.parseInt(endpoint.substring(colon + 1)));
      if (index >= 0) {
        watch.add(index);
      }
    }
    return new ScanPlan(
        space,
        scope.seed(),
        new Shard(shard.index(), shard.count()),
        resumeFrom,
        scope.retries() == null ? Defaults.RETRIES : scope.retries(),
        shard.rate(),
        Duration.ofSeconds(scope.waitSeconds() == null ? Defaults.WAIT_SECONDS : scope.waitSeconds()),
        ScanPlan.DEFAULT_SOURCE_PORT_LOW,
        ScanPlan.DEFAULT_SOURCE_PORT_HIGH,
        EnumSet.of(PortState.OPEN),
        watch);
  }

  /** How this shard finds open ports: Syn (raw SYN probes) or Connect (TCP connects), once running. */
  public String discovery() {
    Scanner s = scanner;
    if (s == null) {
      return null;
    }
    return s.method().startsWith("connect") ? ScopeSnapshot.CONNECT : ScopeSnapshot.SYN;
  }

  public ScanPlan plan() {
    return plan;
  }

  /** The validator a run asks for, or null when its policy turned validation off. */
  public static Validator validatorFor(dev.portolan.crds.v1alpha1.ValidationSpec v) {
    if (v != null && Boolean.FALSE.equals(v.enabled())) {
      return null;
    }
    int budget = v != null && v.timeoutSeconds() != null ? v.timeoutSeconds() : Defaults.VALIDATION_TIMEOUT_SECONDS;
    int intensity = v != null && v.intensity() != null ? v.intensity() : Defaults.VALIDATION_INTENSITY;
    dev.portolan.scanner.probe.ValidationConfig vc = dev.portolan.scanner.probe.ValidationConfig.DEFAULTS
        .withPortBudget(Duration.ofSeconds(budget))
        .withIntensity(intensity);
    return new Validator(vc, dev.portolan.scanner.probe.ProbeDatabase.builtIn());
  }

  /**
   * Runs the shard to its end (or {@link #stop}); blocks. Each result is handed over once, as it is
   * concluded: an open port with its validation (or without, when the run does not validate), or
   * a watched port's reset or silence.
   */
  public ScanSummary run(Consumer<dev.portolan.scanner.report.Finding> findings) throws IOException {
    if (connectOnly) {
      notices.accept("the run's scope holds Service cluster IPs, which answer only through the node's NAT:"
          + " probing with TCP connects");
    }
    scanner = ScannerFactory.create(plan, options, notices);
    ScanCounters counters = scanner.counters();
    EndpointQueue open = new EndpointQueue();
    Thread validation = Thread.ofPlatform().name("portolan-validate").daemon(true).start(() -> {
      if (validator != null) {
        validator.validate(open, v -> {
          PortResult r = results.remove(v.endpoint().toString());
          findings.accept(new dev.portolan.scanner.report.Finding(r != null ? r : resultOf(v), v));
          pending.remove(v.endpoint().toString());
        });
      }
    });
    Thread sampler = Thread.ofPlatform().name("portolan-checkpoint").daemon(true).start(() -> {
      while (!finished) {
        sample(counters.position());
        try {
          Thread.sleep(SAMPLE_NANOS / 1_000_000);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    ScanSummary summary;
    try {
      summary = scanner.run(r -> {
        if (r.state() != PortState.OPEN) {
          // A watched port's silence or reset: a declared, allowed listener that did not answer.
          findings.accept(dev.portolan.scanner.report.Finding.of(r));
          return;
        }
        if (r.state() == PortState.OPEN) {
          if (validator == null) {
            findings.accept(dev.portolan.scanner.report.Finding.of(r));
            return;
          }
          Endpoint e = new Endpoint(r.address(), r.port(), r.fingerprint());
          results.put(e.toString(), r);
          pending.put(e.toString(), System.nanoTime());
          open.add(e);
        }
      });
    } finally {
      open.close();
    }
    try {
      validation.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    finished = true;
    sampler.interrupt();
    finalPosition = summary.resumeFrom();
    return summary;
  }

  private static PortResult resultOf(dev.portolan.scanner.probe.Validation v) {
    return new PortResult(v.endpoint().address(), v.endpoint().port(), PortState.OPEN, PortState.OPEN.defaultReason(),
        v.endpoint().fingerprint(), System.currentTimeMillis());
  }

  /** Live engine counters (sent, open, closed), once running. */
  public ScanCounters counters() {
    Scanner s = scanner;
    return s == null ? null : s.counters();
  }

  public void stop() {
    Scanner s = scanner;
    if (s != null) {
      s.stop();
    }
  }

  private synchronized void sample(long position) {
    samples.addLast(new long[] {System.nanoTime(), position});
    while (samples.size() > 10_000) {
      samples.removeFirst();
    }
  }

  /**
   * The latest resume point at or before {@link #safePosition} with the counts that go with it:
   * added to a resumed scan's counts, they count every target once (see ProgressLedger).
   */
  public Checkpoint checkpoint() {
    long safe = safePosition();
    Scanner s = scanner;
    return s == null ? new Checkpoint(plan.resumeFrom(), 0, 0) : s.checkpoint(safe);
  }

  /**
   * The resume point that loses nothing: the position reached at the latest moment whose replies
   * have had the full wait to arrive and whose open ports have all been validated and handed over.
   */
  public synchronized long safePosition() {
    if (finalPosition >= 0) {
      return finalPosition;
    }
    long waitNanos = plan.replyWait().toNanos();
    long now = System.nanoTime();
    long handed = pending.values().stream().mapToLong(Long::longValue).min().orElse(now);
    long safe = plan.resumeFrom();
    for (long[] s : samples) {
      if (s[0] + waitNanos <= handed && s[0] + waitNanos <= now) {
        safe = Math.max(safe, s[1]);
      }
    }
    return safe;
  }
}
