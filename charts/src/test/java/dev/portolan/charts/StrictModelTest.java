package dev.portolan.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/** The check behind "every rendered object is valid Kubernetes" catches what fabric8 reads silently. */
class StrictModelTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  @Test
  void aWellFormedObjectHasNoProblems() {
    assertThat(StrictModel.problems(read(deployment("securityContext", "hostNetwork")))).isEmpty();
  }

  @Test
  void aMisspelledFieldAnywhereIsReportedWithItsPath() {
    assertThat(StrictModel.problems(read(deployment("securityContxt", "hostNetwork"))))
        .containsExactly("Deployment/d: unknown field spec.template.spec.containers[0].securityContxt");
    assertThat(StrictModel.problems(read(deployment("securityContext", "hostNetwrk"))))
        .containsExactly("Deployment/d: unknown field spec.template.spec.hostNetwrk");
  }

  @Test
  void anUnknownKindOrApiVersionIsReported() {
    HasMetadata o = read("apiVersion: apps/v1\nkind: DeamonSet\nmetadata:\n  name: x\nspec: {}\n");
    assertThat(StrictModel.problems(o)).singleElement().asString().contains("unknown kind or apiVersion apps/v1 DeamonSet");
  }

  private static HasMetadata read(String yaml) {
    return SERIALIZATION.unmarshal(yaml, HasMetadata.class);
  }

  private static String deployment(String securityContextField, String hostNetworkField) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: d
        spec:
          selector:
            matchLabels: {a: b}
          template:
            metadata:
              labels: {a: b}
            spec:
              %s: true
              containers:
                - name: c
                  image: i
                  %s:
                    capabilities:
                      drop: [ALL]
        """.formatted(hostNetworkField, securityContextField);
  }
}
