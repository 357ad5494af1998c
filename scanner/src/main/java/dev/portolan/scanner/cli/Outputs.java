package dev.portolan.scanner.cli;

import dev.portolan.control.UsageException;
import dev.portolan.scanner.report.OutputFormat;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/** Where results go and in which format, the same way for every command. */
final class Outputs {
  private Outputs() {}

  /**
   * {@code --format} wins; otherwise a shorthand's format (-oJ, -oX...), then the file's
   * extension (.xml, .json/.ndjson/.jsonl), else the masscan list.
   */
  static OutputFormat choose(String format, OutputFormat shorthand, Path output) {
    if (format != null) {
      try {
        return OutputFormat.valueOf(format.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--format takes ndjson, list or xml, not '" + format + "'");
      }
    }
    if (shorthand != null) {
      return shorthand;
    }
    if (output != null) {
      String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".xml")) {
        return OutputFormat.XML;
      }
      if (name.endsWith(".json") || name.endsWith(".ndjson") || name.endsWith(".jsonl")) {
        return OutputFormat.NDJSON;
      }
    }
    return OutputFormat.LIST;
  }

  /** The file, opened now (so a bad path fails before anything is sent), or standard output. */
  static OutputStream open(Path out) {
    if (out == null) {
      return new FilterOutputStream(System.out) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          flush();
        }
      };
    }
    try {
      if (Files.isDirectory(out)) {
        throw new UsageException("output '" + out + "' is a directory: give a file name");
      }
      return Files.newOutputStream(out);
    } catch (NoSuchFileException e) {
      throw new UsageException("cannot write '" + out + "': its directory does not exist");
    } catch (AccessDeniedException e) {
      throw new UsageException("cannot write '" + out + "': permission denied");
    } catch (IOException e) {
      throw new UsageException("cannot write '" + out + "': " + e.getMessage());
    }
  }
}
