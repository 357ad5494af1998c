package dev.portolan.scanner.engine;

import java.util.concurrent.locks.LockSupport;

/** Time as the engine sees it; tests substitute a virtual clock so rate checks are exact. */
public interface Ticker {
  Ticker SYSTEM =
      new Ticker() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public void sleepNanos(long nanos) {
          LockSupport.parkNanos(nanos);
        }
      };

  long nanoTime();

  void sleepNanos(long nanos);
}
