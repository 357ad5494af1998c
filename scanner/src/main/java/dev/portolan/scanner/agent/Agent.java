package dev.portolan.scanner.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portolan.control.run.RunNames;
import dev.portolan.control.run.RunSpecs;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.crds.v1alpha1.ScanReportStatus.ShardStatus;
import dev.portolan.scanner.engine.Checkpoint;
import dev.portolan.scanner.engine.ScanCounters;
import dev.portolan.scanner.engine.ScanSummary;
import dev.portolan.scanner.engine.ScannerFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The scanner agent: one per node (DaemonSet, host network). Watches ScanReports for shards
 * assigned to its node and runs them one at a time; every few seconds it saves the findings found
 * so far as pages and then its shard's progress, whose {@code position} is a resume point that
 * loses nothing. After a restart it resumes each unfinished shard from that position. It writes
 * only its own shard's entry of the status (server-side apply under its own field manager, or a
 * JSON merge patch of that one key), so agents never clobber each other or the operator.
 */
public final class Agent implements AutoCloseable {
  /** How shard progress is written. */
  public enum StatusPatch {
    /** Server-side apply, field manager {@code portolan-agent-<node>} (real API servers). */
    APPLY,
    /** JSON merge patch of {@code status.shards.<index>} (servers without SSA, such as fabric8's mock). */
    MERGE
  }

  /**
   * How the agent runs.
   *
   * @param namespace the namespaces whose runs the agent takes part in, separated by commas (the
   *     operator's watched namespaces); null or blank: all
   */
  public record Config(
      String node, String namespace, StatusPatch statusPatch, ScannerFactory.Options engine, Duration progressInterval) {
    /** The namespaces to watch; empty for all. */
    public List<String> namespaces() {
      if (namespace == null || namespace.isBlank()) {
        return List.of();
      }
      return java.util.Arrays.stream(namespace.split(",")).map(String::strip).filter(n -> !n.isEmpty()).distinct().toList();
    }
  }

  private record ShardKey(String namespace, String report, int shard) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

  private final KubernetesClient client;
  private final Config config;
  private final Consumer<String> log;
  private final BlockingQueue<ShardKey> queue = new LinkedBlockingQueue<>();
  private final Set<ShardKey> queued = ConcurrentHashMap.newKeySet();
  private final Counter shardsDone;
  private final Counter shardsFailed;
  private final Counter findingsWritten;
  private final List<SharedIndexInformer<ScanReport>> informers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile ShardKey current;
  /** The running shard's report was deleted: nothing more is written for it (it would only fail). */
  private volatile ShardKey deleted;
  private volatile ShardRunner runner;
  private volatile boolean closed;
  private Thread worker;

  public Agent(KubernetesClient client, Config config, MeterRegistry registry, Consumer<String> log) {
    this.client = client;
    this.config = config;
    this.log = log;
    this.shardsDone = Counter.builder("portolan_agent_shards_total").tag("result", "succeeded").register(registry);
    this.shardsFailed = Counter.builder("portolan_agent_shards_total").tag("result", "failed").register(registry);
    this.findingsWritten = Counter.builder("portolan_agent_findings_total").register(registry);
    io.micrometer.core.instrument.Gauge.builder("portolan_agent_probes_sent", this, a -> {
      ShardRunner r = a.runner;
      ScanCounters c = r == null ? null : r.counters();
      return c == null ? 0 : c.sent();
    }).description("Probes sent by the shard running now").register(registry);
  }

  public void start() {
    var resources = client.resources(ScanReport.class);
    // Only the runs that have a shard on this node (their label), not every run and every other
    // agent's progress patch.
    ResourceEventHandler<ScanReport> handler = new ResourceEventHandler<>() {
      @Override
      public void onAdd(ScanReport r) {
        consider(r);
      }

      @Override
      public void onUpdate(ScanReport before, ScanReport after) {
        consider(after);
      }

      @Override
      public void onDelete(ScanReport r, boolean unknownFinalState) {
        ShardKey c = current;
        if (c != null && c.namespace().equals(r.getMetadata().getNamespace()) && c.report().equals(r.getMetadata().getName())) {
          log.accept("report " + c.report() + " was deleted: stopping its shard, saving nothing more");
          deleted = c;
          ShardRunner running = runner;
          if (running != null) {
            running.stop();
          }
        }
      }
    };
    String label = RunNames.nodeLabel(config.node());
    if (config.namespaces().isEmpty()) {
      informers.add(resources.inAnyNamespace().withLabel(label, RunNames.NODE_LABEL_VALUE).inform(handler, 30_000));
    } else {
      for (String ns : config.namespaces()) {
        informers.add(resources.inNamespace(ns).withLabel(label, RunNames.NODE_LABEL_VALUE).inform(handler, 30_000));
      }
    }
    worker = Thread.ofPlatform().name("portolan-agent").start(this::work);
  }

