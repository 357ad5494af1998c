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
      // Line breaks inside attributes must reach the file as character references (a parser turns a
      // raw one into a space): they are written as LINE_BREAK and replaced on the way out.
      java.io.Writer text = new java.io.FilterWriter(new java.io.BufferedWriter(
          new java.io.OutputStreamWriter(out, java.nio.charset.StandardCharsets.UTF_8))) {
        @Override
        public void write(int c) throws IOException {
          if (c == LINE_BREAK) {
            super.write("&#xa;", 0, 5);
          } else {
            super.write(c);
          }
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
          for (int i = off; i < off + len; i++) {
            write(buf[i]);
          }
        }

        @Override
        public void write(String str, int off, int len) throws IOException {
          for (int i = off; i < off + len; i++) {
            write(str.charAt(i));
          }
        }
      };
      XMLStreamWriter x = XMLOutputFactory.newInstance().createXMLStreamWriter(text);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeDTD("<!DOCTYPE nmaprun>");
      x.writeCharacters("\n");
      // As nmap writes it: a browser opening the file shows nmap's HTML report.
      x.writeProcessingInstruction("xml-stylesheet", "href=\"file:///usr/share/nmap/nmap.xsl\" type=\"text/xsl\"");
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
      // validate connects to each port (nmap -sV's own connections); only the raw engine is a SYN scan.
      x.writeAttribute("type", info.method().startsWith("syn") ? "syn" : "connect");
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
      // An interrupted scan is not a success to the tools that read this (nmap writes error).
      x.writeAttribute("exit", s.completed() ? "success" : "error");
      if (!s.completed()) {
        x.writeAttribute("errormsg", "interrupted before every probe was sent; resume with --resume-index " + s.resumeFrom()
            + " and the same --seed");
      }
      // Over the scope scanned, not only the hosts listed: python-libnmap and python-nmap report
      // these as the scan's totals. Up are the hosts that answered on a port the report shows.
      long up = hosts.values().stream().filter(f -> answered(results(f))).count();
      long total = Math.max(hosts.size(), info.hosts());
      x.writeEmptyElement("hosts");
      x.writeAttribute("up", Long.toString(up));
      x.writeAttribute("down", Long.toString(total - up));
      x.writeAttribute("total", Long.toString(total));
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
    // nmap always writes <hostnames> (empty without names); importers such as DefectDojo expect it.
    OwnerName hostOwner = hostOwner(findings);
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
    if (hostOwner != null) {
      names.add(hostOwner.hostname());
    }
    for (Finding f : findings) {
      if (f.owner() != null) {
        names.add(f.owner().hostname());
      }
    }
    x.writeStartElement("hostnames");
    for (String n : names) {
      x.writeEmptyElement("hostname");
      x.writeAttribute("name", printable(n));
      x.writeAttribute("type", "user");
    }
    x.writeEndElement();
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
      // One script per port (ndiff cannot compare ports with more): a port owned otherwise than
      // its host (a host-network pod on a node's address) names its owner in it.
      NmapServiceXml.write(x, p, f.validation(), f.owner() != null && !f.owner().equals(hostOwner) ? ownerText(f.owner()) : null);
      x.writeEndElement();
    }
    x.writeEndElement();
    NmapServiceXml.writeOs(x, findings);
    if (hostOwner != null) {
      x.writeStartElement("hostscript");
      writeOwnerScript(x, hostOwner);
      x.writeEndElement();
    }
    x.writeEndElement();
    x.writeCharacters("\n");
  }

  /** The owner most of a host's ports name (the address's own owner; port owners differ only on node addresses). */
  private static OwnerName hostOwner(List<Finding> findings) {
    java.util.Map<OwnerName, Integer> counts = new java.util.LinkedHashMap<>();
    for (Finding f : findings) {
      if (f.owner() != null) {
        counts.merge(f.owner(), 1, Integer::sum);
      }
    }
    return counts.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).map(java.util.Map.Entry::getKey).orElse(null);
  }

  /** "Deployment shop/web, pod web-7d4b9-x2x, services web, node node-a": the owner in one line. */
  static String ownerText(OwnerName o) {
    StringBuilder out = new StringBuilder(o.describe());
    if (o.workloadKind() != null) {
      out.append(", pod ").append(o.name());
    }
    if (o.services() != null && !o.services().isEmpty()) {
      out.append(", services ").append(String.join(" ", o.services()));
    }
    if (o.node() != null && !"Node".equals(o.kind())) {
      out.append(", node ").append(o.node());
    }
    if (o.attribution() != null && !"Exact".equals(o.attribution())) {
      out.append(" (").append(o.attribution()).append(o.note() == null ? "" : ": " + o.note()).append(')');
    }
    return out.toString();
  }

  /** What owns the address, as an NSE-style script: one line of output, the fields as elems. */
  private static void writeOwnerScript(XMLStreamWriter x, OwnerName o) throws XMLStreamException {
    String out = ownerText(o);
    x.writeStartElement("script");
    x.writeAttribute("id", "portolan-target");
    x.writeAttribute("output", printable(out));
    elem(x, "kind", o.kind());
    elem(x, "namespace", o.namespace());
    elem(x, "name", o.name());
    elem(x, "uid", o.uid());
    elem(x, "workload", o.workloadKind() == null ? null : o.workloadKind() + "/" + o.workloadName());
    elem(x, "services", o.services() == null ? null : String.join(" ", o.services()));
    elem(x, "node", o.node());
    elem(x, "container", o.container());
    elem(x, "portName", o.portName());
    elem(x, "attribution", o.attribution());
    x.writeEndElement();
  }

  private static void elem(XMLStreamWriter x, String key, String value) throws XMLStreamException {
    if (value == null || value.isEmpty()) {
      return;
    }
    x.writeStartElement("elem");
    x.writeAttribute("key", key);
    x.writeCharacters(printable(value));
    x.writeEndElement();
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

  /** A private-use character standing for a line break in an attribute, until it is written. */
  static final char LINE_BREAK = '\uE000';

  /** As {@link #printable}, keeping line breaks (nmap writes them as {@code &#xa;} in a script's output). */
  static String printableLines(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (String line : s.split("\n", -1)) {
      if (!b.isEmpty()) {
        b.append(LINE_BREAK);
      }
      b.append(printable(line.replace(LINE_BREAK, ' ')));
    }
    return b.toString();
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
