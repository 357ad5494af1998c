package dev.portolan.operator.metrics;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicyStatus.RunSummary;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The operator's metrics, named as Prometheus expects (base units, {@code _seconds},
 * {@code _timestamp_seconds}, {@code _total}). Gauges describe each policy (its last ended run, its
 * last success, its schedule) and are recomputed from the policies at every scrape
 * (level-triggered: right after a restart, and gone with the policy); counters count what this
 * replica saw happen (runs that ended, probes they sent, reconciles and their errors). Labels:
 * namespace, policy, controller, result; never an address or a port.
 */
public final class PortolanMetrics {
  /** The results a run can end with; each policy has a run counter for each, from 0. */
  private static final List<RunPhase> RESULTS = Arrays.stream(RunPhase.values()).filter(RunPhase::terminal).toList();
  private static final int REMEMBERED_RUNS = 10_000;

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<PolicyGauge> gauges = new ArrayList<>();
  /** Per-policy counters by [namespace, policy, meter(, result)]; removed with the policy. */
  private final Map<List<String>, Counter> policyCounters = new ConcurrentHashMap<>();
  private final Set<String> counted = Collections.newSetFromMap(new LinkedHashMap<>() {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED_RUNS;
    }
  });

  /** One per-policy gauge: its value for a policy, or null for no series. */
  private record PolicyGauge(MultiGauge gauge, Function<PolicyState, Number> value) {}

  public PortolanMetrics() {
    gauge("portolan.open.ports", null, "Open ports found by the policy's last ended run",
        s -> s.lastRun() == null ? null : orZero(s.lastRun().open()));
    gauge("portolan.violations", null, "Open ports of the policy's last ended run that no expectation allows",
        s -> s.lastRun() == null ? null : orZero(s.lastRun().violations()));
    gauge("portolan.new.exposures", null,
        "Open ports of the policy's last ended run that its baseline (the run before it that succeeded) did not have;"
            + " no series while there is no baseline",
        s -> s.lastRun() == null ? null : s.lastRun().newExposures());
    gauge("portolan.scan.duration", "seconds", "Duration of the policy's last ended run",
        s -> s.lastRun() == null ? null : seconds(s.lastRun()));
    gauge("portolan.last.success.timestamp", "seconds", "When the policy's newest run that succeeded completed (Unix time)",
        s -> epochSeconds(s.lastSuccess()));
    gauge("portolan.next.run.timestamp", "seconds", "When the policy's schedule starts its next run (Unix time)",
        s -> epochSeconds(s.nextRun()));
    gauge("portolan.schedule.interval", "seconds",
        "How long the policy's schedule waits between runs now (the longer gap either side of its latest due time);"
            + " no series without a schedule or while suspended",
        s -> s.interval() == null ? null : s.interval().toMillis() / 1000.0);
    gauge("portolan.policy.created.timestamp", "seconds", "When the policy was created (Unix time)",
        s -> epochSeconds(s.created()));
  }

  private void gauge(String name, String unit, String description, Function<PolicyState, Number> value) {
    gauges.add(new PolicyGauge(MultiGauge.builder(name).baseUnit(unit).description(description).register(registry), value));
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * A run ended: counted under its policy by its result (phase), with its probes; once per run
   * ({@code runUid}), however often the end is observed (a reconcile may read a cache that has not
   * yet seen the status it wrote).
   */
  public void runCompleted(String runUid, String namespace, String policy, RunPhase phase, long probes) {
    synchronized (counted) {
      if (!counted.add(runUid)) {
        return;
      }
    }
    runs(namespace, policy, phase).increment();
    probesSent(namespace, policy).increment(probes);
  }

  /** Makes a controller's error and reconcile series exist (at 0) before anything happens. */
  public void registerController(String controller) {
    errors(controller);
    reconciles(controller);
  }

  public void reconcileError(String controller) {
    errors(controller).increment();
  }

  public void reconciled(String controller) {
    reconciles(controller).increment();
  }

  private Counter errors(String controller) {
    return Counter.builder("portolan.reconcile.errors").description("Reconciles that failed").tag("controller", controller)
        .register(registry);
  }

  private Counter reconciles(String controller) {
    return Counter.builder("portolan.reconciliations").description("Reconciles run by this replica").tag("controller", controller)
        .register(registry);
  }

  private Counter runs(String namespace, String policy, RunPhase result) {
    return policyCounters.computeIfAbsent(List.of(namespace, policy, "runs", result.name()), k -> Counter.builder("portolan.runs")
        .description("Runs of the policy that ended, by result (Succeeded, PartiallySucceeded, Failed)")
        .tags("namespace", namespace, "policy", policy, "result", result.name()).register(registry));
  }

  private Counter probesSent(String namespace, String policy) {
    return policyCounters.computeIfAbsent(List.of(namespace, policy, "probes"), k -> Counter.builder("portolan.probes.sent")
        .description("Probes sent by the policy's ended runs").tags("namespace", namespace, "policy", policy).register(registry));
  }

  /** Count of reconciles of {@code controller} that failed on this replica. */
  public long reconcileErrors(String controller) {
    return (long) errors(controller).count();
  }

  /** Count of reconciles this replica ran for {@code controller}. */
  public double reconciliations(String controller) {
    Counter c = registry.find("portolan.reconciliations").tag("controller", controller).counter();
    return c == null ? 0 : c.count();
  }

  /**
   * Sets the per-policy gauges from the policies as they are now, dropping the series of deleted
   * policies. A live policy's counters exist from 0, so that the first failure is an increase a
   * rule can see, not a series born at 1.
   */
  public void refresh(Stream<PolicyState> policies) {
    List<PolicyState> states = policies.toList();
    Set<List<String>> live = new HashSet<>();
    for (PolicyState s : states) {
      live.add(List.of(s.namespace(), s.policy()));
      RESULTS.forEach(r -> runs(s.namespace(), s.policy(), r));
      probesSent(s.namespace(), s.policy());
    }
    for (PolicyGauge g : gauges) {
      List<MultiGauge.Row<?>> rows = new ArrayList<>();
      for (PolicyState s : states) {
        Number value = g.value().apply(s);
        if (value != null) {
          rows.add(MultiGauge.Row.of(Tags.of("namespace", s.namespace(), "policy", s.policy()), value));
        }
      }
      g.gauge().register(rows, true);
    }
    policyCounters.entrySet().removeIf(e -> {
      if (live.contains(e.getKey().subList(0, 2))) {
        return false;
      }
      registry.remove(e.getValue());
      return true;
    });
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  private static Long orZero(Long value) {
    return value == null ? 0L : value;
  }

  private static Double epochSeconds(Instant t) {
    return t == null ? null : t.toEpochMilli() / 1000.0;
  }

  private static Double seconds(RunSummary run) {
    if (run.startTime() == null || run.completionTime() == null) {
      return null;
    }
    try {
      return Duration.between(Instant.parse(run.startTime()), Instant.parse(run.completionTime())).toMillis() / 1000.0;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
