package dev.portolan.scanner.cli;

import dev.portolan.scanner.engine.ScanCounters;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress line on standard error: rate, percent done, open ports found, time left. Redrawn in
 * place once a second; nothing is printed when it is off (not a terminal and not asked for).
 */
final class Progress implements AutoCloseable {
  private final Thread thread;
  private final PrintStream err;
  private volatile boolean running = true;
  private boolean drew;

  private Progress(ScanCounters c, PrintStream err, boolean on) {
    this.err = err;
    this.thread =
        on
            ? Thread.ofPlatform().daemon(true).name("portolan-progress").start(() -> loop(c))
            : null;
  }

  static Progress start(ScanCounters counters, PrintStream err, boolean on) {
    return new Progress(counters, err, on);
  }

  private void loop(ScanCounters c) {
    long lastSent = 0;
    long lastNanos = System.nanoTime();
    while (running) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      long sent = c.sent();
      double rate = (sent - lastSent) / ((now - lastNanos) / 1e9);
      lastSent = sent;
      lastNanos = now;
      double done = c.total() == 0 ? 100 : 100.0 * c.position() / c.total();
      double avg = c.position() / Math.max(1e-9, c.elapsedNanos() / 1e9);
      long left = avg > 0 ? Math.round((c.total() - c.position()) / avg) : -1;
      synchronized (this) {
        if (running) {
          err.printf(
              Locale.ROOT,
              "\rrate %8s pps, %5.1f%% done, %d open, %s left   ",
              ScanCommand.formatRate(rate),
              done,
              c.open(),
              left < 0 ? "?" : String.format(Locale.ROOT, "%d:%02d:%02d", left / 3600, left / 60 % 60, left % 60));
          err.flush();
          drew = true;
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    if (!running) {
      return;
    }
    running = false;
    if (thread != null) {
      thread.interrupt();
    }
    if (drew) {
      err.print("\r\033[K");
      err.flush();
    }
  }
}
