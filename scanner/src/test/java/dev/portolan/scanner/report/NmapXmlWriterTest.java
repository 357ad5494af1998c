package dev.portolan.scanner.report;

import static dev.portolan.scanner.report.ReportFixtures.FINISHED;
import static dev.portolan.scanner.report.ReportFixtures.STARTED;
import static dev.portolan.scanner.report.ReportFixtures.closed;
import static dev.portolan.scanner.report.ReportFixtures.filtered;
import static dev.portolan.scanner.report.ReportFixtures.info;
import static dev.portolan.scanner.report.ReportFixtures.open;
import static dev.portolan.scanner.report.ReportFixtures.openByConnect;
import static dev.portolan.scanner.report.ReportFixtures.render;
import static dev.portolan.scanner.report.ReportFixtures.summary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portolan.scanner.engine.PortResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

@DisplayName("NmapXmlWriter")
class NmapXmlWriterTest {
  /** nmap's own DTD, installed with nmap (CI installs it: see .ci/run). */
  private static final XPath XPATH = XPathFactory.newInstance().newXPath();

  private static String text(Document doc, String xpath) {
    try {
      return XPATH.evaluate(xpath, doc);
    } catch (XPathExpressionException e) {
      throw new AssertionError(xpath, e);
    }
  }

  private static List<Element> elements(Document doc, String xpath) {
    try {
      NodeList nodes = (NodeList) XPATH.evaluate(xpath, doc, XPathConstants.NODESET);
      List<Element> out = new ArrayList<>();
      for (int i = 0; i < nodes.getLength(); i++) {
        out.add((Element) nodes.item(i));
      }
      return out;
    } catch (XPathExpressionException e) {
      throw new AssertionError(xpath, e);
    }
  }

  private static final List<PortResult> RESULTS =
      List.of(
          open("198.18.0.10", 443),
          closed("198.18.0.10", 81),
          open("198.18.0.10", 22),
          filtered("198.18.0.10", 40123),
          openByConnect("203.0.113.5", 8080),
          closed("10.1.2.3", 80),
          filtered("198.18.0.99", 22));

  private static Document report(List<PortResult> results) throws IOException {
    return NmapDtd.validate(render(OutputFormat.XML, info("portolan scan 198.18.0.0/24 -p 22,80", "syn"), results, summary(3, 2, 2, true, 1024)));
  }

  @Nested
  @DisplayName("validates against nmap's DTD")
  class Validates {
    @Test
    @DisplayName("with hosts in every state")
    void mixed() throws IOException {
      report(RESULTS);
    }

    @Test
    @DisplayName("with no hosts at all")
    void empty() throws IOException {
      Document doc = report(List.of());
      assertThat(elements(doc, "/nmaprun/host")).isEmpty();
      assertThat(text(doc, "/nmaprun/runstats/hosts/@total")).isEqualTo("0");
    }

    @Test
    @DisplayName("for an interrupted connect scan")
    void interruptedConnectScan() throws IOException {
      Document doc =
          NmapDtd.validate(render(OutputFormat.XML, info("portolan scan x", "connect"), List.of(openByConnect("198.18.0.1", 22)), summary(1, 0, 0, false, 77)));
      assertThat(text(doc, "/nmaprun/scaninfo/@type")).isEqualTo("connect");
      assertThat(text(doc, "/nmaprun/runstats/finished/@summary")).contains("interrupted").contains("resume index 77");
    }

    @Test
    @DisplayName("and the check itself rejects what the DTD forbids")
    void theCheckCanFail() throws IOException {
      String xml = render(OutputFormat.XML, info("x", "syn"), RESULTS, summary(3, 2, 2, true, 1024));
      assertThatThrownBy(() -> NmapDtd.validate(xml.replace("protocol=\"tcp\"", "protocol=\"quic\"")))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("invalid against nmap.dtd");
      assertThatThrownBy(() -> NmapDtd.validate(xml.replace("<runstats>", "<runstats><bogus/>")))
          .isInstanceOf(AssertionError.class);
    }
  }

  @Nested
  @DisplayName("holds what nmap's importers read")
  class Content {
    @Test
    @DisplayName("the run: scanner nmap, args, start, version, and the scan type over tcp with its services")
    void run() throws IOException {
      Document doc = report(RESULTS);
      assertThat(text(doc, "/nmaprun/@scanner")).isEqualTo("nmap");
      assertThat(text(doc, "/nmaprun/@args")).isEqualTo("portolan scan 198.18.0.0/24 -p 22,80");
      assertThat(text(doc, "/nmaprun/@start")).isEqualTo(Long.toString(STARTED.getEpochSecond()));
      assertThat(text(doc, "/nmaprun/@startstr")).isEqualTo("Sun Mar 1 10:00:00 2026");
      assertThat(text(doc, "/nmaprun/@version")).isEqualTo("0.1.0-test");
      assertThat(text(doc, "/nmaprun/@profile_name")).isEqualTo("portolan");
      assertThat(text(doc, "/nmaprun/scaninfo/@type")).isEqualTo("syn");
      assertThat(text(doc, "/nmaprun/scaninfo/@protocol")).isEqualTo("tcp");
      assertThat(text(doc, "/nmaprun/scaninfo/@numservices")).isEqualTo("104");
      assertThat(text(doc, "/nmaprun/scaninfo/@services")).isEqualTo("22,80,443,8000-8100");
    }

