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
        throw new UsageException("--format takes ndjson, list, xml or grepable, not '" + format + "'");
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
      if (name.endsWith(".gnmap")) {
        return OutputFormat.GREPABLE;
      }
    }
    return OutputFormat.LIST;
  }

  /**
   * The file, or standard output when none is given or it is "-" (as nmap's {@code -oX -}). A bad
   * path fails now, before anything is sent; an existing file is replaced only when the first byte
   * is written (the scan has started), so a run stopped or refused before then leaves it as it was.
   */
  static OutputStream open(Path out) {
    if (out == null || out.toString().equals("-")) {
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
    if (Files.isDirectory(out)) {
      throw new UsageException("output '" + out + "' is a directory: give a file name");
    }
    Path dir = out.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new UsageException("cannot write '" + out + "': its directory does not exist");
    }
    if (Files.exists(out) ? !Files.isWritable(out) : !Files.isWritable(dir)) {
      throw new UsageException("cannot write '" + out + "': permission denied");
    }
    return new OutputStream() {
      private OutputStream file;

      private OutputStream file() throws IOException {
        if (file == null) {
          file = create(out);
        }
        return file;
      }

      @Override
      public void write(int b) throws IOException {
        file().write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        file().write(b, off, len);
      }

      @Override
      public void flush() throws IOException {
        if (file != null) {
          file.flush();
        }
      }

      @Override
      public void close() throws IOException {
        if (file != null) {
          file.close();
        }
      }
    };
  }

  private static OutputStream create(Path out) {
    try {
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
