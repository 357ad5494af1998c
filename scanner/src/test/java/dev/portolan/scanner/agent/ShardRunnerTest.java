package dev.portolan.scanner.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.crds.v1alpha1.ScanReportSpec;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ScopeSnapshot;
import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import dev.portolan.scanner.engine.ConnectScanner;
import dev.portolan.scanner.engine.PathResolver;
import dev.portolan.scanner.engine.ScannerFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A shard whose run says Connect is probed by connects, and says why. */
class ShardRunnerTest {
  @Test
  void aConnectRunIsProbedByConnectsAndSaysWhy() throws Exception {
    try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = open.getLocalPort();
      for (String discovery : new String[] {ScopeSnapshot.CONNECT, ScopeSnapshot.SYN}) {
        ScopeSnapshot scope = new ScopeSnapshot(List.of("127.0.0.1"), List.of(), Integer.toString(port), 1L, 1L, 7L, 1000L, 0, 0,
            null, null, discovery, null, null, null);
        ScanReportSpec spec = new ScanReportSpec("p", "p-g1", null, scope, List.of());
        List<String> notices = new ArrayList<>();
        List<dev.portolan.scanner.report.Finding> found = new ArrayList<>();
        ShardRunner runner = new ShardRunner(spec, new ShardAssignment(0, 1, "n", 1000L), 0,
            new ScannerFactory.Options(PathResolver.Overrides.none(), Optional.empty(), false, ConnectScanner.DEFAULT_CONCURRENCY),
            null, "n", notices::add);
        runner.run(found::add);
        assertThat(found).as(discovery).singleElement().satisfies(f -> assertThat(f.result().port()).isEqualTo(port));
        if (discovery.equals(ScopeSnapshot.CONNECT)) {
          assertThat(notices).anySatisfy(n -> assertThat(n).contains("Service cluster IPs", "TCP connects"));
        } else {
          assertThat(notices).noneSatisfy(n -> assertThat(n).contains("Service cluster IPs"));
        }
      }
    }
  }
}
