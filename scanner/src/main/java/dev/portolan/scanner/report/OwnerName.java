package dev.portolan.scanner.report;

import java.util.List;
import java.util.Map;

/**
 * What owned a finding's address at probe time, as the outputs name it: a Pod (and its workload,
 * Services and node), a Service or a Node. The outputs know nothing of Kubernetes beyond these
 * names; the CLI and the agent map the cluster's objects to them.
 */
public record OwnerName(
    String kind, String namespace, String name, String uid, String workloadKind, String workloadName,
    List<String> services, String node, Boolean hostNetwork, String container, String portName,
    Map<String, String> labels, String attribution, String note) {

  /** "Deployment shop/web", "Pod shop/web-7d4b9-x2x", "Node node-a". */
  public String describe() {
    String ns = namespace == null ? "" : namespace + "/";
    return workloadKind != null ? workloadKind + " " + ns + workloadName : kind + " " + ns + name;
  }

  /** A host name for nmap's {@code <hostname>}: name.namespace for namespaced objects, the node's name otherwise. */
  public String hostname() {
    return namespace == null ? name : name + "." + namespace;
  }
}
