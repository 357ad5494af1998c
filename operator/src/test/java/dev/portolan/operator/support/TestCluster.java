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

  /**
   * The mock, unless the system property {@code portolan.it.tier} is {@code kubeapi} (the real API
   * server tier, one server for the JVM: the failsafe execution "real-api") or KUBECONFIG points
   * at a real API server.
   */
  public static TestCluster start(String label) {
    String kubeconfig = System.getenv("KUBECONFIG");
    TestCluster c = "kubeapi".equals(System.getProperty("portolan.it.tier")) ? new OnKubeApi(label)
        : kubeconfig == null || kubeconfig.isBlank() ? new Mock(label) : new Real(label);
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

  /** Called when the test has made another namespace (a source pod's, a selector's). */
  public void namespaceCreated(String name) {}

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
      createCrdIfMissing("/META-INF/fabric8/" + file);
    }
  }

  /** Creates the CRD in a test resource unless the server has it; its name. */
  private String createCrdIfMissing(String resource) {
    try (InputStream in = TestCluster.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the test classpath (build the crds module first)");
      }
      CustomResourceDefinition crd = client().apiextensions().v1().customResourceDefinitions().load(in).item();
      if (client().apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get() == null) {
        client().apiextensions().v1().customResourceDefinitions().resource(crd).create();
      }
      return crd.getMetadata().getName();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates a CRD from a test resource, if missing, and waits until it is served. */
  public void applyCrd(String resource) {
    client().apiextensions().v1().customResourceDefinitions().withName(createCrdIfMissing(resource))
        .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
            && c.getStatus().getConditions().stream().anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
            30, java.util.concurrent.TimeUnit.SECONDS);
  }

  private void createNamespace() {
    if (hasCoreApi()) {
      client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    }
  }

  /** Deletes what the test made: its namespace, or (without a core API) its custom resources. */
  protected void cleanUp() {
    client().resources(ScanReport.class).inNamespace(namespace).delete();
    // The operator under test has stopped: nobody would remove its finalizer, and the policies
    // would stay Terminating on a real server.
    for (ScanPolicy p : client().resources(ScanPolicy.class).inNamespace(namespace).list().getItems()) {
      if (p.getMetadata().getFinalizers() != null && !p.getMetadata().getFinalizers().isEmpty()) {
        client().resources(ScanPolicy.class).inNamespace(namespace).withName(p.getMetadata().getName())
            .edit(x -> {
              x.getMetadata().setFinalizers(null);
              return x;
            });
      }
    }
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

  /**
   * The real API server tier ({@code e2e/kubeapi}): Kubernetes' own server libraries with the core
   * API, RBAC and admission, on etcd; one server per JVM, a namespace per test class. Pods can be
   * faked (created, then their status written as a kubelet would), but nothing schedules or runs
   * them.
   */
  static final class OnKubeApi extends Real {
    private static dev.portolan.testkit.KubeApi api;
    private ChartIdentities identities;

    OnKubeApi(String label) {
      super(label);
    }

    /**
     * The operator and the agent under test hold the tokens of the chart's own service accounts,
     * bound by the chart's own roles: every request they make passes the chart's RBAC or fails.
     */
    @Override
    public KubernetesClient newRecordedClient(String userAgent) {
      String account = switch (userAgent) {
        case ApiCalls.OPERATOR -> identities().operatorAccount();
        case ApiCalls.AGENT -> identities().scannerAccount();
        default -> throw new IllegalArgumentException(userAgent);
      };
      return api().as(namespace(), account, b -> b.withKubernetesSerialization(ApiSerialization.create()));
    }

    @Override
    public void namespaceCreated(String name) {
      identities().apply(name);
    }

    private synchronized ChartIdentities identities() {
      if (identities == null) {
        identities = new ChartIdentities(api(), namespace());
        identities.apply();
      }
      return identities;
    }

    private static synchronized dev.portolan.testkit.KubeApi api() {
      if (api == null) {
        api = dev.portolan.testkit.KubeApi.start();
        Runtime.getRuntime().addShutdownHook(new Thread(api::close));
      }
      return api;
    }

    @Override
    public KubernetesClient newClient() {
      try {
        return new KubernetesClientBuilder()
            .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(java.nio.file.Files.readString(api().adminKubeconfig())))
            .withKubernetesSerialization(ApiSerialization.create()).build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public boolean canFakePods() {
      return true;
    }

    /** Refuses pod creation in {@code namespace} by a ValidatingAdmissionPolicy: real admission, as Pod Security would. */
    @Override
    public void refusePods(String namespace, String message) {
      String name = "refuse-pods-" + namespace;
      client().admissionRegistration().v1().validatingAdmissionPolicies().resource(
          new io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBuilder()
              .withNewMetadata().withName(name).endMetadata()
              .withNewSpec().withFailurePolicy("Fail")
              .withNewMatchConstraints().addNewResourceRule().withApiGroups("").withApiVersions("v1").withOperations("CREATE")
              .withResources("pods").endResourceRule().endMatchConstraints()
              .addNewValidation().withExpression("false").withMessage(message).endValidation()
              .endSpec().build()).create();
      client().admissionRegistration().v1().validatingAdmissionPolicyBindings().resource(
          new io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBindingBuilder()
              .withNewMetadata().withName(name).endMetadata()
              .withNewSpec().withPolicyName(name).withValidationActions("Deny")
              .withNewMatchResources().withNewNamespaceSelector().addToMatchLabels("kubernetes.io/metadata.name", namespace)
              .endNamespaceSelector().endMatchResources()
              .endSpec().build()).create();
      // Admission loads policies from an informer: wait (bounded) until a dry-run pod is refused.
      io.fabric8.kubernetes.api.model.Pod probe = new io.fabric8.kubernetes.api.model.PodBuilder()
          .withNewMetadata().withName("admission-probe").endMetadata()
          .withNewSpec().addNewContainer().withName("c").withImage("x").endContainer().endSpec().build();
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline) {
        try {
          client().pods().inNamespace(namespace).resource(probe).dryRun().create();
        } catch (KubernetesClientException e) {
          if (e.getCode() == 403 || e.getCode() == 422) {
            return;
          }
          throw e;
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      throw new IllegalStateException("the ValidatingAdmissionPolicy refusing pods in " + namespace + " did not take effect in 20 s");
    }
  }

  /** The cluster KUBECONFIG names. */
  static class Real extends TestCluster {
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
