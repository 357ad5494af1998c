package dev.portolan.scanner.report;

import dev.portolan.scanner.engine.ScanSummary;
import java.io.IOException;
import java.util.List;

/** Several formats at once ({@code -oA}): every call goes to each writer, in order; all are closed. */
public final class TeeWriter implements FindingWriter {
  private final List<FindingWriter> writers;

  public TeeWriter(List<FindingWriter> writers) {
    this.writers = List.copyOf(writers);
  }

  @Override
  public void begin(ScanInfo info) throws IOException {
    for (FindingWriter w : writers) {
      w.begin(info);
    }
  }

  @Override
  public void write(Finding finding) throws IOException {
    for (FindingWriter w : writers) {
      w.write(finding);
    }
  }

  @Override
  public void end(ScanSummary summary) throws IOException {
    for (FindingWriter w : writers) {
      w.end(summary);
    }
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (FindingWriter w : writers) {
      try {
        w.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
