package dev.portolan.scanner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("output files")
class OutputsTest {
  @Test
  @DisplayName("an existing file is replaced only once the scan writes to it: stopped before, it is as it was")
  void untouchedUntilWritten(@TempDir Path dir) throws Exception {
    Path earlier = Files.writeString(dir.resolve("scan.xml"), "yesterday's results");
    try (OutputStream out = Outputs.open(earlier)) {
      out.flush();
    }
    assertThat(Files.readString(earlier)).isEqualTo("yesterday's results");
    try (OutputStream out = Outputs.open(earlier)) {
      out.write("today".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(Files.readString(earlier)).isEqualTo("today");
    assertThat(Files.exists(dir.resolve("never.xml"))).isFalse();
    Outputs.open(dir.resolve("never.xml")).close();
    assertThat(Files.exists(dir.resolve("never.xml"))).as("nothing written, nothing created").isFalse();
  }

  @Test
  @DisplayName("- is standard output, as nmap's -oX -")
  void dashIsStandardOutput() throws Exception {
    PrintStream saved = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (OutputStream out = Outputs.open(Path.of("-"))) {
      out.write("<nmaprun/>".getBytes(StandardCharsets.UTF_8));
    } finally {
      System.setOut(saved);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo("<nmaprun/>");
    assertThat(Files.exists(Path.of("-"))).isFalse();
  }
}
