package dev.portolan.scanner.probe;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Open ports handed from discovery to validation as they are found: the validator iterates it,
 * each {@code next()} blocking until a port arrives, until {@link #close} says discovery is over.
 */
public final class EndpointQueue implements Iterable<Endpoint>, AutoCloseable {
  private static final Endpoint END = new Endpoint(0, 1);

  private final LinkedBlockingQueue<Endpoint> queue = new LinkedBlockingQueue<>();

  public void add(Endpoint e) {
    queue.add(e);
  }

  /** No more endpoints will come; the iteration ends once the queued ones are taken. */
  @Override
  public void close() {
    queue.add(END);
  }

  @Override
  public Iterator<Endpoint> iterator() {
    return new Iterator<>() {
      private Endpoint next;

      @Override
      public boolean hasNext() {
        while (next == null) {
          try {
            next = queue.poll(200, TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
        return next != END;
      }

      @Override
      public Endpoint next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Endpoint e = next;
        next = null;
        return e;
      }
    };
  }
}