  /** Whether the watch on ScanReports has synced (readiness). */
  public boolean ready() {
    return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  private void consider(ScanReport r) {
    if (r.getSpec() == null || r.getSpec().shards() == null) {
      return;
    }
    if (r.getStatus() != null && RunPhase.isTerminal(r.getStatus().phase())) {
      return;
    }
    for (ShardAssignment a : r.getSpec().shards()) {
      if (!config.node().equals(a.node())) {
        continue;
      }
      ShardStatus s = shardStatus(r, a.index());
      if (s != null && RunPhase.isTerminal(s.phase())) {
        continue;
      }
      ShardKey key = new ShardKey(r.getMetadata().getNamespace(), r.getMetadata().getName(), a.index());
      if (!key.equals(current) && queued.add(key)) {
        queue.add(key);
      }
    }
  }

  private static ShardStatus shardStatus(ScanReport r, int index) {
    return r.getStatus() == null || r.getStatus().shards() == null ? null : r.getStatus().shards().get(Integer.toString(index));
  }

  private void work() {
    while (!closed) {
      ShardKey key;
      try {
        key = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      // current before closed is read: close() either sees this worker busy (and lets it be) or,
      // reading null, interrupts it, and then the worker sees closed here and stops.
      current = key;
      deleted = null;
      if (closed) {
        current = null;
        return;
      }
      queued.remove(key);
      try {
        runShard(key);
      } catch (RuntimeException e) {
        log.accept("shard " + key.shard() + " of " + key.report() + " failed: " + e);
      } finally {
        current = null;
        runner = null;
      }
    }
  }

  private void runShard(ShardKey key) {
    ScanReport report = client.resources(ScanReport.class).inNamespace(key.namespace()).withName(key.report()).get();
    if (report == null || report.getSpec() == null || report.getSpec().shards() == null) {
      return;
    }
    ShardAssignment assignment =
        report.getSpec().shards().stream().filter(a -> a.index() == key.shard()).findFirst().orElse(null);
    ShardStatus before = shardStatus(report, key.shard());
    if (assignment == null || !config.node().equals(assignment.node()) || (before != null && RunPhase.isTerminal(before.phase()))) {
      return;
    }
    Progress progress = new Progress(report, assignment, before);
    log.accept("running shard " + key.shard() + "/" + assignment.count() + " of " + key.report()
        + (progress.resumeFrom > 0 ? " from position " + progress.resumeFrom : ""));
    ShardRunner r;
    try {
      r = new ShardRunner(report.getSpec(), assignment, progress.resumeFrom, config.engine(),
          ShardRunner.validatorFor(report.getSpec().scope().validation()), config.node(), log);
    } catch (RuntimeException e) {
      progress.finish(null, "the shard's scope cannot be planned: " + e.getMessage());
      shardsFailed.increment();
      return;
    }
    runner = r;
    progress.report(RunPhase.Running, r, null, null);
    // The saver is told to stop, never interrupted: an interrupt in the middle of a write would
    // abort the request (a page created without its findings, and a misleading retry message).
    CountDownLatch stopSaver = new CountDownLatch(1);
    Thread saver = Thread.ofPlatform().daemon(true).name("portolan-agent-progress").start(() -> {
      while (true) {
        try {
          if (stopSaver.await(config.progressInterval().toMillis(), TimeUnit.MILLISECONDS) || key.equals(deleted)) {
            return;
          }
          progress.report(RunPhase.Running, r, null, null);
        } catch (InterruptedException e) {
          return;
        } catch (KubernetesClientException e) {
          log.accept("could not save progress (will retry): " + e.getMessage());
        }
      }
    });
    ScanSummary summary = null;
    String failure = null;
    try {
      summary = r.run(progress::found);
    } catch (Exception e) {
      failure = e.getMessage() == null ? e.toString() : e.getMessage();
    } finally {
      stopSaver.countDown();
      try {
        saver.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (key.equals(deleted)) {
      return; // its report is gone, with its pages: there is nothing to save into
    }
    if (summary != null && !summary.completed() && failure == null) {
      failure = closed ? null : "stopped at position " + summary.resumeFrom();
    }
    if (closed && failure == null && summary != null && !summary.completed()) {
      progress.report(RunPhase.Running, r, summary, null); // shutting down: resume later
      return;
    }
    progress.finish(summary, failure);
    (failure == null ? shardsDone : shardsFailed).increment();
  }

  /** One shard's bookkeeping: findings waiting to be saved, pages written, counts so far. */
  private final class Progress {
    private final ScanReport report;
    private final ShardAssignment assignment;
    private final long resumeFrom;
    private final ShardStatus before;
    private final PageSeries series;
    private final String startTime;

    Progress(ScanReport report, ShardAssignment assignment, ShardStatus before) {
      this.report = report;
      this.assignment = assignment;
      this.before = before;
      this.resumeFrom = before == null || before.position() == null ? 0 : before.position();
      this.series = new PageSeries(before == null || before.pages() == null ? 0 : before.pages(),
          before == null || before.findings() == null ? 0 : before.findings());
      this.startTime = before == null || before.startTime() == null ? Instant.now().toString() : before.startTime();
    }

    synchronized void found(dev.portolan.scanner.report.Finding f) {
      series.add(FindingMapper.of(f, config.node()));
    }

    /** Saves pending findings as pages, then the progress: never a position ahead of its findings. */
    synchronized void report(RunPhase phase, ShardRunner r, ScanSummary summary, String message) {
      // A finished shard's totals are its summary's; anything less resumes from a checkpoint, whose
      // counts leave out what a resumed scan will probe (and count) again.
      Checkpoint checkpoint = summary != null && summary.completed() ? null : r.checkpoint();
      long position = checkpoint == null ? summary.resumeFrom() : checkpoint.position();
      // A page is data in its spec: one write, repeated under the same number after a failure.
      findingsWritten.increment(series.flush((number, chunk) ->
          client.resource(RunSpecs.page(report, assignment.index(), number, chunk)).createOr(NonDeletingOperation::update)));
      long findings = series.findings();
      int pages = series.pages();
      long sent = nz(before == null ? null : before.probesSent()) + (checkpoint == null ? summary.probesSent() : checkpoint.sent());
      long closedPorts = nz(before == null ? null : before.closed()) + (checkpoint == null ? summary.closed() : checkpoint.closed());
      Long filtered = summary == null ? null : nz(before == null ? null : before.filtered()) + summary.filtered();
      String now = Instant.now().toString();
      boolean done = phase.terminal();
      patch(new ShardStatus(
          config.node(), phase, position, r.plan().totalPositions(), sent, findings, closedPorts, filtered, findings,
          pages, (before == null || before.attempts() == null ? 0 : before.attempts()) + 1, startTime, now,
          done ? now : null, message, r.discovery()));
    }

    void finish(ScanSummary summary, String failure) {
      ShardRunner r = runner;
      if (r == null) {
        patch(new ShardStatus(config.node(), RunPhase.Failed, resumeFrom, null, null, null, null, null,
            series.findings(), series.pages(), 1, startTime, Instant.now().toString(), Instant.now().toString(), failure));
        return;
      }
      report(failure == null ? RunPhase.Succeeded : RunPhase.Failed, r, summary, failure);
    }

    private void patch(ShardStatus status) {
      Map<String, Object> shards = new LinkedHashMap<>();
      shards.put(Integer.toString(assignment.index()), status);
      Map<String, Object> body = new LinkedHashMap<>();
      PatchContext context;
      if (config.statusPatch() == StatusPatch.APPLY) {
        body.put("apiVersion", report.getApiVersion());
        body.put("kind", report.getKind());
        body.put("metadata", Map.of("name", report.getMetadata().getName(), "namespace", report.getMetadata().getNamespace()));
        context = new PatchContext.Builder()
            .withPatchType(PatchType.SERVER_SIDE_APPLY)
            .withFieldManager("portolan-agent-" + config.node())
            .withForce(true)
            .build();
      } else {
        context = PatchContext.of(PatchType.JSON_MERGE);
      }
      body.put("status", Map.of("shards", shards));
      patchStatus(report.getMetadata().getName(), body, context);
    }

    private void patchStatus(String name, Map<String, Object> body, PatchContext context) {
      try {
        // Patched by reference: by name, fabric8 would GET the whole report first.
        client.resource(ScanReport.reference(report.getMetadata().getNamespace(), name)).subresource("status")
            .patch(context, JSON.writeValueAsString(body));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static long nz(Long v) {
    return v == null ? 0 : v;
  }

  /** Stops the running shard (its progress is saved for a resume) and the watch. */
  @Override
  public void close() {
    closed = true;
    ShardRunner r = runner;
    if (r != null) {
      r.stop();
    }
    if (worker != null) {
      // An idle worker waits for work: wake it. A busy one is not interrupted: it is saving its
      // shard's last progress, and an interrupt would abort that request (the last interval lost,
      // and a "shard failed" logged on every graceful stop). Interrupted only if it hangs.
      if (current == null) {
        worker.interrupt();
      }
      try {
        worker.join(30_000);
        if (worker.isAlive()) {
          worker.interrupt();
          worker.join(5_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    informers.forEach(SharedIndexInformer::close);
  }
}
