package dev.portolan.scanner.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every match rule against replies of real servers (recorded here from Debian packages) or, where
 * no server could be run, replies written from the protocol's specification: {@code
 * src/test/resources/probe/samples.yaml} says which is which and what each must be identified as.
 */
@DisplayName("match rules against recorded replies")
class ReplyRulesTest {
  private static final ProbeDatabase DB = ProbeDatabase.builtIn();

  record Sample(String file, String probe, int port, String origin, Map<String, String> expect, List<String> details) {
    byte[] bytes() throws IOException {
      try (InputStream in = ReplyRulesTest.class.getResourceAsStream("/probe/" + file)) {
        assertThat(in).as(file).isNotNull();
        return in.readAllBytes();
      }
    }
  }

  static List<Sample> samples() throws IOException {
    try (InputStream in = ReplyRulesTest.class.getResourceAsStream("/probe/samples.yaml")) {
      return new ObjectMapper(new YAMLFactory()).readValue(in, new TypeReference<List<Sample>>() {});
    }
  }

  @TestFactory
  @DisplayName("each reply is identified as its sample says")
  Stream<DynamicTest> eachSample() throws IOException {
    return samples().stream()
        .map(
            s ->
                DynamicTest.dynamicTest(
                    s.file() + " -> " + s.expect().get("rule"),
                    () -> {
                      byte[] reply = s.bytes();
                      Optional<ServiceMatch> m = DB.match(s.probe(), s.port(), reply, reply.length);
                      assertThat(m).as("a rule matches %s (%s)", s.file(), Evidence.excerpt(reply, reply.length)).isPresent();
                      ServiceMatch match = m.orElseThrow();
                      for (Map.Entry<String, String> e : s.expect().entrySet()) {
                        String actual =
                            switch (e.getKey()) {
                              case "rule" -> match.rule().id();
                              case "service" -> match.service();
                              case "product" -> match.product();
                              case "version" -> match.version();
                              case "hostname" -> match.hostname();
                              case "os" -> match.os();
                              case "info" -> match.info();
                              default -> throw new AssertionError("unknown expectation " + e.getKey());
                            };
                        if (e.getKey().equals("info")) {
                          assertThat(actual).as("info of %s", s.file()).contains(e.getValue());
                        } else {
                          assertThat(actual).as("%s of %s", e.getKey(), s.file()).isEqualTo(e.getValue());
                        }
                      }
                      String details = DB.details(match.service(), reply, reply.length);
                      for (String d : s.details() == null ? List.<String>of() : s.details()) {
                        assertThat(details).as("details of %s", s.file()).contains(d);
                      }
                      for (String cpe : match.cpe()) {
                        assertThat(cpe.split(":", -1)).as(cpe).hasSize(13);
                      }
                    }));
  }

  @Test
  @DisplayName("every built-in rule is backed by at least one reply")
  void everyRuleIsCovered() throws IOException {
    Set<String> covered = samples().stream().map(s -> s.expect().get("rule")).collect(Collectors.toSet());
    Set<String> rules = DB.rules().stream().map(MatchRule::id).collect(Collectors.toCollection(TreeSet::new));
    rules.removeAll(covered);
    assertThat(rules).as("rules without a sample").isEmpty();
  }

  @Test
  @DisplayName("every sample says where it comes from; the recordings of real servers stay at least 40")
  void origins() throws IOException {
    List<Sample> all = samples();
    long recorded = all.stream().filter(s -> s.origin().startsWith("recorded")).count();
    assertThat(all).allSatisfy(s -> assertThat(s.origin()).matches("(recorded|constructed) .+"));
    assertThat(recorded).as("recorded samples").isGreaterThanOrEqualTo(40);
  }
}
