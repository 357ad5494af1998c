package dev.portolan.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of the system's processes (the operator, an agent) started by the end-to-end test from the
 * jar the build made, as a Deployment or a DaemonSet would start it: flags, environment, nothing
 * shared with the test's JVM. Its standard output and error go to one log file under target/, kept
 * for a reader after the build; {@link #close} stops it as Kubernetes stops a pod (SIGTERM, a grace
 * period, then SIGKILL), each wait bounded.
 */
final class LabProcess implements AutoCloseable {
  private static final long GRACE_SECONDS = 20;
  private static final long KILL_WAIT_SECONDS = 5;

  private final String name;
  private final Process process;
  private final Path log;

  private LabProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command}, in network namespace {@code netns} unless it is null (then in this
   * JVM's own), with {@code env} added to this JVM's environment.
   */
  static LabProcess start(String name, String netns, List<String> command, Map<String, String> env, Path logDir)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.addAll(List.of("ip", "netns", "exec", netns)); // execs the command: the process is the JVM itself
    }
    cmd.addAll(command);
    Path log = logDir.resolve(name + ".log");
    Files.writeString(log, "$ " + String.join(" ", cmd) + "\n");
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().putAll(env);
    return new LabProcess(name, pb.start(), log);
  }

  String name() {
    return name;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Fails, with the process's log, if it has exited: nothing can succeed without it. */
  void requireAlive() {
    if (!process.isAlive()) {
      throw new AssertionError(name + " exited with code " + process.exitValue() + ":\n" + logTail(60));
    }
  }

  /** The last {@code lines} lines the process wrote. */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  Path logFile() {
    return log;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
