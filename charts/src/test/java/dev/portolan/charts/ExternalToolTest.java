package dev.portolan.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

@DisplayName("ExternalTool")
class ExternalToolTest {
  @Test
  @DisplayName("a missing program skips with the reason and how to install it; under PORTOLAN_REQUIRE_TOOLS=1 it fails")
  void missing() {
    boolean required = "1".equals(System.getenv("PORTOLAN_REQUIRE_TOOLS"));
    assertThatThrownBy(() -> ExternalTool.require("portolan-no-such-tool", "Debian: apt-get install nothing"))
        .isInstanceOf(required ? AssertionError.class : TestAbortedException.class)
        .hasMessageContaining("portolan-no-such-tool is not on the PATH (Debian: apt-get install nothing)")
        .hasMessageContaining("PORTOLAN_REQUIRE_TOOLS=1");
  }

  @Test
  @DisplayName("a program on the PATH runs, its exit code and output reported")
  void runs(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    ExternalTool sh = ExternalTool.require("sh", "it is POSIX");
    ExternalTool.Result r = sh.run(dir, "-c", "echo out; echo err >&2; exit 3");
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.output()).contains("out").contains("err");
  }
}
