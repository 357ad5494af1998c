package dev.portolan.operator.it;

import static dev.portolan.operator.support.PolicyBuilder.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portolan.control.guard.GuardConfig;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.operator.support.ApiCalls;
import dev.portolan.operator.support.Harness;
import dev.portolan.scanner.agent.Agent;
import dev.portolan.scanner.agent.AgentServer;
import dev.portolan.scanner.engine.ConnectScanner;
import dev.portolan.scanner.engine.PathResolver;
import dev.portolan.scanner.engine.ScannerFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The whole flow with the real agent: a policy applied, the operator plans a run, the scanner
 * agent (in this JVM) scans for real and writes its shard and pages, and the operator aggregates a
 * Succeeded report with the finding. The targets are this host's loopback (the agent then probes
 * with TCP connects), so the test needs no privileges; the agent scanning a lab by raw SYN against
 * the API server is AgentInLabIT in the scanner module.
 */
@DisplayName("a policy runs to a completed report with the real agent")
class RealAgentIT {
  @Test
  @DisplayName("apply -> run planned on the agent's node -> real scan -> Succeeded report with the open port")
  void realAgent() throws Exception {
    try (Harness h = new Harness("real-agent");
        KubernetesClient agentClient = h.cluster.newRecordedClient(ApiCalls.AGENT);
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      h.readyAgents("node-real");
      h.start(h.config().guard(GuardConfig.localDefaults()).build());
      ScannerFactory.Options engine =
          new ScannerFactory.Options(PathResolver.Overrides.none(), Optional.empty(), false, ConnectScanner.DEFAULT_CONCURRENCY);
      Agent.StatusPatch patch = h.cluster.isMock() ? Agent.StatusPatch.MERGE : Agent.StatusPatch.APPLY;
      AgentServer agent =
          AgentServer.start(agentClient, new Agent.Config("node-real", h.ns, patch, engine, Duration.ofMillis(500)), 0, m -> {});
      try {
        h.apply(policy("loopback", h.ns).cidrs("127.0.0.1").ports(listener.getLocalPort() + ",1-10").build());
        ScanReport done = h.awaitReport("loopback-g1", r -> r.getStatus() != null && r.getStatus().phase() == RunPhase.Succeeded);
        assertThat(done.getSpec().shards()).singleElement().satisfies(s -> assertThat(s.node()).isEqualTo("node-real"));
        assertThat(done.getStatus().shards()).containsKey("0");
        assertThat(done.getStatus().summary().open()).isEqualTo(1);
        assertThat(done.getStatus().findings()).singleElement().satisfies(f -> assertThat(f.port()).isEqualTo(listener.getLocalPort()));
        assertThat(h.pages("loopback-g1")).hasSize(1);
      } finally {
        agent.close();
      }
    }
  }
}
