package dev.portolan.scanner.probe;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Validates endpoints: one virtual thread per endpoint, at most {@code maxConnections} connections
 * open overall and {@code maxConnectionsPerHost} to any one address. Each endpoint takes one
 * connection slot (blocking) and, when one is free right away, a second for a parallel lane. Every
 * endpoint ends within its budget, so {@link #validate} returns in bounded time.
 *
 * <p>Thread-safety: a Validator is immutable and may be shared; the sink passed to {@link
 * #validate} is called once per endpoint, from one thread at a time (never concurrently).
 */
public final class Validator {
  private final ValidationConfig config;
  private final ProbeDatabase db;

  public Validator(ValidationConfig config, ProbeDatabase db) {
    this.config = config;
    this.db = db;
  }

  /** Defaults and the built-in database. */
  public Validator() {
    this(ValidationConfig.DEFAULTS, ProbeDatabase.builtIn());
  }

  public ValidationConfig config() {
    return config;
  }

  /**
   * Validates every endpoint and hands each result to {@code sink} as it completes. Blocks until
   * all are done. If the calling thread is interrupted, no new endpoints are started, running ones
   * are stopped, and the method returns with the interrupt flag set. A sink that throws stops the
   * run the same way; its exception is rethrown here.
   */
  public void validate(Iterable<Endpoint> endpoints, Consumer<Validation> sink) {
    Thread.ofVirtual().name("portolan-tls-warm-up").start(TlsInspector::warmUp);
    ScheduledThreadPoolExecutor watchdog =
        new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("portolan-watchdog").daemon(true).factory());
    watchdog.setRemoveOnCancelPolicy(true);
    Semaphore overall = new Semaphore(config.maxConnections());
    Map<Integer, Semaphore> perHost = new ConcurrentHashMap<>();
    // Endpoints waiting for a slot hold no connection, but bound them too: one thread each.
    Semaphore started = new Semaphore(config.maxConnections() * 2);
    ReentrantLock delivery = new ReentrantLock();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    try {
      for (Endpoint e : endpoints) {
        if (failure.get() != null) {
          break;
        }
        started.acquire();
        pool.execute(
            () -> {
              try {
                Validation v = validateWithSlots(e, overall, perHost, watchdog);
                delivery.lock();
                try {
                  if (failure.get() == null) {
                    sink.accept(v);
                  }
                } catch (RuntimeException x) {
                  failure.compareAndSet(null, x);
                } finally {
                  delivery.unlock();
                }
              } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
              } finally {
                started.release();
              }
            });
      }
      pool.shutdown();
      pool.close(); // waits: every endpoint ends within its budget
    } catch (InterruptedException x) {
      pool.shutdownNow(); // interrupting a virtual thread closes the socket it is blocked on
      pool.close();
      Thread.currentThread().interrupt();
    } finally {
      watchdog.shutdownNow();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  /** Validates one endpoint on the calling thread (with its own watchdog). */
  public Validation validate(Endpoint endpoint) {
    Validation[] out = new Validation[1];
    validate(List.of(endpoint), v -> out[0] = v);
    return out[0];
  }

  private Validation validateWithSlots(Endpoint e, Semaphore overall, Map<Integer, Semaphore> perHost, ScheduledThreadPoolExecutor watchdog)
      throws InterruptedException {
    Semaphore host = perHost.computeIfAbsent(e.address(), a -> new Semaphore(config.maxConnectionsPerHost()));
    host.acquire();
    try {
      overall.acquire();
      try {
        boolean second = false;
        if (host.tryAcquire()) {
          if (overall.tryAcquire()) {
            second = true;
          } else {
            host.release();
          }
        }
        try {
          return new EndpointValidation(e, db, config, watchdog, second).run();
        } finally {
          if (second) {
            overall.release();
            host.release();
          }
        }
      } finally {
        overall.release();
      }
    } finally {
      host.release();
    }
  }
}
