package dev.portolan.control.netpol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The NetworkPolicy evaluator against a truth table kept as data: {@code netpol/world.yaml}
 * describes namespaces, nodes and pods (upstream's x/y/z namespaces with pods a/b/c serving
 * ports 80 and 81 on TCP, UDP and SCTP), and each {@code netpol/*.cases.yaml} file holds groups:
 * a set of policies (and optionally extra pods or namespaces) with the connections to check, each
 * with its verdict and the reason in words. A case names its ends as {@code ns/pod},
 * {@code node:NAME} (the node's own network, or a host-network pod) or {@code ip:ADDRESS} (outside
 * the cluster).
 */
@DisplayName("NetworkPolicy truth table")
class NetworkPolicyTruthTableTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final List<String> FILES = List.of(
      "basics", "selectors", "namespaces", "ports", "egress", "ipblocks", "stacking", "protocols", "special");

  record Case(String file, String group, JsonNode world, JsonNode groupNode, JsonNode c) {
    @Override
    public String toString() {
      return file + " / " + group + ": " + c.path("from").asText() + " -> " + c.path("to").asText() + ":" + c.path("port").asText()
          + "/" + c.path("protocol").asText("TCP");
    }
  }

  static Stream<Arguments> cases() {
    return allCases().stream().map(c -> Arguments.of(c.toString(), c));
  }

  static List<Case> allCases() {
    JsonNode world = read("netpol/world.yaml");
    List<Case> out = new ArrayList<>();
    for (String f : FILES) {
      JsonNode file = read("netpol/" + f + ".cases.yaml");
      for (JsonNode g : file.path("groups")) {
        for (JsonNode c : g.path("cases")) {
          out.add(new Case(f, g.path("name").asText(), world, g, c));
        }
      }
    }
    return out;
  }

  @Test
  @DisplayName("holds at least 150 cases, every one with its reason, allowed and denied both well represented")
  void enoughCases() {
    List<Case> all = allCases();
    assertThat(all).hasSizeGreaterThanOrEqualTo(150);
    assertThat(all).allSatisfy(c -> assertThat(c.c().path("why").asText()).as("%s has a reason", c).isNotBlank());
    long allowed = all.stream().filter(c -> c.c().path("allowed").asBoolean()).count();
    assertThat(allowed).isBetween(all.size() / 4L, all.size() * 3L / 4);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void verdict(String name, Case k) {
    Map<String, Map<String, String>> namespaces = namespaces(k.world(), k.groupNode());
    Map<String, Peer> peers = peers(k.world(), k.groupNode());
    List<NetworkPolicy> policies = new ArrayList<>();
    for (JsonNode p : k.groupNode().path("policies")) {
      policies.add(YAML.convertValue(p, NetworkPolicy.class));
    }
    var evaluator = new NetworkPolicyEvaluator(policies, ns -> namespaces.getOrDefault(ns, Map.of("kubernetes.io/metadata.name", ns)));
    JsonNode c = k.c();
    Peer from = peer(c.path("from").asText(), peers, k);
    Peer to = peer(c.path("to").asText(), peers, k);
    String protocol = c.path("protocol").asText("TCP");
    Verdict v = evaluator.evaluate(from, to, protocol);
    int port = c.path("port").asInt();
    assertThat(v.allows(port)).as("%s: %s (verdict %s)", k, c.path("why").asText(), v).isEqualTo(c.path("allowed").asBoolean());
    if (c.has("ingressIsolatedBy")) {
      assertThat(v.ingressIsolatedBy()).as("ingress isolated by").containsExactlyElementsOf(list(c.path("ingressIsolatedBy")));
    }
    if (c.has("egressIsolatedBy")) {
      assertThat(v.egressIsolatedBy()).as("egress isolated by").containsExactlyElementsOf(list(c.path("egressIsolatedBy")));
    }
    if (!c.path("allowed").asBoolean()) {
      assertThat(v.whyDenied(port, from.describe(), to.describe())).as("a denial says why").containsPattern("NetworkPolicy .+ isolates? ").contains("port " + port);
    }
  }

  private static Peer peer(String ref, Map<String, Peer> peers, Case k) {
    if (ref.startsWith("ip:")) {
      return Peer.external(ref.substring(3));
    }
    Peer p = peers.get(ref);
    assertThat(p).as("%s names %s, which the world does not hold", k, ref).isNotNull();
    return p;
  }

  private static Map<String, Map<String, String>> namespaces(JsonNode world, JsonNode group) {
    Map<String, Map<String, String>> out = new HashMap<>();
    for (JsonNode source : List.of(world.path("namespaces"), group.path("namespaces"))) {
      source.properties().forEach(e -> {
        Map<String, String> labels = new LinkedHashMap<>(strings(e.getValue()));
        labels.put("kubernetes.io/metadata.name", e.getKey());
        out.put(e.getKey(), labels);
      });
    }
    return out;
  }

  private static Map<String, Peer> peers(JsonNode world, JsonNode group) {
    Map<String, Peer> out = new HashMap<>();
    for (JsonNode source : List.of(world.path("nodes"), group.path("nodes"))) {
      source.properties().forEach(e -> out.put("node:" + e.getKey(), Peer.node(e.getKey(), e.getValue().asText())));
    }
    Map<String, String> defaultPorts = strings(world.path("defaultPorts"));
    for (JsonNode source : List.of(world.path("pods"), group.path("pods"))) {
      source.properties().forEach(e -> {
        String[] nsName = e.getKey().split("/", 2);
        JsonNode p = e.getValue();
        Map<String, String> declared = p.has("ports") ? strings(p.path("ports")) : defaultPorts;
        Map<String, Map<String, Integer>> ports = new HashMap<>();
        declared.forEach((portName, spec) -> {
          String[] numberProto = spec.split("/", 2);
          ports.computeIfAbsent(numberProto.length > 1 ? numberProto[1] : "TCP", x -> new HashMap<>())
              .put(portName, Integer.parseInt(numberProto[0]));
        });
        Map<String, String> labels = p.has("labels") ? strings(p.path("labels")) : Map.of("pod", nsName[1]);
        if (p.path("hostNetwork").asBoolean()) {
          out.put(e.getKey(), Peer.node(p.path("node").asText(), p.path("ip").asText()));
        } else {
          out.put(e.getKey(), Peer.pod(nsName[0], nsName[1], labels, p.path("ip").asText(), p.path("node").asText(null), ports));
        }
      });
    }
    return out;
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> out = new LinkedHashMap<>();
    object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static List<String> list(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static JsonNode read(String resource) {
    try (InputStream in = NetworkPolicyTruthTableTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      return YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