    @Test
    @DisplayName("one host element per address, in numeric order (addresses over 128.0.0.0 included)")
    void hostsInOrder() throws IOException {
      Document doc = report(RESULTS);
      assertThat(elements(doc, "/nmaprun/host/address"))
          .extracting(e -> e.getAttribute("addr") + "/" + e.getAttribute("addrtype"))
          .containsExactly("10.1.2.3/ipv4", "198.18.0.10/ipv4", "198.18.0.99/ipv4", "203.0.113.5/ipv4");
    }

    @Test
    @DisplayName("a host that answered is up, with the reason and TTL of a SYN-ACK when one was seen")
    void hostStatus() throws IOException {
      Document doc = report(RESULTS);
      String host = "/nmaprun/host[address/@addr='198.18.0.10']";
      assertThat(text(doc, host + "/status/@state")).isEqualTo("up");
      assertThat(text(doc, host + "/status/@reason")).isEqualTo("syn-ack");
      assertThat(text(doc, host + "/status/@reason_ttl")).isEqualTo("64");
      assertThat(text(doc, "/nmaprun/host[address/@addr='10.1.2.3']/status/@state")).isEqualTo("up");
      assertThat(text(doc, "/nmaprun/host[address/@addr='10.1.2.3']/status/@reason")).isEqualTo("reset");
    }

    @Test
    @DisplayName("a host where every port went unanswered is not claimed to be up")
    void silentHost() throws IOException {
      Document doc = report(RESULTS);
      assertThat(text(doc, "/nmaprun/host[address/@addr='198.18.0.99']/status/@state")).isEqualTo("unknown");
    }

    @Test
    @DisplayName("ports sorted by number, each with protocol, state, reason, reason_ttl and service name")
    void ports() throws IOException {
      Document doc = report(RESULTS);
      List<Element> ports = elements(doc, "/nmaprun/host[address/@addr='198.18.0.10']/ports/port");
      assertThat(ports)
          .extracting(p -> p.getAttribute("protocol") + "/" + p.getAttribute("portid"))
          .containsExactly("tcp/22", "tcp/81", "tcp/443", "tcp/40123");
      String port22 = "/nmaprun/host[address/@addr='198.18.0.10']/ports/port[@portid='22']";
      assertThat(text(doc, port22 + "/state/@state")).isEqualTo("open");
      assertThat(text(doc, port22 + "/state/@reason")).isEqualTo("syn-ack");
      assertThat(text(doc, port22 + "/state/@reason_ttl")).isEqualTo("64");
      assertThat(text(doc, port22 + "/service/@name")).isEqualTo("ssh");
      assertThat(text(doc, port22 + "/service/@method")).isEqualTo("table");
      String port81 = "/nmaprun/host[address/@addr='198.18.0.10']/ports/port[@portid='81']";
      assertThat(text(doc, port81 + "/state/@state")).isEqualTo("closed");
      assertThat(text(doc, port81 + "/state/@reason")).isEqualTo("reset");
      assertThat(text(doc, port81 + "/state/@reason_ttl")).isEqualTo("0");
      assertThat(text(doc, port81 + "/service/@name")).isEqualTo("http");
      String port40123 = "/nmaprun/host[address/@addr='198.18.0.10']/ports/port[@portid='40123']";
      assertThat(text(doc, port40123 + "/state/@state")).isEqualTo("filtered");
      assertThat(text(doc, port40123 + "/state/@reason")).isEqualTo("no-response");
      assertThat(text(doc, port40123 + "/service/@name")).isEqualTo("unknown");
      assertThat(text(doc, "/nmaprun/host[address/@addr='203.0.113.5']/ports/port/service/@name"))
          .isEqualTo("http-proxy");
    }

    @Test
    @DisplayName("a host's start and end times span its results")
    void hostTimes() throws IOException {
      Document doc = report(RESULTS);
      String host = "/nmaprun/host[address/@addr='198.18.0.10']";
      assertThat(Long.parseLong(text(doc, host + "/@starttime"))).isEqualTo(ReportFixtures.AT / 1000);
      assertThat(Long.parseLong(text(doc, host + "/@endtime"))).isEqualTo((ReportFixtures.AT + 3000) / 1000);
    }

