package dev.portolan.scanner.report;

import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.engine.ScanSummary;
import dev.portolan.scanner.probe.Reachability;
import dev.portolan.scanner.probe.Validation;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * masscan's {@code -oL} list, between its {@code #masscan} header and {@code # end} footer: {@code open tcp
 * 80 198.18.0.1 1700000000}, one line per result, and
 * for a validated port a {@code banner} line as masscan writes them: {@code banner tcp 80
 * 198.18.0.1 1700000000 http nginx 1.22.1 (status 200)}.
 */
public final class ListWriter implements FindingWriter {
  private final Writer out;

  public ListWriter(OutputStream out) {
    this.out = new OutputStreamWriter(out, StandardCharsets.UTF_8);
  }

  @Override
  public void begin(ScanInfo info) throws IOException {
    // Exactly masscan's first line: scripts and importers tell its list format by it.
    out.write("#masscan\n");
    out.flush();
  }

  @Override
  public void write(Finding f) throws IOException {
    PortResult r = f.result();
    String stamp = " tcp " + r.port() + " " + r.addressText() + " " + r.epochMillis() / 1000;
    StringBuilder b = new StringBuilder(r.state().label()).append(stamp).append('\n');
    Validation v = f.validation();
    if (v != null && v.reachability() == Reachability.CONNECTED) {
      b.append("banner").append(stamp).append(' ').append(v.overTls() ? "ssl/" : "").append(v.service());
      String text = ServiceText.summary(v);
      if (!text.isEmpty()) {
        b.append(' ').append(text);
      }
      b.append('\n');
    }
    out.write(b.toString());
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
