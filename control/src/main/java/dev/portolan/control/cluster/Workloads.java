package dev.portolan.control.cluster;

import dev.portolan.crds.v1alpha1.ScanReportStatus.WorkloadRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The workload that owns a pod, by walking controller ownerReferences: a ReplicaSet's Deployment,
 * a Job's CronJob, or the StatefulSet, DaemonSet (or any other controller) named directly. Without
 * the ReplicaSet object (a snapshot that lacks it), its Deployment is the name before the
 * pod-template-hash, which is how Deployments name their ReplicaSets.
 */
final class Workloads {
  private final Map<String, ReplicaSet> replicaSets = new HashMap<>();
  private final Map<String, Job> jobs = new HashMap<>();

  Workloads(ClusterSnapshot snapshot) {
    for (ReplicaSet r : snapshot.replicaSets()) {
      replicaSets.put(key(r), r);
    }
    for (Job j : snapshot.jobs()) {
      jobs.put(key(j), j);
    }
  }

  private static String key(HasMetadata o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  Optional<WorkloadRef> of(Pod pod) {
    Optional<OwnerReference> owner = controller(pod);
    if (owner.isEmpty()) {
      return Optional.empty();
    }
    String ns = pod.getMetadata().getNamespace();
    OwnerReference o = owner.get();
    switch (o.getKind()) {
      case "ReplicaSet" -> {
        ReplicaSet rs = replicaSets.get(ns + "/" + o.getName());
        if (rs != null) {
          return Optional.of(controller(rs).map(c -> new WorkloadRef(c.getKind(), c.getName()))
              .orElse(new WorkloadRef("ReplicaSet", o.getName())));
        }
        String hash = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get("pod-template-hash");
        if (hash != null && o.getName().endsWith("-" + hash) && o.getName().length() > hash.length() + 1) {
          return Optional.of(new WorkloadRef("Deployment", o.getName().substring(0, o.getName().length() - hash.length() - 1)));
        }
        return Optional.of(new WorkloadRef("ReplicaSet", o.getName()));
      }
      case "Job" -> {
        Job job = jobs.get(ns + "/" + o.getName());
        if (job != null) {
          return Optional.of(controller(job).map(c -> new WorkloadRef(c.getKind(), c.getName()))
              .orElse(new WorkloadRef("Job", o.getName())));
        }
        return Optional.of(new WorkloadRef("Job", o.getName()));
      }
      default -> {
        return Optional.of(new WorkloadRef(o.getKind(), o.getName()));
      }
    }
  }

  private static Optional<OwnerReference> controller(HasMetadata o) {
    if (o.getMetadata().getOwnerReferences() == null) {
      return Optional.empty();
    }
    for (OwnerReference r : o.getMetadata().getOwnerReferences()) {
      if (Boolean.TRUE.equals(r.getController())) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
