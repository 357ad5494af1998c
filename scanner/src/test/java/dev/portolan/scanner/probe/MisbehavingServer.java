package dev.portolan.scanner.probe;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;

/**
 * A small TCP server on loopback that misbehaves on purpose, one behaviour per test. Each
 * connection runs on a virtual thread; {@link #close} closes the listener and every connection,
 * which ends whatever a behaviour was doing. It counts connections open at once, so tests can
 * check the validator's bounds.
 */
final class MisbehavingServer implements AutoCloseable {
  /** What to do with one accepted connection. */
  interface Behaviour {
    void serve(Socket s) throws IOException, InterruptedException;
  }

  private final ServerSocket listener;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger mostOpen = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile boolean closed;

  MisbehavingServer(Behaviour behaviour) throws IOException {
    this(ServerSocketFactory.getDefault(), "127.0.0.1", behaviour);
  }

  MisbehavingServer(ServerSocketFactory factory, String address, Behaviour behaviour) throws IOException {
    listener = factory.createServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getByName(address), 0), 64);
    Thread.ofVirtual().name("misbehaving-accept").start(() -> accept(behaviour));
  }

  private void accept(Behaviour behaviour) {
    while (!closed) {
      Socket s;
      try {
        s = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      connections.add(s);
      accepted.incrementAndGet();
      int now = open.incrementAndGet();
      mostOpen.accumulateAndGet(now, Math::max);
      Thread.ofVirtual()
          .start(
              () -> {
                try (s) {
                  behaviour.serve(s);
                } catch (IOException e) {
                  // the client went away: fine
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } finally {
                  open.decrementAndGet();
                  connections.remove(s);
                }
              });
    }
  }

  int port() {
    return listener.getLocalPort();
  }

  Endpoint endpoint() {
    byte[] a = listener.getInetAddress().getAddress();
    int address = (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
    return new Endpoint(address, port());
  }

  /** The most connections that were open at the same time. */
  int mostOpenAtOnce() {
    return mostOpen.get();
  }

  int accepted() {
    return accepted.get();
  }

  /** Reads and discards what the client sends, until it closes or {@code millis} pass. */
  static void drain(Socket s, long millis) throws IOException {
    s.setSoTimeout((int) millis);
    byte[] buf = new byte[4096];
    try {
      while (s.getInputStream().read(buf) >= 0) {
        // discard
      }
    } catch (java.net.SocketTimeoutException e) {
      // done waiting
    }
  }

  /** Waits for the first bytes of a request (bounded). */
  static void awaitRequest(Socket s, long millis) throws IOException {
    s.setSoTimeout((int) millis);
    try {
      s.getInputStream().read(new byte[4096]);
    } catch (java.net.SocketTimeoutException e) {
      // nothing came
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    for (Socket s : connections) {
      s.close();
    }
  }
}
