package dev.portolan.scanner.report;

import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.engine.ScanSummary;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/** masscan's {@code -oL} list: {@code open tcp 80 198.18.0.1 1700000000}, one line per result. */
public final class ListWriter implements FindingWriter {
  private final Writer out;

  public ListWriter(OutputStream out) {
    this.out = new OutputStreamWriter(out, StandardCharsets.UTF_8);
  }

  @Override
  public void begin(ScanInfo info) throws IOException {
    out.write("#portolan " + info.version() + " (masscan list format)\n");
    out.flush();
  }

  @Override
  public void write(PortResult r) throws IOException {
    out.write(r.state().label() + " tcp " + r.port() + " " + r.addressText() + " " + r.epochMillis() / 1000 + "\n");
    out.flush();
  }

  @Override
  public void end(ScanSummary summary) throws IOException {
    out.write("# end\n");
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
