package dev.portolan.scanner.report;

import dev.portolan.control.target.Ipv4;
import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.engine.ScanSummary;
import java.io.IOException;
import java.io.OutputStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * nmap-compatible XML that validates against nmap's DTD, so importers that read nmap (DefectDojo,
 * Metasploit's db_import, and the like) read Portolan. Results are grouped per host, as nmap
 * writes them, so the document is written when the scan ends (also after Ctrl-C); NDJSON is the
 * streaming format. {@code scanner="nmap"} is what the DTD allows; {@code profile_name} says who
 * wrote it.
 */
public final class NmapXmlWriter implements FindingWriter {
  private static final DateTimeFormatter NMAP_TIME =
      DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final OutputStream out;
  private final TreeMap<Long, List<Finding>> hosts = new TreeMap<>();
  private ScanInfo info;

  public NmapXmlWriter(OutputStream out) {
    this.out = out;
  }

  @Override
  public void begin(ScanInfo info) {
    this.info = info;
  }

  @Override
  public void write(Finding f) {
    hosts.computeIfAbsent(Ipv4.unsigned(f.result().address()), k -> new ArrayList<>()).add(f);
  }

  @Override
  public void end(ScanSummary s) throws IOException {
    try {
      XMLStreamWriter x = XMLOutputFactory.newInstance().createXMLStreamWriter(out, "UTF-8");
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeDTD("<!DOCTYPE nmaprun>");
      x.writeCharacters("\n");
      x.writeStartElement("nmaprun");
      x.writeAttribute("scanner", "nmap");
      x.writeAttribute("args", printable(info.commandLine()));
      x.writeAttribute("start", Long.toString(info.started().getEpochSecond()));
      x.writeAttribute("startstr", NMAP_TIME.format(info.started()));
      x.writeAttribute("version", info.version());
      x.writeAttribute("profile_name", "portolan");
      x.writeAttribute("xmloutputversion", "1.05");
      x.writeCharacters("\n");
      x.writeEmptyElement("scaninfo");
      x.writeAttribute("type", info.method().startsWith("connect") ? "connect" : "syn");
      x.writeAttribute("protocol", "tcp");
      x.writeAttribute("numservices", Integer.toString(info.ports().size()));
      x.writeAttribute("services", info.ports().toString());
      x.writeCharacters("\n");
      x.writeEmptyElement("verbose");
      x.writeAttribute("level", "0");
      x.writeEmptyElement("debugging");
      x.writeAttribute("level", "0");
      x.writeCharacters("\n");
      for (List<Finding> findings : hosts.values()) {
        writeHost(x, findings);
      }
      x.writeStartElement("runstats");
      x.writeEmptyElement("finished");
      x.writeAttribute("time", Long.toString(s.finished().getEpochSecond()));
      x.writeAttribute("timestr", NMAP_TIME.format(s.finished()));
      x.writeAttribute("elapsed", String.format(Locale.ROOT, "%.2f", s.elapsed().toMillis() / 1000.0));
      x.writeAttribute(
          "summary",
          String.format(
              Locale.ROOT,
              "Portolan done: %d targets, %d open, %d closed, %d filtered%s",
              s.targets(),
              s.open(),
              s.closed(),
              s.filtered(),
              s.completed() ? "" : " (interrupted; resume index " + s.resumeFrom() + ")"));
      x.writeAttribute("exit", "success");
      long up = hosts.values().stream().filter(f -> answered(results(f))).count();
      x.writeEmptyElement("hosts");
      x.writeAttribute("up", Long.toString(up));
      x.writeAttribute("down", Long.toString(hosts.size() - up));
      x.writeAttribute("total", Integer.toString(hosts.size()));
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndDocument();
      x.flush();
      out.flush();
    } catch (XMLStreamException e) {
      throw new IOException("writing XML: " + e.getMessage(), e);
    }
  }

  private static void writeHost(XMLStreamWriter x, List<Finding> findings) throws XMLStreamException {
    findings.sort(java.util.Comparator.comparingInt(f -> f.result().port()));
    List<PortResult> ports = results(findings);
    PortResult first = ports.get(0);
    long start = ports.stream().mapToLong(PortResult::epochMillis).min().orElse(0) / 1000;
    long end = ports.stream().mapToLong(PortResult::epochMillis).max().orElse(0) / 1000;
    PortResult witness =
        ports.stream().filter(p -> p.fingerprint() != null).findFirst().orElse(first);
    x.writeStartElement("host");
    x.writeAttribute("starttime", Long.toString(start));
    x.writeAttribute("endtime", Long.toString(end));
    x.writeEmptyElement("status");
    x.writeAttribute("state", answered(ports) ? "up" : "unknown");
    x.writeAttribute("reason", witness.reason());
    x.writeAttribute("reason_ttl", ttl(witness));
    x.writeEmptyElement("address");
    x.writeAttribute("addr", first.addressText());
    x.writeAttribute("addrtype", "ipv4");
    x.writeStartElement("ports");
    for (Finding f : findings) {
      PortResult p = f.result();
      x.writeStartElement("port");
      x.writeAttribute("protocol", "tcp");
      x.writeAttribute("portid", Integer.toString(p.port()));
      x.writeEmptyElement("state");
      x.writeAttribute("state", p.state().label());
      x.writeAttribute("reason", p.reason());
      x.writeAttribute("reason_ttl", ttl(p));
      NmapServiceXml.write(x, p, f.validation());
      x.writeEndElement();
    }
    x.writeEndElement();
    NmapServiceXml.writeOs(x, findings);
    x.writeEndElement();
    x.writeCharacters("\n");
  }

  private static List<PortResult> results(List<Finding> findings) {
    List<PortResult> out = new ArrayList<>(findings.size());
    for (Finding f : findings) {
      out.add(f.result());
    }
    return out;
  }

  /** A host is up when any of its ports answered (open or closed); silence proves nothing. */
  private static boolean answered(List<PortResult> ports) {
    return ports.stream().anyMatch(p -> p.state() != dev.portolan.scanner.engine.PortState.FILTERED);
  }

  private static String ttl(PortResult p) {
    return p.fingerprint() == null ? "0" : Integer.toString(p.fingerprint().ttl());
  }

  /** XML 1.0 cannot carry C0 control characters, and parsers fold tabs and newlines in attributes. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    return b.toString();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
