package dev.portolan.scanner.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the agent's namespaces")
class AgentConfigTest {
  private static Agent.Config config(String namespace) {
    return new Agent.Config("node-a", namespace, Agent.StatusPatch.APPLY, null, Duration.ofSeconds(10));
  }

  @Test
  @DisplayName("none or blank is every namespace; a list is read as the chart writes it, spaces and repeats ignored")
  void namespaces() {
    assertThat(config(null).namespaces()).isEmpty();
    assertThat(config(" ").namespaces()).isEmpty();
    assertThat(config("scans").namespaces()).containsExactly("scans");
    assertThat(config("apps, web,,apps").namespaces()).containsExactly("apps", "web");
  }
}