    @Test
    @DisplayName("runstats: finished time, elapsed seconds, exit success, a summary and host counts")
    void runstats() throws IOException {
      Document doc = report(RESULTS);
      assertThat(text(doc, "/nmaprun/runstats/finished/@time")).isEqualTo(Long.toString(FINISHED.getEpochSecond()));
      assertThat(text(doc, "/nmaprun/runstats/finished/@elapsed")).isEqualTo("42.50");
      assertThat(text(doc, "/nmaprun/runstats/finished/@exit")).isEqualTo("success");
      assertThat(text(doc, "/nmaprun/runstats/finished/@summary"))
          .isEqualTo("Portolan done: 1024 targets, 3 open, 2 closed, 2 filtered");
      assertThat(text(doc, "/nmaprun/runstats/hosts/@total")).isEqualTo("4");
    }

    @Test
    @DisplayName("with the scope's host count, runstats count every host scanned: total, and down those that did not answer")
    void runstatsOverTheScope() throws IOException {
      ScanInfo scope = new ScanInfo("portolan scan 198.18.0.0/24 -p 22,80", "syn", dev.portolan.control.target.PortSet.parse("22,80"),
          ReportFixtures.STARTED, "0.1.0-test", 256);
      Document doc = NmapDtd.validate(render(OutputFormat.XML, scope, RESULTS, summary(3, 2, 2, true, 512)));
      assertThat(text(doc, "/nmaprun/runstats/hosts/@total")).isEqualTo("256");
      assertThat(text(doc, "/nmaprun/runstats/hosts/@up")).isEqualTo("3");
      assertThat(text(doc, "/nmaprun/runstats/hosts/@down")).isEqualTo("253");
    }

    @Test
    @DisplayName("an interrupted scan ends with exit error and a message that says how to resume, valid by nmap's DTD")
    void interrupted() throws IOException {
      String xml = render(OutputFormat.XML, info("portolan scan 198.18.0.0/22 -p 80", "syn"), RESULTS, summary(3, 2, 2, false, 517));
      Document doc = NmapDtd.validate(xml);
      assertThat(text(doc, "/nmaprun/runstats/finished/@exit")).isEqualTo("error");
      assertThat(text(doc, "/nmaprun/runstats/finished/@errormsg")).contains("--resume-index 517");
      assertThat(text(doc, "/nmaprun/runstats/finished/@summary")).contains("interrupted; resume index 517");
    }

    @Test
    @DisplayName("runstats counts as up only the hosts whose status is up")
    void hostsUpCountsOnlyUpHosts() throws IOException {
      Document doc = report(RESULTS);
      int up = elements(doc, "/nmaprun/host[status/@state='up']").size();
      assertThat(up).isEqualTo(3);
      assertThat(text(doc, "/nmaprun/runstats/hosts/@up")).isEqualTo(Integer.toString(up));
    }
  }

  @Nested
  @DisplayName("escapes special characters")
  class Escaping {
    @Test
    @DisplayName("in args: < > & \" ' come back exactly and the raw text holds no bare markup")
    void args() throws IOException {
      String args = "portolan scan 198.18.0.1 -p 80 --note \"<a href='x'>&amp; co</a>\" & echo >/dev/null";
      String xml = render(OutputFormat.XML, info(args, "syn"), RESULTS, summary(3, 2, 2, true, 1024));
      Document doc = NmapDtd.validate(xml);
      assertThat(text(doc, "/nmaprun/@args")).isEqualTo(args);
      assertThat(xml).doesNotContain("<a href").contains("&lt;a href");
    }

    @Test
    @DisplayName("in reasons and versions, with non-ASCII text kept as UTF-8")
    void otherAttributes() throws IOException {
      PortResult odd =
          new PortResult(
              dev.portolan.control.target.Ipv4.parse("198.18.0.1"),
              22,
              dev.portolan.scanner.engine.PortState.CLOSED,
              "reset \"<by firewall>\" & ünïcödé",
              null,
              ReportFixtures.AT);
      ScanInfo info =
          new ScanInfo("x", "syn", dev.portolan.control.target.PortSet.of(22), STARTED, "1.0 <\"beta\"> & co");
      Document doc = NmapDtd.validate(render(OutputFormat.XML, info, List.of(odd), summary(0, 1, 0, true, 1)));
      assertThat(text(doc, "/nmaprun/host/ports/port/state/@reason")).isEqualTo("reset \"<by firewall>\" & ünïcödé");
      assertThat(text(doc, "/nmaprun/@version")).isEqualTo("1.0 <\"beta\"> & co");
    }
  }
}
