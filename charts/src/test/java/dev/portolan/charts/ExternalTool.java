package dev.portolan.charts;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A program a test runs, found on the PATH. A missing one skips the test class with the reason and
 * how to install it, except under PORTOLAN_REQUIRE_TOOLS=1 (CI installs them), where it fails.
 */
record ExternalTool(Path path) {
  private static final long TIMEOUT_SECONDS = 120;

  record Result(int code, String output) {}

  static ExternalTool require(String program, String install) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isExecutable(candidate)) {
        return new ExternalTool(candidate);
      }
    }
    String why = program + " is not on the PATH (" + install + ")";
    if ("1".equals(System.getenv("PORTOLAN_REQUIRE_TOOLS"))) {
      throw new AssertionError(why + ", and PORTOLAN_REQUIRE_TOOLS=1 requires it");
    }
    Assumptions.abort(why + ": skipped; PORTOLAN_REQUIRE_TOOLS=1 makes this a failure");
    throw new AssertionError("unreachable");
  }

  /** Runs the program in {@code dir}; its output (stdout and stderr) is kept in a file there. */
  Result run(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of(path.toString()));
    command.addAll(List.of(args));
    Path log = dir.resolve(path.getFileName() + "-" + String.join("-", args).replaceAll("[^A-Za-z0-9.-]", "_") + ".log");
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not end within " + TIMEOUT_SECONDS + " s");
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
