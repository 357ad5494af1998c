package dev.portolan.scanner.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One TCP connection of a validation, bounded in time and bytes whatever the server does: a
 * watchdog closes it at its deadline (which unblocks any read or handshake), every read has a
 * timeout, a reply that keeps trickling is cut, and at most {@code maxBytes} are read.
 */
final class Connection implements AutoCloseable {
  private static final long CHECK_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final int CHECK_EVERY_BYTES = 256;

  private final Socket raw;
  private final ScheduledFuture<?> guard;
  private final long connectNanos;
  private Socket io;
  private volatile boolean stopped;

  /** How a reply ended. */
  enum End {
    /** Nothing arrived within the first-byte wait. */
    SILENT,
    /** Data arrived, then nothing more for the quiet gap. */
    QUIET,
    /** The server closed its side. */
    CLOSED,
    /** A rule matched and nothing more was needed. */
    MATCHED,
    /** Still arriving when the reply's time was up (a trickle). */
    TRICKLE,
    /** More than the byte limit. */
    TOO_LARGE,
    /** The server reset the connection. */
    RESET,
    /** We closed it: the port's budget was spent, or another connection already found the answer. */
    STOPPED,
    /** Any other I/O error. */
    ERROR
  }

  /** How long to wait: for the first byte, between bytes, for the whole reply; and how much to take. */
  record ReadPolicy(long firstByteMillis, long quietMillis, long maxMillis, int maxBytes, boolean untilClose) {}

  /** Decides, from the bytes so far, whether a rule matches. */
  interface ReplyCheck {
    ServiceMatch check(byte[] data, int length);
  }

  /** What was read, how it ended, and the match found in it (or null). */
  record Reply(byte[] data, End end, ServiceMatch match, long elapsedMillis, String error) {
    int length() {
      return data.length;
    }
  }

  /** A connect that failed, with what it means for the port. */
  static final class ConnectFailure extends IOException {
    private static final long serialVersionUID = 1L;
    private final Reachability reachability;

    ConnectFailure(Reachability reachability, String message) {
      super(message, null);
      this.reachability = reachability;
    }

    Reachability reachability() {
      return reachability;
    }
  }

  private Connection(Socket raw, long connectNanos, long closeAtNanos, ScheduledExecutorService watchdog) {
    this.raw = raw;
    this.io = raw;
    this.connectNanos = connectNanos;
    long delay = Math.max(0, closeAtNanos - System.nanoTime());
    this.guard = watchdog.schedule(this::stop, delay, TimeUnit.NANOSECONDS);
  }

  /** Connects, or throws {@link ConnectFailure}; the connection is closed by {@code closeAtNanos} at the latest. */
  static Connection open(InetSocketAddress target, int connectTimeoutMillis, long closeAtNanos, ScheduledExecutorService watchdog)
      throws ConnectFailure {
    Socket s = new Socket();
    long t0 = System.nanoTime();
    try {
      s.setTcpNoDelay(true);
      int timeout = (int) Math.max(1, Math.min(connectTimeoutMillis, TimeUnit.NANOSECONDS.toMillis(closeAtNanos - t0)));
      s.connect(target, timeout);
    } catch (ConnectException e) {
      closeQuietly(s);
      String m = String.valueOf(e.getMessage());
      if (m.contains("refused")) {
        throw new ConnectFailure(Reachability.REFUSED, "connection refused");
      }
      if (m.contains("timed out")) {
        throw new ConnectFailure(Reachability.TIMED_OUT, "connect timed out");
      }
      throw new ConnectFailure(Reachability.UNREACHABLE, m);
    } catch (NoRouteToHostException e) {
      closeQuietly(s);
      throw new ConnectFailure(Reachability.UNREACHABLE, "no route to host");
    } catch (SocketTimeoutException e) {
      closeQuietly(s);
      throw new ConnectFailure(Reachability.TIMED_OUT, "connect timed out after " + connectTimeoutMillis + " ms");
    } catch (IOException e) {
      closeQuietly(s);
      throw new ConnectFailure(Reachability.UNREACHABLE, String.valueOf(e.getMessage()));
    }
    return new Connection(s, System.nanoTime() - t0, closeAtNanos, watchdog);
  }

  long connectNanos() {
    return connectNanos;
  }

  /** Runs a TLS handshake over this connection; afterwards reads and writes go through TLS. */
  TlsInspector.Established startTls(TlsInspector tls, String host, int port, boolean alpn, long timeoutMillis)
      throws IOException {
    TlsInspector.Established e = tls.handshake(raw, host, port, alpn, (int) Math.max(1, timeoutMillis));
    io = e.socket();
    return e;
  }

  void send(byte[] payload) throws IOException {
    if (payload.length == 0) {
      return;
    }
    OutputStream out = io.getOutputStream();
    out.write(payload);
    out.flush();
  }

  /** Reads one reply under {@code policy}, asking {@code check} along the way whether it matches. */
  Reply read(ReadPolicy policy, ReplyCheck check) {
    byte[] buf = new byte[policy.maxBytes()];
    int len = 0;
    long start = System.nanoTime();
    long firstByteBy = start + TimeUnit.MILLISECONDS.toNanos(policy.firstByteMillis());
    long replyBy = Long.MAX_VALUE; // set when the first byte arrives: the reply may last maxMillis
    long quiet = TimeUnit.MILLISECONDS.toNanos(policy.quietMillis());
    ServiceMatch match = null;
    int checked = 0;
    long lastCheck = start;
    End end;
    String error = null;
    try {
      InputStream in = io.getInputStream();
      long lastData = start;
      while (true) {
        long now = System.nanoTime();
        long until = len == 0 ? firstByteBy : Math.min(lastData + quiet, replyBy);
        if (now >= until) {
          end = len == 0 ? End.SILENT : now >= replyBy ? End.TRICKLE : End.QUIET;
          break;
        }
        long wait = until - now;
        io.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
        int n;
        try {
          n = in.read(buf, len, buf.length - len);
        } catch (SocketTimeoutException e) {
          continue; // the loop decides: silent, quiet or trickle
        }
        if (n < 0) {
          end = End.CLOSED;
          break;
        }
        if (len == 0) {
          replyBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(policy.maxMillis());
        }
        len += n;
        lastData = System.nanoTime();
        if (len >= buf.length) {
          end = End.TOO_LARGE;
          break;
        }
        long t = System.nanoTime();
        if (checked == 0 || len - checked >= CHECK_EVERY_BYTES || t - lastCheck >= CHECK_EVERY_NANOS) {
          match = check.check(buf, len);
          checked = len;
          lastCheck = t;
          if (match != null && !match.soft() && !policy.untilClose()) {
            end = End.MATCHED;
            break;
          }
        }
      }
    } catch (SocketException e) {
      String m = String.valueOf(e.getMessage());
      end = stopped ? End.STOPPED : m.contains("reset") ? End.RESET : End.ERROR;
      error = m;
    } catch (IOException e) {
      end = stopped ? End.STOPPED : End.ERROR;
      error = String.valueOf(e.getMessage());
    }
    if (len > checked) {
      match = check.check(buf, len);
    }
    return new Reply(Arrays.copyOf(buf, len), end, match, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), error);
  }

  /** Closes the connection from any thread; a blocked read or handshake ends at once. */
  void stop() {
    stopped = true;
    closeQuietly(io);
    closeQuietly(raw);
  }

  boolean stopped() {
    return stopped;
  }

  @Override
  public void close() {
    guard.cancel(false);
    closeQuietly(io);
    closeQuietly(raw);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do about a failed close
    }
  }
}
