package dev.portolan.operator.support;

import static org.awaitility.Awaitility.await;

import dev.portolan.control.guard.GuardConfig;
import dev.portolan.control.guard.NamespaceGrant;
import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.crds.v1alpha1.ScanReport;
import dev.portolan.crds.v1alpha1.ScanReportPage;
import dev.portolan.operator.OperatorConfig;
import dev.portolan.operator.PortolanOperator;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One integration test's world: an API server ({@link TestCluster}), scanner agents that look
 * ready, operators started with the test's clock (and stopped, whatever happens), and the reads a
 * test makes to see what the operator did.
 */
public final class Harness implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(30);

  public final TestCluster cluster;
  public final KubernetesClient client;
  public final String ns;
  public final MutableClock clock = new MutableClock(Instant.now());
  private final List<PortolanOperator> operators = new ArrayList<>();
  private final List<KubernetesClient> clients = new ArrayList<>();
  private final List<String> staticAgents = new ArrayList<>();

  public Harness(String label) {
    cluster = TestCluster.start(label);
    client = cluster.client();
    ns = cluster.namespace();
  }

  /**
   * Agents that are ready on these nodes: Running, Ready pods with the agent labels on the mock
   * (and their Nodes, with {@code nodeLabels}); on a real API server, agents the operator is told
   * about (call before starting the operator).
   */
  public void readyAgents(Map<String, String> nodeLabels, String... nodes) {
    for (String node : nodes) {
      if (!cluster.canFakePods()) {
        staticAgents.add(node);
        continue;
      }
      createNode(new NodeBuilder().withNewMetadata().withName(node).withLabels(nodeLabels).endMetadata()
          .withNewStatus().addNewAddress().withType("InternalIP").withAddress("10.99.0." + (operators.size() + staticAgents.size() + 1)).endAddress().endStatus()
          .build());
      createPod(ns, agentPod(node, true));
    }
  }

  public void readyAgents(String... nodes) {
    readyAgents(Map.of(), nodes);
  }

  /**
   * Creates (or replaces) a pod with the status it is given. A real API server drops the status of
   * a create, as the kubelet writes it; so does this, through the status subresource.
   */
  public Pod createPod(String namespace, Pod pod) {
    namespace(namespace);
    Pod created = client.pods().inNamespace(namespace).resource(pod).createOr(o -> o.update());
    if (pod.getStatus() != null) {
      created.setStatus(pod.getStatus());
      created = client.pods().inNamespace(namespace).resource(created).updateStatus();
    }
    return created;
  }

  /** As {@link #createPod}, for a node (its addresses are status). */
  public io.fabric8.kubernetes.api.model.Node createNode(io.fabric8.kubernetes.api.model.Node node) {
    var created = client.nodes().resource(node).createOr(o -> o.update());
    if (node.getStatus() != null) {
      created.setStatus(node.getStatus());
      created = client.nodes().resource(created).updateStatus();
    }
    return created;
  }

  /** Makes sure a namespace exists where one is needed (a real server refuses objects in unknown ones). */
  public void namespace(String name) {
    if (cluster.hasCoreApi() && client.namespaces().withName(name).get() == null) {
      client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(name)
          .addToLabels("kubernetes.io/metadata.name", name).endMetadata().build()).create();
      cluster.namespaceCreated(name);
    }
  }

  public static Pod agentPod(String node, boolean ready) {
    return new PodBuilder()
        .withNewMetadata().withName("agent-" + node).withLabels(OperatorConfig.DEFAULT_AGENT_SELECTOR).endMetadata()
        // The chart's default (scanner.mode syn): agents on their node's network.
        .withNewSpec().withNodeName(node).withHostNetwork(true)
        .addNewContainer().withName("agent").withImage("portolan:test").endContainer().endSpec()
        .withNewStatus().withPhase("Running")
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .endStatus()
        .build();
  }

  /**
   * The test's namespace as the platform team's: granted every range the guard allows, every
   * namespace and nodes, so tests of other concerns may name CIDRs. TenancyIT tests what a
   * namespace without it may do.
   */
  public NamespaceGrant platformGrant() {
    return new NamespaceGrant(ns, List.of("0.0.0.0/0"), List.of(NamespaceGrant.EVERY), true, null);
  }

  /**
   * The configuration every test starts from: this namespace (granted as the platform's), no SSA
   * (the mock has none), no lease, metrics on a free port.
   */
  public OperatorConfig.Builder config() {
    OperatorConfig.Builder b = OperatorConfig.builder(ns)
        .guard(GuardConfig.defaults().withNamespaces(List.of(platformGrant())))
        .watchNamespaces(Set.of(ns))
        .serverSideApply(!cluster.isMock())
        .leaderElection(false)
        .exitOnFatalError(false)
        .metricsPort(0)
        .metricsAddress("127.0.0.1")
        .resync(Duration.ofSeconds(2))
        .replanInterval(Duration.ofSeconds(1))
        .statusInterval(Duration.ofSeconds(1))
        .engineVersion("test");
    if (!staticAgents.isEmpty()) {
      b.staticAgentNodes(List.copyOf(staticAgents));
    }
    return b;
  }

  public PortolanOperator start(OperatorConfig config) {
    KubernetesClient own = cluster.newRecordedClient(ApiCalls.OPERATOR);
    clients.add(own);
    PortolanOperator operator = new PortolanOperator(config, own, clock);
    operators.add(operator);
    operator.start();
    return operator;
  }

  public PortolanOperator start() {
    return start(config().build());
  }

  public ScanPolicy apply(ScanPolicy policy) {
    ScanPolicy existing = client.resources(ScanPolicy.class).inNamespace(ns).withName(policy.getMetadata().getName()).get();
    if (existing == null) {
      return client.resources(ScanPolicy.class).inNamespace(ns).resource(policy).create();
    }
    // The operator writes the policy too (finalizer, status): like kubectl apply, retry a spec
    // change that lost the race for the resourceVersion (bounded).
    for (int attempt = 1; ; attempt++) {
      try {
        return client.resources(ScanPolicy.class).inNamespace(ns).withName(policy.getMetadata().getName())
            .edit(p -> {
              p.setSpec(policy.getSpec());
              return p;
            });
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 10) {
          throw e;
        }
      }
    }
  }

  public ScanPolicy policy(String name) {
    return client.resources(ScanPolicy.class).inNamespace(ns).withName(name).get();
  }

  public ScanReport report(String name) {
    return client.resources(ScanReport.class).inNamespace(ns).withName(name).get();
  }

  /** The runs of a policy. */
  public List<ScanReport> runs(String policy) {
    return client.resources(ScanReport.class).inNamespace(ns).withLabel(ScanReport.POLICY_LABEL, policy).list().getItems();
  }

  /** The pages of a run that hold findings (index pages left out). */
  public List<ScanReportPage> pages(String run) {
    return client.resources(ScanReportPage.class).inNamespace(ns).withLabel(ScanReport.RUN_LABEL, run).list().getItems()
        .stream().filter(p -> p.getSpec().findings() != null).toList();
  }

  public ScanReport awaitReport(String name, Predicate<ScanReport> condition) {
    try {
      return await().atMost(WAIT).until(() -> report(name), r -> r != null && condition.test(r));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("report " + name + " did not get there within " + WAIT + "; it is " + report(name)
          + "; the policies in " + ns + " say " + policyConditions(), e);
    }
  }

  /** Every policy's conditions in the test namespace, for a failure message that says why. */
  private String policyConditions() {
    return client.resources(ScanPolicy.class).inNamespace(ns).list().getItems().stream()
        .map(p -> p.getMetadata().getName() + ": " + (p.getStatus() == null ? "no status" : p.getStatus().conditions()))
        .toList().toString();
  }

  public ScanPolicy awaitPolicy(String name, Predicate<ScanPolicy> condition) {
    return await().atMost(WAIT).until(() -> policy(name), p -> p != null && condition.test(p));
  }

  /** Events about {@code object} with {@code reason}. */
  public List<Event> events(String object, String reason) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> object.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
        .toList();
  }

  public FakeAgent agent() {
    return new FakeAgent(client, ns);
  }

  public void stop(PortolanOperator operator) {
    operator.stop();
    operators.remove(operator);
  }

  @Override
  public void close() {
    for (PortolanOperator o : operators) {
      try {
        o.stop();
      } catch (RuntimeException e) {
        // keep closing the rest
      }
    }
    clients.forEach(KubernetesClient::close);
    cluster.close();
  }
}
