package dev.portolan.scanner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** `portolan agent` refuses bad flags before it touches an API server: exit 2, one line. */
class AgentUsageErrorsTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "--health-address=node-ip|--health-address takes an IPv4 address",
    "--health-address=10.0.0|--health-address takes an IPv4 address",
    "--health-port=70000|--health-port must be 0-65535",
    "--status-patch=put|--status-patch takes apply or merge",
    "--progress-interval=0|--progress-interval must be 0.1 to 3600 seconds"
  })
  void badFlag(String flag, String message) {
    CliRun run = CliRun.of("agent", "--node", "n1", flag);
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr().strip().lines()).singleElement().asString().contains(message);
  }
}
