package dev.portolan.control.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("label selectors")
class LabelSelectorsTest {
  private static final Map<String, String> WEB = Map.of("app", "web", "tier", "front");

  private static LabelSelectorRequirement req(String key, String operator, String... values) {
    return new LabelSelectorRequirement(key, operator, values.length == 0 ? null : List.of(values));
  }

  private static LabelSelector selector(Map<String, String> matchLabels, LabelSelectorRequirement... expressions) {
    return new LabelSelectorBuilder().withMatchLabels(matchLabels).withMatchExpressions(expressions).build();
  }

  @Nested
  @DisplayName("match labels as the API server does")
  class Matching {
    @Test
    @DisplayName("a null or empty selector matches everything, even an object without labels")
    void empty() {
      assertThat(LabelSelectors.matches(null, null)).isTrue();
      assertThat(LabelSelectors.matches(new LabelSelector(), null)).isTrue();
      assertThat(LabelSelectors.matches(selector(Map.of()), WEB)).isTrue();
    }

    @Test
    @DisplayName("every matchLabels pair must hold")
    void matchLabels() {
      assertThat(LabelSelectors.matches(selector(Map.of("app", "web", "tier", "front")), WEB)).isTrue();
      assertThat(LabelSelectors.matches(selector(Map.of("app", "web", "tier", "back")), WEB)).isFalse();
      assertThat(LabelSelectors.matches(selector(Map.of("app", "web")), null)).isFalse();
    }

    @Test
    @DisplayName("In, NotIn, Exists and DoesNotExist, a missing key satisfying NotIn and DoesNotExist only")
    void expressions() {
      assertThat(LabelSelectors.matches(selector(null, req("app", "In", "web", "api")), WEB)).isTrue();
      assertThat(LabelSelectors.matches(selector(null, req("app", "In", "api")), WEB)).isFalse();
      assertThat(LabelSelectors.matches(selector(null, req("zone", "In", "z1")), WEB)).isFalse();
      assertThat(LabelSelectors.matches(selector(null, req("app", "NotIn", "api")), WEB)).isTrue();
      assertThat(LabelSelectors.matches(selector(null, req("app", "NotIn", "web")), WEB)).isFalse();
      assertThat(LabelSelectors.matches(selector(null, req("zone", "NotIn", "z1")), WEB)).isTrue();
      assertThat(LabelSelectors.matches(selector(null, req("tier", "Exists")), WEB)).isTrue();
      assertThat(LabelSelectors.matches(selector(null, req("zone", "Exists")), WEB)).isFalse();
      assertThat(LabelSelectors.matches(selector(null, req("zone", "DoesNotExist")), WEB)).isTrue();
      assertThat(LabelSelectors.matches(selector(null, req("tier", "DoesNotExist")), WEB)).isFalse();
    }

    @Test
    @DisplayName("matchLabels and every expression must all hold; an unknown operator never matches")
    void allMustHold() {
      assertThat(LabelSelectors.matches(selector(Map.of("app", "web"), req("tier", "Exists"), req("zone", "DoesNotExist")), WEB))
          .isTrue();
      assertThat(LabelSelectors.matches(selector(Map.of("app", "web"), req("tier", "Exists"), req("app", "NotIn", "web")), WEB))
          .isFalse();
      assertThat(LabelSelectors.matches(selector(null, req("app", "Matches", "w.*")), WEB)).isFalse();
    }
  }

  @Nested
  @DisplayName("say what is wrong with a selector")
  class Problems {
    @Test
    @DisplayName("nothing for a valid selector or none")
    void valid() {
      assertThat(LabelSelectors.problem((LabelSelector) null)).isEmpty();
      assertThat(LabelSelectors.problem(selector(Map.of("app", "web"), req("app", "In", "web"), req("tier", "Exists")))).isEmpty();
    }

    @Test
    @DisplayName("a requirement without a key, In/NotIn without values, Exists/DoesNotExist with values, an unknown operator")
    void invalid() {
      assertThat(LabelSelectors.problem(req(" ", "Exists"))).contains("a matchExpressions requirement needs a key");
      assertThat(LabelSelectors.problem(req("app", "In"))).contains("operator In on 'app' needs at least one value");
      assertThat(LabelSelectors.problem(req("app", "NotIn"))).contains("operator NotIn on 'app' needs at least one value");
      assertThat(LabelSelectors.problem(req("app", "Exists", "web"))).contains("operator Exists on 'app' takes no values");
      assertThat(LabelSelectors.problem(req("app", "DoesNotExist", "web"))).contains("operator DoesNotExist on 'app' takes no values");
      assertThat(LabelSelectors.problem(req("app", "Gt", "1"))).hasValueSatisfying(m -> assertThat(m).contains("'Gt'"));
      assertThat(LabelSelectors.problem(selector(null, req("tier", "Exists"), req("app", "In")))).isPresent();
    }
  }

  @Test
  @DisplayName("describe a selector in kubectl's -l notation, matchLabels sorted")
  void describe() {
    assertThat(LabelSelectors.describe(selector(Map.of("tier", "front", "app", "web"),
        req("zone", "In", "z1", "z2"), req("env", "NotIn", "dev"), req("owner", "Exists"), req("legacy", "DoesNotExist"))))
        .isEqualTo("app=web,tier=front,zone in (z1,z2),env notin (dev),owner,!legacy");
    assertThat(LabelSelectors.describe(new LabelSelector())).isEqualTo("{} (everything)");
    assertThat(LabelSelectors.describe(null)).isEqualTo("(none)");
  }
}
