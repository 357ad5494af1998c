package dev.portolan.e2e;

import dev.portolan.crds.v1alpha1.ScanReport;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/**
 * The cluster's API server in the end-to-end test: fabric8's mock in CRUD mode, plain HTTP, on
 * every address of the namespace this JVM runs in (the lab's targets' side, which plays the
 * cluster's network). The operator, beside it, reaches it at 127.0.0.1; the agent on node N at
 * 198.19.N.1, through that node's veth. The CRDs the crds module generated are created first, so
 * the status subresource behaves as they declare.
 */
final class LabApiServer implements AutoCloseable {
  private static final String[] CRDS = {"scanpolicies.portolan.dev-v1.yml", "scanreports.portolan.dev-v1.yml", "scanreportpages.portolan.dev-v1.yml"};

  /** The mock logs every request at INFO through java.util.logging; keep the test's output readable. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private LabApiServer(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  /** Starts the server on an ephemeral port of 0.0.0.0, with the CRDs and {@code namespaces}. */
  static LabApiServer start(String... namespaces) throws IOException {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server =
        new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
    server.init(InetAddress.getByName("0.0.0.0"), 0);
    LabApiServer api = new LabApiServer(server);
    try {
      api.createCrds();
      for (String ns : namespaces) {
        api.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      }
    } catch (RuntimeException | IOException e) {
      api.close();
      throw e;
    }
    return api;
  }

  private void createCrds() throws IOException {
    for (String file : CRDS) {
      try (InputStream in = ScanReport.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
        if (in == null) {
          throw new IllegalStateException("CRD " + file + " is not on the classpath: build the crds module first");
        }
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      }
    }
  }

  int port() {
    return server.getPort();
  }

  /** A client for the test's own reads and writes (as kubectl would be). */
  KubernetesClient client() {
    return client;
  }

  /**
   * Writes a kubeconfig whose server is this one at {@code host}, as a pod's service account would
   * give it (the mock checks no credentials; the token only makes the file look like one).
   */
  Path kubeconfig(Path file, String host, String namespace) throws IOException {
    Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Config
        clusters:
          - name: lab
            cluster:
              server: http://%s:%d
        users:
          - name: lab
            user:
              token: e2e-lab
        contexts:
          - name: lab
            context:
              cluster: lab
              user: lab
              namespace: %s
        current-context: lab
        """
            .formatted(host, port(), namespace));
    return file;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
