package dev.portolan.charts;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The checks of Pod Security's "restricted" level (which includes "baseline"), as the Pod Security
 * Standards define them for Linux pods (kubernetes.io/docs/concepts/security/pod-security-standards):
 * what Pod Security Admission would refuse in a namespace labelled
 * {@code pod-security.kubernetes.io/enforce=restricted}. The real admission plugin is not in the
 * API server tier this repository can build (NOTES.md: no Pod Security admission), so the chart's
 * pods are held to the published rules here, one message per violation.
 */
final class PodSecurityRestricted {
  private static final Set<String> VOLUME_TYPES =
      Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret");
  private static final Set<String> SAFE_SYSCTLS = Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
      "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
      "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
      "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");

  private PodSecurityRestricted() {}

  /** Every rule {@code pod} breaks; empty when restricted admits it. */
  static List<String> violations(PodSpec pod) {
    List<String> out = new ArrayList<>();
    if (Boolean.TRUE.equals(pod.getHostNetwork())) {
      out.add("hostNetwork=true");
    }
    if (Boolean.TRUE.equals(pod.getHostPID())) {
      out.add("hostPID=true");
    }
    if (Boolean.TRUE.equals(pod.getHostIPC())) {
      out.add("hostIPC=true");
    }
    PodSecurityContext psc = pod.getSecurityContext();
    for (Volume v : pod.getVolumes() == null ? List.<Volume>of() : pod.getVolumes()) {
      String type = volumeType(v);
      if (!VOLUME_TYPES.contains(type)) {
        out.add("volume " + v.getName() + " of type " + type);
      }
    }
    if (psc != null && psc.getSysctls() != null) {
      psc.getSysctls().stream().filter(s -> !SAFE_SYSCTLS.contains(s.getName())).forEach(s -> out.add("sysctl " + s.getName()));
    }
    String podSeccomp = psc == null || psc.getSeccompProfile() == null ? null : psc.getSeccompProfile().getType();
    Boolean podNonRoot = psc == null ? null : psc.getRunAsNonRoot();
    if (psc != null && Long.valueOf(0).equals(psc.getRunAsUser())) {
      out.add("pod runAsUser=0");
    }
    if (podSeccomp != null && !Set.of("RuntimeDefault", "Localhost").contains(podSeccomp)) {
      out.add("pod seccompProfile " + podSeccomp);
    }
    List<Container> containers = Stream.concat(
        pod.getInitContainers() == null ? Stream.empty() : pod.getInitContainers().stream(),
        pod.getContainers().stream()).toList();
    for (Container c : containers) {
      String n = "container " + c.getName() + ": ";
      SecurityContext sc = c.getSecurityContext();
      if (sc != null && Boolean.TRUE.equals(sc.getPrivileged())) {
        out.add(n + "privileged=true");
      }
      if (sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
        out.add(n + "allowPrivilegeEscalation must be false");
      }
      Boolean nonRoot = sc == null || sc.getRunAsNonRoot() == null ? podNonRoot : sc.getRunAsNonRoot();
      if (!Boolean.TRUE.equals(nonRoot)) {
        out.add(n + "runAsNonRoot must be true");
      }
      if (sc != null && Long.valueOf(0).equals(sc.getRunAsUser())) {
        out.add(n + "runAsUser=0");
      }
      String seccomp = sc == null || sc.getSeccompProfile() == null ? podSeccomp : sc.getSeccompProfile().getType();
      if (seccomp == null || !Set.of("RuntimeDefault", "Localhost").contains(seccomp)) {
        out.add(n + "seccompProfile must be RuntimeDefault or Localhost, not " + seccomp);
      }
      Capabilities caps = sc == null ? null : sc.getCapabilities();
      if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
        out.add(n + "capabilities must drop ALL");
      }
      if (caps != null && caps.getAdd() != null) {
        caps.getAdd().stream().filter(a -> !a.equals("NET_BIND_SERVICE")).forEach(a -> out.add(n + "adds capability " + a));
      }
      if (sc != null && sc.getProcMount() != null && !"Default".equals(sc.getProcMount())) {
        out.add(n + "procMount " + sc.getProcMount());
      }
      for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
        if (p.getHostPort() != null && p.getHostPort() != 0) {
          out.add(n + "hostPort " + p.getHostPort());
        }
      }
    }
    return out;
  }

  private static String volumeType(Volume v) {
    if (v.getConfigMap() != null) return "configMap";
    if (v.getCsi() != null) return "csi";
    if (v.getDownwardAPI() != null) return "downwardAPI";
    if (v.getEmptyDir() != null) return "emptyDir";
    if (v.getEphemeral() != null) return "ephemeral";
    if (v.getPersistentVolumeClaim() != null) return "persistentVolumeClaim";
    if (v.getProjected() != null) return "projected";
    if (v.getSecret() != null) return "secret";
    if (v.getHostPath() != null) return "hostPath";
    return "other";
  }
}
