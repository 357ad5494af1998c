package dev.portolan.scanner.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portolan.scanner.lab.services.Dpkg;
import dev.portolan.scanner.lab.services.LabServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Not a test: the validation benchmark (e2e/bench/validate-bench.sh runs it). One lab, fourteen
 * real Debian services, then {@code nmap -sV} and {@code portolan validate} on the same endpoints
 * in the same run; prints time and accuracy (service, product, version as the installed package
 * discloses it) for each, and writes the table to target/validation-bench.md. It asserts nothing
 * about speed; failsafe runs it only when named.
 */
@ExtendWith(LabExtension.class)
class ValidationBenchmark {
  /** endpoint -> {service family, product word, Debian package whose upstream version is disclosed, or "" when hidden}. */
  static final Map<String, String[]> EXPECTED = new LinkedHashMap<>();

  static {
    EXPECTED.put("198.18.0.20:80", new String[] {"http", "nginx", "nginx"});
    EXPECTED.put("198.18.0.20:443", new String[] {"http", "nginx", "nginx"});
    EXPECTED.put("198.18.0.20:9443", new String[] {"http", "nginx", "nginx"});
    EXPECTED.put("198.18.0.21:22", new String[] {"ssh", "OpenSSH", "openssh-server"});
    EXPECTED.put("198.18.0.21:2222", new String[] {"ssh", "OpenSSH", "openssh-server"});
    EXPECTED.put("198.18.0.22:6379", new String[] {"redis", "Redis", "redis-server"});
    EXPECTED.put("198.18.0.22:16379", new String[] {"redis", "Redis", "redis-server"});
    EXPECTED.put("198.18.0.23:11211", new String[] {"memcache", "Memcached", "memcached"});
    EXPECTED.put("198.18.0.24:21", new String[] {"ftp", "vsftpd", "vsftpd"});
    EXPECTED.put("198.18.0.25:5432", new String[] {"postgresql", "PostgreSQL", ""});
    EXPECTED.put("198.18.0.26:1883", new String[] {"mqtt", "Mosquitto", "mosquitto"});
    EXPECTED.put("198.18.0.27:110", new String[] {"pop3", "Dovecot", ""});
    EXPECTED.put("198.18.0.27:143", new String[] {"imap", "Dovecot", ""});
    EXPECTED.put("198.18.0.27:993", new String[] {"imap", "Dovecot", ""});
  }

  record Score(String tool, double seconds, int services, int products, int versions, int disclosed) {}

