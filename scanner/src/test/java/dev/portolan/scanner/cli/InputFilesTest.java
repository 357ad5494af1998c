package dev.portolan.scanner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portolan.control.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("files named on the command line")
class InputFilesTest {
  @TempDir Path dir;

  @Test
  @DisplayName("a file that does not exist is one line naming it and saying so")
  void missingFile() {
    Path f = dir.resolve("nope.txt");
    assertThatThrownBy(() -> InputFiles.lines(f, "the exclude file"))
        .isInstanceOf(UsageException.class)
        .hasMessage("cannot read the exclude file '" + f + "' (no such file): check the path and its permissions");
  }

  @Test
  @DisplayName("a directory is not a text file")
  void directory() {
    assertThatThrownBy(() -> InputFiles.text(dir, "the guard file"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("cannot read the guard file '" + dir + "'")
        .hasMessageContaining("check the path and its permissions");
  }

  @Test
  @DisplayName("a file that is not UTF-8 text is refused, not half read")
  void notText() throws IOException {
    Path f = Files.write(dir.resolve("binary.bin"), new byte[] {'1', (byte) 0xff, (byte) 0xfe, '\n'});
    assertThatThrownBy(() -> InputFiles.lines(f, "the exclude file"))
        .isInstanceOf(UsageException.class)
        .hasMessage("cannot read the exclude file '" + f + "': it is not UTF-8 text");
  }

  @Test
  @DisplayName("lines split on LF and CRLF alike")
  void lines() throws IOException {
    Path f = Files.writeString(dir.resolve("x.txt"), "a\r\nb\nc");
    assertThat(InputFiles.lines(f, "x")).containsExactly("a", "b", "c");
  }
}
