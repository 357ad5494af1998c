package dev.portolan.scanner.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A lab made by {@code e2e/lab/lab.sh}: a scanner namespace and a target namespace joined by a
 * veth pair, the target answering for all of 198.18.0.0/16. Runs the real {@code portolan} jar
 * inside the scanner namespace. Refuses every address outside the lab range, and {@link #close}
 * always deletes what {@link #create} made (the extension calls it even when a test fails).
 */
public final class Lab implements AutoCloseable {
  private static final Pattern LAB_ADDRESS =
      Pattern.compile("^198\\.(18|19)\\.\\d{1,3}\\.\\d{1,3}(/\\d{1,2})?(:\\d{1,5})?$");
  private static final long COMMAND_TIMEOUT_SECONDS = 600;

  private final String name;
  private final Path script;
  private final Path jar;
  private final Path work;
  private final boolean owned;

  private Lab(String name, Path script, Path jar, Path work, boolean owned) {
    this.name = name;
    this.script = script;
    this.jar = jar;
    this.work = work;
    this.owned = owned;
  }

  /**
   * The lab this JVM runs inside (started by e2e/lab/in-lab-jdk/bin/java, which also deletes it): for
   * tests whose API server, agents and raw sockets share the scanner namespace.
   */
  public static Lab current() throws IOException {
    String name = System.getenv("PORTOLAN_LAB");
    String script = System.getenv("PORTOLAN_LAB_SCRIPT");
    if (name == null || script == null) {
      throw new IllegalStateException("not inside a lab: *InLabIT tests run through e2e/lab/in-lab-jdk/bin/java (./mvnw verify)");
    }
    return new Lab(name, Path.of(script), null, Files.createTempDirectory("portolan-lab-"), false);
  }

  /** The result of a command: exit code and everything it printed. */
  public record Run(int exitCode, String stdout, String stderr) {
    public List<String> lines() {
      return stdout.lines().toList();
    }
  }

  static Lab create() throws IOException {
    Path module = Path.of(System.getProperty("user.dir"));
    Path script = module.resolveSibling("e2e").resolve("lab/lab.sh").toAbsolutePath().normalize();
    Path builtJar = module.resolve("target/portolan.jar");
    if (!Files.isRegularFile(builtJar)) {
      throw new IllegalStateException(builtJar + " is missing: lab tests run after 'package' (./mvnw verify)");
    }
    // A world-readable copy, so the jar also runs as an unprivileged user.
    Path work = Files.createTempDirectory("portolan-lab-");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jar = work.resolve("portolan.jar");
    Files.copy(builtJar, jar);
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    String name = "ptl" + Long.toString(new SecureRandom().nextLong() >>> 24, 36).substring(0, 6);
    Lab lab = new Lab(name, script, jar, work, true);
    Run up = lab.sh("up", name);
    if (up.exitCode() != 0) {
      lab.close();
      throw new IllegalStateException("lab.sh up failed: " + up.stderr());
    }
    return lab;
  }

  public String scannerNamespace() {
    return name + "-s";
  }

  public String targetNamespace() {
    return name + "-t";
  }

  /** Starts listeners in the target namespace on each {@code address:port}. */
  public void listen(String... addressPorts) {
    for (String ap : addressPorts) {
      requireLab(ap);
    }
    List<String> args = new ArrayList<>(List.of("listen", name));
    args.addAll(List.of(addressPorts));
    check(sh(args.toArray(String[]::new)), "listen");
  }

  /** Makes {@code cidr} filtered: the target silently drops what is sent there. */
  public void drop(String cidr) {
    requireLab(cidr);
    check(sh("drop", name, cidr), "drop");
  }

  /**
   * Isolates {@code address} as a CNI enforces a NetworkPolicy: the target silently drops TCP sent
   * there, except to {@code allowedPorts} (none: every port is dropped).
   */
  public void isolate(String address, int... allowedPorts) {
    requireLab(address);
    List<String> args = new ArrayList<>(List.of("isolate", name, address));
    for (int p : allowedPorts) {
      args.add(Integer.toString(p));
    }
    check(sh(args.toArray(String[]::new)), "isolate");
  }

  /** Drops {@code percent}% of packets at random in each direction at the target. */
  public void loss(int percent) {
    check(sh("loss", name, Integer.toString(percent)), "loss");
  }

  /** Runs {@code portolan ARGS} as root in the scanner namespace and waits for it. */
  public Run portolan(String... args) {
    return run(command(false, args));
  }

  /** Runs {@code portolan ARGS} as user nobody, without any capability, in the scanner namespace. */
  public Run portolanUnprivileged(String... args) {
    return run(command(true, args));
  }

  /** Starts {@code portolan ARGS} in the scanner namespace without waiting (the caller signals it). */
  public Process startPortolan(Path stdout, Path stderr, String... args) throws IOException {
    return new ProcessBuilder(command(false, args))
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();
  }

  /** Runs any command inside the scanner namespace (benchmarks run nmap there). */
  public Run inScanner(String... command) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", scannerNamespace()));
    cmd.addAll(List.of(command));
    return run(cmd);
  }

  public Path workDirectory() {
    return work;
  }

  private List<String> command(boolean unprivileged, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", scannerNamespace()));
    if (unprivileged) {
      cmd.addAll(
          List.of(
              "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
              "--inh-caps=-all", "--bounding-set=-all"));
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private Run sh(String... args) {
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  private Run run(List<String> cmd) {
    try {
      Path out = Files.createTempFile(work, "out", ".txt");
      Path err = Files.createTempFile(work, "err", ".txt");
      Process p =
          new ProcessBuilder(cmd)
              .directory(work.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("timed out after " + COMMAND_TIMEOUT_SECONDS + " s: " + String.join(" ", cmd));
      }
      return new Run(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("could not run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static void check(Run r, String what) {
    if (r.exitCode() != 0) {
      throw new IllegalStateException("lab.sh " + what + " failed: " + r.stderr());
    }
  }

  static void requireLab(String address) {
    if (!LAB_ADDRESS.matcher(address).matches()) {
      throw new IllegalArgumentException(address + " is outside the lab range 198.18.0.0/15");
    }
  }

  @Override
  public void close() {
    if (owned) {
      sh("down", name);
    }
    try (var files = Files.walk(work)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is not worth failing a test for
    }
  }
}
