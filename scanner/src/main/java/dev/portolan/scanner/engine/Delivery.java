package dev.portolan.scanner.engine;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Hands results from the engine's threads to the listener on one thread of its own, so a slow
 * writer never stalls the receive ring, and the listener sees results one at a time.
 */
final class Delivery implements AutoCloseable {
  private static final PortResult END = new PortResult(0, 0, PortState.FILTERED, "", null, 0);

  private final BlockingQueue<PortResult> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile Throwable failure;

  Delivery(ScanListener listener) {
    thread =
        Thread.ofPlatform()
            .name("portolan-delivery")
            .daemon(true)
            .start(
                () -> {
                  try {
                    for (PortResult r = queue.take(); r != END; r = queue.take()) {
                      listener.onResult(r);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } catch (RuntimeException | Error e) {
                    failure = e;
                  }
                });
  }

  void deliver(PortResult result) {
    queue.add(result);
  }

  /** Delivers everything queued, then stops; rethrows what the listener threw. */
  @Override
  public void close() {
    queue.add(END);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failure instanceof RuntimeException r) {
      throw r;
    }
    if (failure instanceof Error e) {
      throw e;
    }
  }
}
