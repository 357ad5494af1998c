package dev.portolan.scanner.report;

import dev.portolan.scanner.engine.PortResult;
import dev.portolan.scanner.probe.OsHint;
import dev.portolan.scanner.probe.Validation;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The validation part of nmap's XML: the {@code service} element as {@code -sV} writes it
 * (method="probed", product, version, extrainfo, tunnel="ssl", {@code cpe} children in the CPE 2.2
 * URI form nmap uses), the evidence and TLS details as scripts ({@code banner}, {@code ssl-cert}),
 * and the OS guess as an {@code os} element. Without validation the port keeps the table guess.
 */
final class NmapServiceXml {
  private NmapServiceXml() {}

  static void write(XMLStreamWriter x, PortResult p, Validation v) throws XMLStreamException {
    write(x, p, v, null);
  }

  /** As above, {@code owner} (a port's owner unlike its host's) joining the port's one script when given. */
  static void write(XMLStreamWriter x, PortResult p, Validation v, String owner) throws XMLStreamException {
    boolean probed = v != null && v.identified();
    boolean hasCpe = probed && !v.cpe().isEmpty();
    if (hasCpe) {
      x.writeStartElement("service");
    } else {
      x.writeEmptyElement("service");
    }
    if (!probed) {
      x.writeAttribute("name", PortNames.of(p.port()));
      x.writeAttribute("method", "table");
      x.writeAttribute("conf", "3");
    } else {
      x.writeAttribute("name", v.service());
      attribute(x, "product", v.product());
      attribute(x, "version", v.version());
      attribute(x, "extrainfo", v.extraInfo());
      attribute(x, "hostname", v.hostname());
      attribute(x, "devicetype", v.deviceType());
      if (v.os() != null && v.os().basis().startsWith("banner")) {
        attribute(x, "ostype", v.os().family());
      }
      if (v.overTls()) {
        x.writeAttribute("tunnel", "ssl");
      }
      x.writeAttribute("method", "probed");
      x.writeAttribute("conf", Integer.toString(Math.max(0, Math.min(10, v.confidence()))));
    }
    if (hasCpe) {
      for (String c : v.cpe()) {
        x.writeStartElement("cpe");
        x.writeCharacters(NmapXmlWriter.printable(Cpe.toUri(c)));
        x.writeEndElement();
      }
      x.writeEndElement();
    }
    // One script per port: ndiff cannot compare ports with more, and the HTML report reads one. The
    // evidence with what changes on every run (dates, uptimes, run ids) taken out, so that two runs
    // differ only where the service did; one field to a line, as nmap's own scripts write them.
    List<String> lines = new java.util.ArrayList<>();
    if (owner != null) {
      lines.add("Target: " + owner);
    }
    if (v != null && !v.evidence().isEmpty()) {
      lines.addAll(Evidence.lines(v.evidence()));
    }
    if (v != null && v.tls() != null) {
      lines.addAll(List.of(ServiceText.tls(v.tls()).split("\n")));
    }
    if (v != null && !v.notes().isEmpty()) {
      v.notes().forEach(n -> lines.add("Note: " + n));
    }
    if (!lines.isEmpty()) {
      x.writeEmptyElement("script");
      boolean onlyOwner = owner != null && lines.size() == 1;
      x.writeAttribute("id", onlyOwner ? "portolan-target" : "banner");
      x.writeAttribute("output", NmapXmlWriter.printableLines(String.join("\n", lines)));
    }
  }

  /**
   * The best OS guess among the host's ports, as nmap's consumers read one: the family alone as the
   * match's name (what they display as the OS), its class, the port it was seen on, and the basis
   * of the guess (a SYN-ACK's TTL and options, a banner) as the fingerprint, not in the name.
   */
  static void writeOs(XMLStreamWriter x, List<Finding> findings) throws XMLStreamException {
    OsHint best = null;
    Finding from = null;
    for (Finding f : findings) {
      OsHint h = f.validation() == null ? null : f.validation().os();
      if (h != null && (best == null || h.confidence() > best.confidence())) {
        best = h;
        from = f;
      }
    }
    if (best == null) {
      return;
    }
    x.writeStartElement("os");
    x.writeEmptyElement("portused");
    x.writeAttribute("state", "open");
    x.writeAttribute("proto", "tcp");
    x.writeAttribute("portid", Integer.toString(from.result().port()));
    x.writeStartElement("osmatch");
    x.writeAttribute("name", NmapXmlWriter.printable(best.family()));
    x.writeAttribute("accuracy", Integer.toString(best.confidence()));
    x.writeAttribute("line", "0");
    x.writeEmptyElement("osclass");
    x.writeAttribute("vendor", vendor(best.family()));
    x.writeAttribute("osfamily", NmapXmlWriter.printable(best.family()));
    if (!"unknown".equals(vendor(best.family()))) {
      x.writeAttribute("type", "general purpose");
    }
    x.writeAttribute("accuracy", Integer.toString(best.confidence()));
    x.writeEndElement();
    x.writeEmptyElement("osfingerprint");
    x.writeAttribute("fingerprint", NmapXmlWriter.printable("portolan guess: " + best.basis()));
    x.writeEndElement();
  }

  private static String vendor(String family) {
    return switch (family.toLowerCase(Locale.ROOT)) {
      case "linux" -> "Linux";
      case "windows" -> "Microsoft";
      case "macos" -> "Apple";
      case "freebsd" -> "FreeBSD";
      default -> "unknown";
    };
  }

  private static void attribute(XMLStreamWriter x, String name, String value) throws XMLStreamException {
    if (value != null && !value.isEmpty()) {
      x.writeAttribute(name, NmapXmlWriter.printable(value));
    }
  }
}
