package dev.portolan.operator.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a request maps to the RBAC rule it needs. */
class ApiCallsTest {
  @Test
  void namespacedCustomResources() {
    assertThat(ApiCalls.rule("GET", "/apis/portolan.dev/v1alpha1/namespaces/a/scanreports?labelSelector=x")).hasValue("list portolan.dev/scanreports");
    assertThat(ApiCalls.rule("GET", "/apis/portolan.dev/v1alpha1/namespaces/a/scanreports?watch=true&resourceVersion=1")).hasValue("watch portolan.dev/scanreports");
    assertThat(ApiCalls.rule("GET", "/apis/portolan.dev/v1alpha1/namespaces/a/scanreports/r1")).hasValue("get portolan.dev/scanreports");
    assertThat(ApiCalls.rule("PATCH", "/apis/portolan.dev/v1alpha1/namespaces/a/scanreports/r1/status")).hasValue("patch portolan.dev/scanreports/status");
    assertThat(ApiCalls.rule("DELETE", "/apis/portolan.dev/v1alpha1/namespaces/a/scanreports?labelSelector=p")).hasValue("deletecollection portolan.dev/scanreports");
    assertThat(ApiCalls.rule("DELETE", "/apis/portolan.dev/v1alpha1/namespaces/a/scanreports/r1")).hasValue("delete portolan.dev/scanreports");
    assertThat(ApiCalls.rule("GET", "/apis/portolan.dev/v1alpha1/scanpolicies?watch=true")).hasValue("watch portolan.dev/scanpolicies");
  }

  @Test
  void coreAndOtherGroups() {
    assertThat(ApiCalls.rule("POST", "/api/v1/namespaces/a/events")).hasValue("create /events");
    assertThat(ApiCalls.rule("GET", "/api/v1/nodes/n1")).hasValue("get /nodes");
    assertThat(ApiCalls.rule("GET", "/api/v1/pods?labelSelector=a%3Db")).hasValue("list /pods");
    assertThat(ApiCalls.rule("PUT", "/apis/coordination.k8s.io/v1/namespaces/a/leases/l")).hasValue("update coordination.k8s.io/leases");
  }

  @Test
  void whatEveryUserMayDoNeedsNoRule() {
    assertThat(ApiCalls.rule("GET", "/version")).isEmpty();
    assertThat(ApiCalls.rule("GET", "/apis/portolan.dev/v1alpha1")).isEmpty();
    assertThat(ApiCalls.rule("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")).isEmpty();
  }
}
