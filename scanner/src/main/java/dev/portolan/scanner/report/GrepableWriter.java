package dev.portolan.scanner.report;

import dev.portolan.control.target.Ipv4;
import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.engine.ScanSummary;
import dev.portolan.scanner.probe.Validation;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * nmap's grepable output ({@code -oG}): a comment line with the command, one {@code Host:} line
 * per host with its ports as {@code port/state/protocol//service//version/}, and a closing
 * comment with the totals, so that {@code grep}, {@code awk} and the scripts written for nmap's
 * format read ours. Hosts are written in address order at the end, as the XML is.
 */
public final class GrepableWriter implements FindingWriter {
  private static final DateTimeFormatter NMAP_TIME =
      DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final Writer out;
  private final TreeMap<Long, List<Finding>> hosts = new TreeMap<>();
  private ScanInfo info;

  public GrepableWriter(OutputStream out) {
    this.out = new OutputStreamWriter(out, StandardCharsets.UTF_8);
  }

  @Override
  public void begin(ScanInfo info) throws IOException {
    this.info = info;
    out.write("# Portolan " + info.version() + " scan initiated " + NMAP_TIME.format(info.started()) + " as: "
        + oneLine(info.commandLine()) + "\n");
    out.flush();
  }

  @Override
  public void write(Finding f) {
    hosts.computeIfAbsent(Ipv4.unsigned(f.result().address()), k -> new ArrayList<>()).add(f);
  }

  @Override
  public void end(ScanSummary s) throws IOException {
    for (List<Finding> findings : hosts.values()) {
      String host = "Host: " + findings.getFirst().result().addressText() + " (" + hostname(findings) + ")";
      out.write(host + "\tStatus: Up\n");
      List<String> ports = new ArrayList<>();
      for (Finding f : findings) {
        ports.add(port(f));
      }
      out.write(host + "\tPorts: " + String.join(", ", ports) + "\n");
    }
    long total = Math.max(hosts.size(), info == null ? -1 : info.hosts());
    out.write(String.format(Locale.ROOT, "# Portolan done at %s -- %d IP addresses (%d hosts up) scanned in %.2f seconds%s%n",
        NMAP_TIME.format(s.finished()), total, hosts.size(), s.elapsed().toMillis() / 1000.0,
        s.completed() ? "" : " (interrupted; resume index " + s.resumeFrom() + ")"));
    out.flush();
  }

  /** {@code 80/open/tcp//http//nginx 1.22.1/}: nmap's seven fields, '/' and ',' kept out of them. */
  static String port(Finding f) {
    PortResult r = f.result();
    Validation v = f.validation();
    String service = v != null && v.identified() ? (v.overTls() ? "ssl|" : "") + v.service() : PortNames.of(r.port());
    String version = v == null || !v.identified() ? "" : String.join(" ", nonEmpty(v.product(), v.version(),
        v.extraInfo() == null || v.extraInfo().isEmpty() ? "" : "(" + v.extraInfo() + ")"));
    return r.port() + "/" + r.state().label() + "/tcp//" + field(service) + "//" + field(version) + "/";
  }

  private static List<String> nonEmpty(String... parts) {
    List<String> out = new ArrayList<>();
    for (String p : parts) {
      if (p != null && !p.isEmpty()) {
        out.add(p);
      }
    }
    return out;
  }

  /** A field holds no '/' (nmap writes '|') and no ',' or tab, which separate fields and ports. */
  private static String field(String s) {
    return oneLine(s).replace('/', '|').replace(',', ';').replace('\t', ' ');
  }

  private static String oneLine(String s) {
    return NmapXmlWriter.printable(s == null ? "" : s);
  }

  private static String hostname(List<Finding> findings) {
    for (Finding f : findings) {
      if (f.owner() != null) {
        return field(f.owner().describe());
      }
    }
    return "";
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
