package dev.portolan.scanner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input ends with exit code 2 and one line that says what is wrong and how to
 * mend it, never a stack trace, and before anything is sent. (Targets are on loopback, so even a
 * case that wrongly passed validation could reach nothing but this host.)
 */
@DisplayName("portolan scan: bad input")
class ScanUsageErrorsTest {

  static Stream<Arguments> badInput() {
    return Stream.of(
        Arguments.of("unknown flag", new String[] {"127.0.0.1", "-p", "80", "--bogus"}, "--bogus"),
        Arguments.of("missing ports", new String[] {"127.0.0.1"}, "--ports"),
        Arguments.of("missing targets", new String[] {"-p", "80"}, "no targets given"),
        Arguments.of("missing target list", new String[] {"-p", "80", "-iL", "/nonexistent/targets.txt"}, "no such file"),
        Arguments.of("bad line in a target list", new String[] {"-p", "80", "-iL", targetList("127.0.0.1\n# a comment\n127.0.0.300\n")}, "line 3"),
        Arguments.of("empty target list", new String[] {"-p", "80", "-iL", targetList("# nothing yet\n")}, "no targets in"),
        Arguments.of("octet over 255", new String[] {"127.0.0.300", "-p", "80"}, "0-255"),
        Arguments.of("not an address", new String[] {"localhost", "-p", "80"}, "host names are not resolved"),
        Arguments.of("IPv6", new String[] {"::1", "-p", "80"}, "IPv4 only"),
        Arguments.of("bad prefix", new String[] {"127.0.0.0/33", "-p", "80"}, "prefix length"),
        Arguments.of("reversed range", new String[] {"127.0.0.9-127.0.0.1", "-p", "80"}, "reversed"),
        Arguments.of("port out of range", new String[] {"127.0.0.1", "-p", "70000"}, "1-65535"),
        Arguments.of("port zero", new String[] {"127.0.0.1", "-p", "0"}, "1-65535"),
        Arguments.of("reversed ports", new String[] {"127.0.0.1", "-p", "100-10"}, "reversed"),
        Arguments.of("garbage ports", new String[] {"127.0.0.1", "-p", "http"}, "not a port"),
        Arguments.of("UDP ports", new String[] {"127.0.0.1", "-p", "U:53"}, "only TCP"),
        Arguments.of("everything excluded", new String[] {"127.0.0.0/24", "-p", "80", "--exclude", "127.0.0.0/16"}, "no targets left"),
        Arguments.of("zero rate", new String[] {"127.0.0.1", "-p", "80", "--rate", "0"}, "--rate"),
        Arguments.of("negative rate", new String[] {"127.0.0.1", "-p", "80", "--rate", "-5"}, "--rate"),
        Arguments.of("rate not a number", new String[] {"127.0.0.1", "-p", "80", "--rate", "fast"}, "--rate"),
        Arguments.of("shard past count", new String[] {"127.0.0.1", "-p", "80", "--shard", "4/3"}, "K/N"),
        Arguments.of("shard zero", new String[] {"127.0.0.1", "-p", "80", "--shard", "0/3"}, "K/N"),
        Arguments.of("shard garbage", new String[] {"127.0.0.1", "-p", "80", "--shard", "half"}, "K/N"),
        Arguments.of("missing interface", new String[] {"127.0.0.1", "-p", "80", "--interface", "nope0"}, "no interface 'nope0'"),
        Arguments.of("missing exclude file", new String[] {"127.0.0.1", "-p", "80", "--exclude-file", "/nonexistent/x.txt"}, "no such file"),
        Arguments.of("unwritable output", new String[] {"127.0.0.1", "-p", "80", "-o", "/nonexistent/dir/out.json"}, "cannot write"),
        Arguments.of("output is a directory", new String[] {"127.0.0.1", "-p", "80", "-o", "/tmp"}, "is a directory"),
        Arguments.of("-oA with another output", new String[] {"127.0.0.1", "-p", "80", "-oA", "/tmp/scan", "-oX", "/tmp/b"}, "-oA writes every format itself"),
        Arguments.of("two outputs", new String[] {"127.0.0.1", "-p", "80", "-oJ", "/tmp/a", "-oX", "/tmp/b"}, "one output file"),
        Arguments.of("bad format", new String[] {"127.0.0.1", "-p", "80", "--format", "csv"}, "ndjson, list, xml or grepable"),
        Arguments.of("bad show", new String[] {"127.0.0.1", "-p", "80", "--show", "open,maybe"}, "--show"),
        Arguments.of("--open against --show closed", new String[] {"127.0.0.1", "-p", "80", "--open", "--show", "closed"}, "--open reports open ports only"),
        Arguments.of("bad source ports", new String[] {"127.0.0.1", "-p", "80", "--source-port", "80-90"}, "1024-65535"),
        Arguments.of("negative retries", new String[] {"127.0.0.1", "-p", "80", "--retries", "-1"}, "--retries"),
        Arguments.of("negative wait", new String[] {"127.0.0.1", "-p", "80", "--wait", "-1"}, "--wait"),
        Arguments.of("resume without seed", new String[] {"127.0.0.1", "-p", "80", "--resume-index", "5"}, "--seed"),
        Arguments.of("resume past the end", new String[] {"127.0.0.1", "-p", "80", "--seed", "1", "--resume-index", "99"}, "past the end"),
        Arguments.of("bad router MAC", new String[] {"127.0.0.1", "-p", "80", "--router-mac", "zz"}, "MAC"),
        Arguments.of("bad source IP", new String[] {"127.0.0.1", "-p", "80", "--source-ip", "1.2.3"}, "IPv4"));
  }

  private static String targetList(String content) {
    try {
      java.nio.file.Path f = java.nio.file.Files.createTempFile("targets", ".txt");
      f.toFile().deleteOnExit();
      return java.nio.file.Files.writeString(f, content).toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInput")
  void exitsWithOneLine(String what, String[] args, String mentions) {
    String[] full = new String[args.length + 1];
    full[0] = "scan";
    System.arraycopy(args, 0, full, 1, args.length);

    CliRun run = CliRun.of(full);

    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(2);
    assertThat(run.stderr().lines()).as(run.stderr()).hasSize(1);
    assertThat(run.stderr()).startsWith("portolan: ").contains(mentions).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(run.stdout()).isEmpty();
  }
}
