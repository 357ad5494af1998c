package dev.portolan.scanner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portolan.crds.v1alpha1.RunPhase;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.crds.v1alpha1.ScanReportPageSpec;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * {@code portolan run -f policy.yaml} against this host's loopback (connect probes, no privileges
 * needed): the ScanReports it prints are the cluster's, built by the same guard, plan, engine,
 * validation, paging and aggregation.
 */
@DisplayName("portolan run")
class RunCommandTest {
  /** The ScanReports of a run's YAML (the run's report first). */
  static List<ScanReport> reports(String yaml) throws Exception {
    return docs(yaml, "ScanReport", ScanReport.class);
  }

  /** Its ScanReportPages (index pages, then findings pages). */
  static List<ScanReportPage> pages(String yaml) throws Exception {
    return docs(yaml, "ScanReportPage", ScanReportPage.class);
  }

  private static <T> List<T> docs(String yaml, String kind, Class<T> type) throws Exception {
    ObjectMapper mapper = RunCommand.yaml();
    List<T> out = new ArrayList<>();
    try (var parser = mapper.getFactory().createParser(yaml)) {
      var it = mapper.readValues(parser, com.fasterxml.jackson.databind.JsonNode.class);
      while (it.hasNext()) {
        var doc = it.next();
        if (kind.equals(doc.path("kind").asText())) {
          out.add(mapper.treeToValue(doc, type));
        }
      }
    }
    return out;
  }

  static Path policy(Path dir, String name, String spec) throws Exception {
    Path f = dir.resolve(name + ".yaml");
    Files.writeString(f, "apiVersion: portolan.dev/v1alpha1\nkind: ScanPolicy\nmetadata:\n  name: " + name + "\nspec:\n" + spec);
    return f;
  }

  @Test
  @DisplayName("prints a Succeeded report with audit record, findings, violations, and a diff against --previous")
  void runsAPolicy(@TempDir Path dir) throws Exception {
    ServerSocket b = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    try (ServerSocket a = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Path p = policy(dir, "local", """
            purpose: test the local mode
            requestedBy: tests
            approval: TICKET-1
            targets:
              cidrs: ["127.0.0.1"]
            ports: "%d,%d,1-20"
            rate: 5000
            retries: 0
            waitSeconds: 1
            validation: {timeoutSeconds: 1}
            expectations:
              allowed:
                - ports: "%d"
          """.formatted(a.getLocalPort(), b.getLocalPort(), a.getLocalPort()));
      Path first = dir.resolve("first.yaml");
      CliRun run = CliRun.of("run", "-f", p.toString(), "-o", first.toString(), "-q");
      assertThat(run.exitCode()).as(run.stderr()).isZero();

      String text = Files.readString(first);
      List<ScanReport> docs = reports(text);
      assertThat(docs).as("one run, one ScanReport").hasSize(1);
      ScanReport main = docs.get(0);
      assertThat(main.getMetadata().getName()).startsWith("local-local-");
      assertThat(main.getStatus().phase()).isEqualTo(RunPhase.Succeeded);
      assertThat(main.getSpec().audit().purpose()).isEqualTo("test the local mode");
      assertThat(main.getSpec().audit().approval()).isEqualTo("TICKET-1");
      assertThat(main.getSpec().audit().policySpecHash()).startsWith("sha256:");
      assertThat(main.getSpec().audit().guard().alwaysExcluded()).contains("169.254.0.0/16");
      assertThat(main.getStatus().summary().open()).isEqualTo(2);
      assertThat(main.getStatus().summary().violations()).isEqualTo(1);
      assertThat(main.getStatus().violations()).extracting(v -> v.port()).containsExactly(b.getLocalPort());
      List<ScanReportPage> pages = pages(text);
      assertThat(pages).singleElement().satisfies(pg -> {
        assertThat(pg.getSpec().contents()).isEqualTo(ScanReportPageSpec.FINDINGS);
        assertThat(pg.getSpec().run()).isEqualTo(main.getMetadata().getName());
        assertThat(pg.getSpec().findings()).extracting(f -> f.port()).containsExactlyInAnyOrder(a.getLocalPort(), b.getLocalPort());
      });

      b.close();
      CliRun again = CliRun.of("run", "-f", p.toString(), "--previous", first.toString(), "-q", "--fail-on-violation");
      assertThat(again.exitCode()).as(again.stderr()).isZero();
      ScanReport second = reports(again.stdout()).get(0);
      assertThat(second.getStatus().diff().removed()).extracting(e -> e.port()).containsExactly(b.getLocalPort());
      assertThat(second.getStatus().summary().closedExposures()).isEqualTo(1);
    } finally {
      b.close();
    }
  }

