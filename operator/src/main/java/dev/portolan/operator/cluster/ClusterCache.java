package dev.portolan.operator.cluster;

import dev.portolan.control.cluster.ClusterSnapshot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster objects runs are resolved against, kept current by informers: Namespaces, Pods,
 * Services, EndpointSlices, Nodes, NetworkPolicies, and ReplicaSets and Jobs (which name a pod's
 * Deployment or CronJob). {@link #snapshot} hands the control logic what the caches hold now: the
 * same code then resolves a run as {@code portolan run --objects} does from a file.
 */
public final class ClusterCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterCache.class);

  private final KubernetesClient client;
  private final List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
  private SharedIndexInformer<Namespace> namespaces;
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<EndpointSlice> slices;
  private SharedIndexInformer<Node> nodes;
  private SharedIndexInformer<NetworkPolicy> policies;
  private SharedIndexInformer<ReplicaSet> replicaSets;
  private SharedIndexInformer<Job> jobs;
  private final boolean enabled;

  /** @param enabled false for API servers without the core API: the snapshot is then always empty */
  public ClusterCache(KubernetesClient client, boolean enabled) {
    this.client = client;
    this.enabled = enabled;
  }

  /** Starts the informers and waits (at most {@code timeout}) until each has listed once. */
  public void start(Duration timeout) {
    if (!enabled) {
      return;
    }
    namespaces = add(client.namespaces().runnableInformer(0));
    pods = add(client.pods().inAnyNamespace().runnableInformer(0));
    services = add(client.services().inAnyNamespace().runnableInformer(0));
    slices = add(client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0));
    nodes = add(client.nodes().runnableInformer(0));
    policies = add(client.network().v1().networkPolicies().inAnyNamespace().runnableInformer(0));
    replicaSets = add(client.apps().replicaSets().inAnyNamespace().runnableInformer(0));
    jobs = add(client.batch().v1().jobs().inAnyNamespace().runnableInformer(0));
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (SharedIndexInformer<? extends HasMetadata> i : informers) {
      started.add(i.start().toCompletableFuture());
    }
    try {
      CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warn("The cluster caches have not all synced within {} s; runs resolve against what they hold", timeout.toSeconds());
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot watch the cluster objects runs are resolved against: "
          + (e.getCause() == null ? e : e.getCause().getMessage()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private <T extends HasMetadata> SharedIndexInformer<T> add(SharedIndexInformer<T> informer) {
    informers.add(informer);
    return informer;
  }

  /** Whether every informer has listed once (or the cache is off). */
  public boolean synced() {
    return !enabled || informers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  public boolean enabled() {
    return enabled;
  }

  /** What the caches hold now. */
  public ClusterSnapshot snapshot(Instant now) {
    if (!enabled) {
      return ClusterSnapshot.empty(now);
    }
    return new ClusterSnapshot(
        namespaces.getStore().list(), pods.getStore().list(), services.getStore().list(), slices.getStore().list(),
        nodes.getStore().list(), policies.getStore().list(), replicaSets.getStore().list(), jobs.getStore().list(), now,
        "cluster");
  }

  /** The node objects, for the agents' addresses. */
  public List<Node> nodes() {
    return enabled ? nodes.getStore().list() : List.of();
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }
}
