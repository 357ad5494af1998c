package dev.portolan.operator.support;

import dev.portolan.crds.v1alpha1.ScanPolicy;
import dev.portolan.operator.cluster.ApiSerialization;
import dev.portolan.crds.v1alpha1.ScanReport;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;

/**
 * The API server an integration test runs against: fabric8's mock in CRUD mode on 127.0.0.1 by
 * default, or the cluster KUBECONFIG names when it is set (a kind cluster, or a bare
 * apiextensions-apiserver, which serves the CRDs but no core API: no pods, nodes, events or
 * leases). Each test class gets a namespace of its own; the CRDs are created from the YAML the
 * crds module generated, if missing, so the status subresource behaves as declared.
 */
public abstract class TestCluster implements AutoCloseable {
  private static final String[] CRDS = {"scanpolicies.portolan.dev-v1.yml", "scanreports.portolan.dev-v1.yml", "scanreportpages.portolan.dev-v1.yml"};

  /** The mock logs every request at INFO through java.util.logging; keep test output readable. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final String namespace;

  protected TestCluster(String label) {
    this.namespace = "portolan-it-" + label.toLowerCase(Locale.ROOT) + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  /** The mock, unless KUBECONFIG points at a real API server. */
  public static TestCluster start(String label) {
    String kubeconfig = System.getenv("KUBECONFIG");
    TestCluster c = kubeconfig == null || kubeconfig.isBlank() ? new Mock(label) : new Real(label);
    c.installCrds();
    c.createNamespace();
    return c;
  }

  /** A client for the test's own reads and writes. */
  public abstract KubernetesClient client();

  /** Another client, as a second operator process would have. */
  public abstract KubernetesClient newClient();

  /**
   * A client for the operator or the agent under test ({@link ApiCalls#OPERATOR}, {@link ApiCalls#AGENT}):
   * on the mock, its requests are recorded as the RBAC rules they need.
   */
  public KubernetesClient newRecordedClient(String userAgent) {
    try (KubernetesClient base = newClient()) {
      return new KubernetesClientBuilder()
          .withConfig(new ConfigBuilder(base.getConfiguration()).withUserAgent(userAgent).build())
          .withKubernetesSerialization(ApiSerialization.create())
          .build();
    }
  }

  public abstract boolean isMock();

  @Override
  public abstract void close();

  public String namespace() {
    return namespace;
  }

  /** Whether /api/v1 is served (pods, nodes, services, events). */
  public boolean hasCoreApi() {
    return served(() -> client().namespaces().list(new ListOptionsBuilder().withLimit(1L).build()));
  }

  /** Whether coordination.k8s.io leases (leader election) are served. */
  public boolean hasLeases() {
    return served(() -> client().leases().inNamespace(namespace).list(new ListOptionsBuilder().withLimit(1L).build()));
  }

  private static boolean served(Runnable list) {
    try {
      list.run();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Whether the test may create pods with a status of its choosing (fake scanner agents): only on
   * the mock, where nothing schedules or runs them.
   */
  public boolean canFakePods() {
    return isMock();
  }

  /**
   * Makes the API server refuse pod creation in {@code namespace} with 403, as Pod Security
   * admission or RBAC would: only the mock can be told to.
   */
  public void refusePods(String namespace, String message) {
    throw new UnsupportedOperationException("only the mock API server can be told to refuse pods");
  }

  private void installCrds() {
    for (String file : CRDS) {
      try (InputStream in = TestCluster.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
        if (in == null) {
          throw new IllegalStateException("CRD " + file + " is not on the classpath: build the crds module first");
        }
        CustomResourceDefinition crd = client().apiextensions().v1().customResourceDefinitions().load(in).item();
        if (client().apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get() == null) {
          client().apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void createNamespace() {
    if (hasCoreApi()) {
      client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    }
  }

  /** Deletes what the test made: its namespace, or (without a core API) its custom resources. */
  protected void cleanUp() {
    client().resources(ScanReport.class).inNamespace(namespace).delete();
    client().resources(ScanPolicy.class).inNamespace(namespace).delete();
    if (hasCoreApi()) {
      client().namespaces().withName(namespace).delete();
    }
  }

  /** fabric8's mock API server, CRUD mode, plain HTTP on the loopback address only. */
  static final class Mock extends TestCluster {
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    Mock(String label) {
      super(label);
      Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
      // Records what the operator's own client asks for (ApiCalls), before serving it.
      KubernetesMixedDispatcher dispatcher = new KubernetesMixedDispatcher(responses) {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          ApiCalls.record(request.getHeader("User-Agent"), request.getMethod(), request.getPath());
          return super.dispatch(request);
        }
      };
      server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
      try {
        server.init(InetAddress.getByName("127.0.0.1"), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      // Leader election first asks whether it may use leases; the mock stores reviews but does not answer them.
      server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
          .andReturn(201, new SelfSubjectRulesReviewBuilder()
              .withNewStatus().withIncomplete(false)
              .addNewResourceRule().addToApiGroups("coordination.k8s.io").addToResources("leases").addToVerbs("*").endResourceRule()
              .endStatus().build())
          .always();
      client = newClient();
    }

    @Override
    public KubernetesClient client() {
      return client;
    }

    @Override
    public KubernetesClient newClient() {
      return server.createClient(b -> b.withKubernetesSerialization(ApiSerialization.create()));
    }

    @Override
    public boolean isMock() {
      return true;
    }

    @Override
    public void refusePods(String namespace, String message) {
      server.expect().post().withPath("/api/v1/namespaces/" + namespace + "/pods")
          .andReturn(403, new io.fabric8.kubernetes.api.model.StatusBuilder().withStatus("Failure").withReason("Forbidden")
              .withCode(403).withMessage(message).build())
          .always();
    }

    @Override
    public void close() {
      client.close();
      server.destroy();
    }
  }

  /** The cluster KUBECONFIG names. */
  static final class Real extends TestCluster {
    private final KubernetesClient client = newClient();

    Real(String label) {
      super(label);
    }

    @Override
    public KubernetesClient client() {
      return client;
    }

    @Override
    public KubernetesClient newClient() {
      return new KubernetesClientBuilder().withKubernetesSerialization(ApiSerialization.create()).build();
    }

    @Override
    public boolean isMock() {
      return false;
    }

    @Override
    public void close() {
      try {
        cleanUp();
      } finally {
        client.close();
      }
    }
  }
}
