package dev.portolan.operator.metrics;

import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanPolicy;
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
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The operator's metrics. Gauges describe each policy's last completed run and are recomputed from
 * the policies' status at every scrape (level-triggered: right after a restart, and gone with the
 * policy); counters count what this replica saw happen (runs that ended, probes they sent,
 * reconcile errors). Labels: namespace, policy, controller, result; never an address or a port.
 */
public final class PortolanMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MultiGauge openPorts;
  private final MultiGauge violations;
  private final MultiGauge duration;
  private final Map<List<String>, Counter> probesSent = new ConcurrentHashMap<>();
  private static final int REMEMBERED_RUNS = 10_000;
  private final Set<String> counted = Collections.newSetFromMap(new LinkedHashMap<>() {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED_RUNS;
    }
  });

  public PortolanMetrics() {
    openPorts = MultiGauge.builder("portolan.open.ports")
        .description("Open ports found by the policy's last completed run").register(registry);
    violations = MultiGauge.builder("portolan.violations")
        .description("Open ports of the policy's last completed run that no expectation allows").register(registry);
    duration = MultiGauge.builder("portolan.scan.duration").baseUnit("seconds")
        .description("Duration of the policy's last completed run").register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * A run ended: counted by its result (phase), and its probes under its policy; once per run
   * ({@code runUid}), however often the end is observed (a reconcile may read a cache that has not
   * yet seen the status it wrote).
   */
  public void runCompleted(String runUid, String namespace, String policy, RunPhase phase, long probes) {
    synchronized (counted) {
      if (!counted.add(runUid)) {
        return;
      }
    }
    Counter.builder("portolan.runs").description("Runs that ended, by result").tag("result", phase.name()).register(registry).increment();
    probesSent.computeIfAbsent(List.of(namespace, policy), k -> Counter.builder("portolan.probes.sent")
            .description("Probes sent by the policy's completed runs").tags("namespace", namespace, "policy", policy)
            .register(registry))
        .increment(probes);
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

  /** Count of reconciles of {@code controller} that failed on this replica. */
  public long reconcileErrors(String controller) {
    return (long) errors(controller).count();
  }

  /** Count of reconciles this replica ran for {@code controller}. */
  public double reconciliations(String controller) {
    Counter c = registry.find("portolan.reconciliations").tag("controller", controller).counter();
    return c == null ? 0 : c.count();
  }

  /** Sets the per-policy gauges from the policies as they are now, dropping those of deleted policies. */
  public void refresh(Stream<ScanPolicy> policies) {
    List<MultiGauge.Row<?>> open = new ArrayList<>();
    List<MultiGauge.Row<?>> violated = new ArrayList<>();
    List<MultiGauge.Row<?>> took = new ArrayList<>();
    Set<List<String>> live = new HashSet<>();
    policies.forEach(p -> {
      String ns = p.getMetadata().getNamespace();
      String name = p.getMetadata().getName();
      live.add(List.of(ns, name));
      RunSummary last = p.getStatus() == null ? null : p.getStatus().lastRun();
      if (last == null) {
        return;
      }
      Tags tags = Tags.of("namespace", ns, "policy", name);
      open.add(MultiGauge.Row.of(tags, last.open() == null ? 0 : last.open()));
      violated.add(MultiGauge.Row.of(tags, last.violations() == null ? 0 : last.violations()));
      Double seconds = seconds(last.startTime(), last.completionTime());
      if (seconds != null) {
        took.add(MultiGauge.Row.of(tags, seconds));
      }
    });
    openPorts.register(open, true);
    violations.register(violated, true);
    duration.register(took, true);
    probesSent.keySet().removeIf(k -> {
      if (live.contains(k)) {
        return false;
      }
      registry.remove(probesSent.get(k));
      return true;
    });
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  private static Double seconds(String from, String to) {
    if (from == null || to == null) {
      return null;
    }
    try {
      return Duration.between(Instant.parse(from), Instant.parse(to)).toMillis() / 1000.0;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
