package dev.portolan.control.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the label allow-list of targets")
class TargetLabelsTest {
  @Test
  @DisplayName("by default allows app.kubernetes.io/name, app.kubernetes.io/instance and app")
  void defaults() {
    assertThat(TargetLabels.defaults().keys()).containsExactly("app.kubernetes.io/name", "app.kubernetes.io/instance", "app");
  }

  @Test
  @DisplayName("picks only the allowed keys that are present, sorted by key")
  void picks() {
    Map<String, String> picked = new TargetLabels(List.of("tier", "app", "zone"))
        .pick(Map.of("app", "web", "tier", "front", "team", "payments"));
    assertThat(picked).containsExactly(Map.entry("app", "web"), Map.entry("tier", "front"));
  }

  @Test
  @DisplayName("gives nothing (null) for no labels, or none allowed; an empty allow-list allows nothing")
  void nothing() {
    assertThat(TargetLabels.defaults().pick(null)).isNull();
    assertThat(TargetLabels.defaults().pick(Map.of())).isNull();
    assertThat(TargetLabels.defaults().pick(Map.of("team", "payments"))).isNull();
    assertThat(new TargetLabels(List.of()).pick(Map.of("app", "web"))).isNull();
  }

  @Test
  @DisplayName("keeps its own copy of the keys: changing the list it was given changes nothing")
  void copiesKeys() {
    List<String> keys = new java.util.ArrayList<>(List.of("app"));
    TargetLabels labels = new TargetLabels(keys);
    keys.add("team");
    Map<String, String> all = new HashMap<>(Map.of("app", "web", "team", "payments"));
    assertThat(labels.pick(all)).containsOnlyKeys("app");
  }
}
