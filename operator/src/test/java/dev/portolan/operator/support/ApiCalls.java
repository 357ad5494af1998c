package dev.portolan.operator.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Every request the operator (or the real scanner agent) under test makes, as the RBAC rule it
 * needs ("verb group/resource", with "/subresource" when there is one): what the chart's roles must
 * grant. The mock API server records the requests whose User-Agent is {@link #OPERATOR} or
 * {@link #AGENT} (clients made by {@code TestCluster.newRecordedClient}; the tests' own clients and
 * fake agents use another), and each set is written at the JVM's exit to
 * {@code target/rbac/<operator|agent>-api-calls.txt}, which the chart's RbacCoverageIT checks.
 */
public final class ApiCalls {
  public static final String OPERATOR = "portolan-operator-under-test";
  public static final String AGENT = "portolan-agent-under-test";
  private static final Map<String, Set<String>> CALLS = Map.of(OPERATOR, new ConcurrentSkipListSet<>(), AGENT, new ConcurrentSkipListSet<>());
  private static final Path DIR = Path.of("target", "rbac");

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ApiCalls::write, "api-calls-writer"));
  }

  private ApiCalls() {}

  /** Records a request if its User-Agent is one of ours. */
  static void record(String userAgent, String method, String pathAndQuery) {
    Set<String> calls = userAgent == null ? null : CALLS.get(userAgent);
    if (calls != null) {
      rule(method, pathAndQuery).ifPresent(calls::add);
    }
  }

  /**
   * The RBAC rule a request needs, or empty for requests every authenticated user may make
   * (discovery, /version, self reviews).
   */
  static Optional<String> rule(String method, String pathAndQuery) {
    URI uri = URI.create(pathAndQuery);
    List<String> p = List.of(uri.getPath().replaceAll("^/+|/+$", "").split("/"));
    String group;
    int i;
    if (p.size() >= 2 && p.get(0).equals("api")) {
      group = "";
      i = 2;
    } else if (p.size() >= 3 && p.get(0).equals("apis")) {
      group = p.get(1);
      i = 3;
    } else {
      return Optional.empty(); // /version, /healthz, discovery roots
    }
    if (i < p.size() && p.get(i).equals("namespaces") && i + 2 < p.size()) {
      i += 2; // a namespaced resource: /namespaces/NS/RESOURCE...
    }
    if (i >= p.size()) {
      return Optional.empty(); // discovery of a group version
    }
    String resource = p.get(i);
    if (resource.equals("selfsubjectrulesreviews") || resource.equals("selfsubjectaccessreviews")) {
      return Optional.empty(); // system:basic-user grants these to everyone
    }
    boolean named = i + 1 < p.size();
    String sub = i + 2 < p.size() ? "/" + p.get(i + 2) : "";
    String query = uri.getQuery() == null ? "" : uri.getQuery();
    String verb = switch (method) {
      case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> named ? "delete" : "deletecollection";
      default -> method.toLowerCase(java.util.Locale.ROOT);
    };
    return Optional.of(verb + " " + group + "/" + resource + sub);
  }

  private static void write() {
    CALLS.forEach((userAgent, calls) -> {
      if (!calls.isEmpty()) {
        try {
          Files.createDirectories(DIR);
          Files.write(DIR.resolve((userAgent.equals(OPERATOR) ? "operator" : "agent") + "-api-calls.txt"), calls);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    });
  }
}
