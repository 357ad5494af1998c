package dev.portolan.scanner.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The validator never holds more connections than it was allowed, per host and overall. */
@DisplayName("concurrency bounds")
class ConcurrencyBoundsTest {
  static final ValidationConfig QUICK =
      ValidationConfig.DEFAULTS
          .withConnectTimeout(Duration.ofSeconds(1))
          .withReadTimeout(Duration.ofMillis(400))
          .withPortBudget(Duration.ofMillis(1500))
          .withIntensity(2);

  @Test
  @DisplayName("per host: twelve silent ports of one address, at most three connections at once")
  void perHost() throws IOException {
    List<MisbehavingServer> servers = new ArrayList<>();
    try {
      SharedCounter counter = new SharedCounter();
      for (int i = 0; i < 12; i++) {
        servers.add(new MisbehavingServer(c -> counter.hold(c)));
      }
      Set<Validation> results = ConcurrentHashMap.newKeySet();
      new Validator(QUICK.withConcurrency(64, 3), ProbeDatabase.builtIn())
          .validate(servers.stream().map(MisbehavingServer::endpoint).toList(), results::add);
      assertThat(results).hasSize(12).allMatch(v -> v.reachability() == Reachability.CONNECTED);
      assertThat(counter.most()).isBetween(2, 3);
    } finally {
      for (MisbehavingServer s : servers) {
        s.close();
      }
    }
  }

  @Test
  @DisplayName("overall: two addresses, at most four connections at once in all")
  void overall() throws IOException {
    List<MisbehavingServer> servers = new ArrayList<>();
    try {
      SharedCounter counter = new SharedCounter();
      for (int i = 0; i < 8; i++) {
        servers.add(new MisbehavingServer(javax.net.ServerSocketFactory.getDefault(), i % 2 == 0 ? "127.0.0.1" : "127.0.0.2", c -> counter.hold(c)));
      }
      List<Validation> results = new ArrayList<>();
      new Validator(QUICK.withConcurrency(4, 8), ProbeDatabase.builtIn())
          .validate(servers.stream().map(MisbehavingServer::endpoint).toList(), results::add); // one thread at a time
      assertThat(results).hasSize(8);
      assertThat(counter.most()).isBetween(2, 4);
    } finally {
      for (MisbehavingServer s : servers) {
        s.close();
      }
    }
  }

  /**
   * Counts connections open at once across several servers; each stays silent until closed. A
   * connection is counted 50 ms after it is accepted: the server sees a close a moment after the
   * client made it, and without the delay a connection the client already closed could be counted
   * beside its successor. The validator's connections to a silent server last hundreds of ms, so an
   * excess over the bound would still show.
   */
  static final class SharedCounter {
    private int open;
    private int most;

    void hold(java.net.Socket c) throws IOException, InterruptedException {
      Thread.sleep(50);
      synchronized (this) {
        most = Math.max(most, ++open);
      }
      try {
        MisbehavingServer.drain(c, 5000);
      } finally {
        synchronized (this) {
          open--;
        }
      }
    }

    synchronized int most() {
      return most;
    }
  }
}