  @Test
  void compareWithNmap(Lab lab) throws Exception {
    try (LabServices s = new LabServices(lab.targetNamespace(), lab.workDirectory())) {
      s.nginx("198.18.0.20", 80, 443, 9443);
      s.sshd("198.18.0.21", 22, 2222);
      s.redis("198.18.0.22", 6379);
      s.redis("198.18.0.22", 16379);
      s.memcached("198.18.0.23", 11211);
      s.vsftpd("198.18.0.24", 21);
      s.postgresql("198.18.0.25", 5432);
      s.mosquitto("198.18.0.26", 1883);
      s.dovecot("198.18.0.27", 110, 143, 993, 0);

      Map<String, String> versions = new LinkedHashMap<>();
      for (String[] e : EXPECTED.values()) {
        if (!e[2].isEmpty()) {
          versions.put(e[2], Dpkg.upstream(Dpkg.version(e[2])));
        }
      }

      List<String> args = new ArrayList<>(List.of("validate"));
      args.addAll(EXPECTED.keySet());
      args.addAll(List.of("--format", "ndjson"));
      long t0 = System.nanoTime();
      Lab.Run ours = lab.portolan(args.toArray(String[]::new));
      double oursSeconds = (System.nanoTime() - t0) / 1e9;
      Map<String, String[]> ourResults = new LinkedHashMap<>();
      ObjectMapper json = new ObjectMapper();
      for (String line : ours.stdout().lines().toList()) {
        JsonNode r = json.readTree(line);
        if ("port".equals(r.path("type").asText())) {
          String service = r.path("service").asText() + ("ssl".equals(r.path("tunnel").asText()) ? "/ssl" : "");
          ourResults.put(r.path("ip").asText() + ":" + r.path("port").asInt(),
              new String[] {service, r.path("product").asText(), r.path("version").asText()});
          System.out.println("portolan " + r.path("ip").asText() + ":" + r.path("port").asInt() + " took " + r.path("validationSeconds").asText() + " s");
        }
      }

      Path xml = lab.workDirectory().resolve("nmap.xml");

      Map<String, List<String>> portsByHost = new LinkedHashMap<>();
      for (String ep : EXPECTED.keySet()) {
        portsByHost.computeIfAbsent(ep.substring(0, ep.indexOf(':')), k -> new ArrayList<>()).add(ep.substring(ep.indexOf(':') + 1));
      }
      List<String> ports = portsByHost.values().stream().flatMap(List::stream).distinct().toList();
      long t1 = System.nanoTime();
      List<String> nmap = new ArrayList<>(List.of("nmap", "-sV", "-Pn", "-n", "-p", String.join(",", ports), "-oX", xml.toString()));
      nmap.addAll(portsByHost.keySet());
      Lab.Run theirs = lab.inScanner(nmap.toArray(String[]::new));
      double nmapSeconds = (System.nanoTime() - t1) / 1e9;
      Map<String, String[]> nmapResults = parseNmap(Files.exists(xml) ? Files.readString(xml) : "");


      Score a = score("portolan", oursSeconds, ourResults, versions);
      Score b = score("nmap -sV", nmapSeconds, nmapResults, versions);
      StringBuilder table = new StringBuilder();
      table.append("| tool | wall time | services right | products right | versions right (of those disclosed) |\n");
      table.append("|---|---|---|---|---|\n");
      for (Score x : List.of(a, b)) {
        table.append(String.format(Locale.ROOT, "| %s | %.1f s | %d/%d | %d/%d | %d/%d |%n",
            x.tool(), x.seconds(), x.services(), EXPECTED.size(), x.products(), EXPECTED.size(), x.versions(), x.disclosed()));
      }
      table.append(String.format(Locale.ROOT, "%nPortolan was %.1fx faster than nmap -sV in this run.%n", nmapSeconds / oursSeconds));
      table.append("\n| endpoint | expected | portolan | nmap -sV |\n|---|---|---|---|\n");
      for (Map.Entry<String, String[]> e : EXPECTED.entrySet()) {
        String[] exp = e.getValue();
        String v = exp[2].isEmpty() ? "(not disclosed)" : versions.get(exp[2]);
        table.append("| ").append(e.getKey()).append(" | ").append(exp[0]).append(" ").append(exp[1]).append(" ").append(v)
            .append(" | ").append(show(ourResults.get(e.getKey()))).append(" | ").append(show(nmapResults.get(e.getKey()))).append(" |\n");
      }
      System.out.println(table);
      Files.writeString(Path.of("target/validation-bench.md"), table.toString());
    }
  }

  static String show(String[] r) {
    return r == null ? "(none)" : String.join(" ", r).strip();
  }

  static Score score(String tool, double seconds, Map<String, String[]> results, Map<String, String> versions) {
    int services = 0;
    int products = 0;
    int right = 0;
    int disclosed = 0;
    for (Map.Entry<String, String[]> e : EXPECTED.entrySet()) {
      String[] exp = e.getValue();
      String[] got = results.get(e.getKey());
      if (!exp[2].isEmpty()) {
        disclosed++;
      }
      if (got == null) {
        continue;
      }
      String service = got[0].toLowerCase(Locale.ROOT);
      if (service.contains(exp[0]) || (exp[0].equals("http") && service.contains("https"))
          || (exp[0].equals("imap") && service.contains("imaps"))) {
        services++;
      }
      if (got[1].toLowerCase(Locale.ROOT).contains(exp[1].toLowerCase(Locale.ROOT))) {
        products++;
      }
      if (!exp[2].isEmpty() && !got[2].isEmpty() && got[2].startsWith(versions.get(exp[2]))) {
        right++;
      }
    }
    return new Score(tool, seconds, services, products, right, disclosed);
  }


  static Map<String, String[]> parseNmap(String xml) {
    Map<String, String[]> out = new LinkedHashMap<>();
    String host = null;
    for (String piece : xml.split("(?=<address |<port )")) {
      Matcher a = Pattern.compile("^<address addr=\"([^\"]+)\"").matcher(piece);
      if (a.find()) {
        host = a.group(1);
        continue;
      }
      Matcher p = Pattern.compile("^<port protocol=\"tcp\" portid=\"(\\d+)\"").matcher(piece);
      if (p.find() && host != null) {
        Matcher svc = Pattern.compile("<service ([^>]*?)/?>").matcher(piece);
        if (svc.find()) {
          String attrs = svc.group(1);
          String tunnel = attr(attrs, "tunnel");
          out.put(host + ":" + p.group(1), new String[] {
              (tunnel.isEmpty() ? "" : tunnel + "/") + attr(attrs, "name"), attr(attrs, "product"), attr(attrs, "version")});
        }
      }
    }
    return out;
  }

  static String attr(String attrs, String name) {
    Matcher m = Pattern.compile("\\b" + name + "=\"([^\"]*)\"").matcher(attrs);
    return m.find() ? m.group(1) : "";
  }
}
