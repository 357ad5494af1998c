package dev.portolan.scanner.report;

import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.engine.ScanSummary;
import java.io.IOException;

/**
 * An output format. {@link #write(Finding)} is called once per port on a single thread; formats
 * that can stream write each record completely and flush, so output stays valid however the run
 * ends.
 */
public interface FindingWriter extends AutoCloseable {
  void begin(ScanInfo info) throws IOException;

  void write(Finding finding) throws IOException;

  /** A port without validation. */
  default void write(PortResult result) throws IOException {
    write(Finding.of(result));
  }

  /** Completes the document with the run's summary; always called, also after an interrupt. */
  void end(ScanSummary summary) throws IOException;

  @Override
  void close() throws IOException;
}