  @Test
  @DisplayName("--fail-on-violation exits 3 when something open is not allowed")
  void failOnViolation(@TempDir Path dir) throws Exception {
    ServerSocket a = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    try {
      Path p = policy(dir, "segmentation", """
            purpose: nothing may listen here
            targets: {cidrs: ["127.0.0.1"]}
            ports: "%d"
            retries: 0
            waitSeconds: 1
            validation: {enabled: false}
            expectations: {allowed: []}
          """.formatted(a.getLocalPort()));
      CliRun run = CliRun.of("run", "-f", p.toString(), "-q", "--fail-on-violation");
      assertThat(run.exitCode()).isEqualTo(3);
      assertThat(reports(run.stdout()).get(0).getStatus().violations().get(0).reason()).contains("nothing may be exposed");
    } finally {
      a.close();
    }
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> badPolicies() {
    return java.util.stream.Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("outside the guard", "targets: {cidrs: [\"8.8.8.0/24\"]}\n  purpose: p\n  ports: \"53\"", "OutsideAllowedScope"),
        org.junit.jupiter.params.provider.Arguments.of("metadata address only", "targets: {cidrs: [\"169.254.169.254\"]}\n  purpose: p\n  ports: \"80\"", "EmptyScope"),
        org.junit.jupiter.params.provider.Arguments.of("cluster selector", "targets: {nodes: {matchLabels: {a: b}}}\n  purpose: p\n  ports: \"80\"", "give the cluster with --objects FILE"),
        org.junit.jupiter.params.provider.Arguments.of("unknown field", "targets: {cidrs: [\"127.0.0.1\"]}\n  purpose: p\n  ports: \"80\"\n  colour: blue", "colour"),
        org.junit.jupiter.params.provider.Arguments.of("bad ports", "targets: {cidrs: [\"127.0.0.1\"]}\n  purpose: p\n  ports: \"99999\"", "InvalidPorts"));
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("badPolicies")
  void badPolicies(String what, String spec, String mentions, @TempDir Path dir) throws Exception {
    Path p = policy(dir, "bad", "  " + spec + "\n");
    CliRun run = CliRun.of("run", "-f", p.toString());
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(2);
    assertThat(run.stderr().lines()).hasSize(1);
    assertThat(run.stderr()).contains(mentions).doesNotContain("\tat ");
  }

  @Test
  @DisplayName("--guard: the cluster's guard file judges the policy as the operator would, grants and all")
  void clusterGuard(@TempDir Path dir) throws Exception {
    Path p = policy(dir, "cidrs", """
          purpose: a team's own check
          targets: {cidrs: ["127.0.0.1"]}
          ports: "9"
          validation: {enabled: false}
        """);
    Path confined = dir.resolve("guard.yaml");
    Files.writeString(confined, "allowedCidrs: [127.0.0.0/8]\nalwaysExcluded: []\n");
    CliRun refused = CliRun.of("run", "-f", p.toString(), "--guard", confined.toString(), "-q");
    assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(2);
    assertThat(refused.stderr().lines()).singleElement().asString()
        .contains("CidrsNotGranted").contains("namespace default may scan only its own pods and services")
        .contains("guard.namespaces");

    Path granted = dir.resolve("granted.yaml");
    Files.writeString(granted, """
        allowedCidrs: [127.0.0.0/8]
        alwaysExcluded: []
        namespaces:
          - name: default
            cidrs: [127.0.0.0/8]
        """);
    CliRun ok = CliRun.of("run", "-f", p.toString(), "--guard", granted.toString(), "-q");
    assertThat(ok.exitCode()).as(ok.stderr()).isZero();
    assertThat(reports(ok.stdout()).get(0).getSpec().scope().cidrs()).containsExactly("127.0.0.1");
  }
}
