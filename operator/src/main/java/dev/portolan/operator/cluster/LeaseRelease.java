package dev.portolan.operator.cluster;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives up the leader Lease on an orderly stop, as client-go's ReleaseOnCancel does: no holder and
 * a one-second duration, so a standby takes over at its next retry instead of waiting out the
 * lease (15 s by default: the whole pause of a rolling update). JOSDK's leader election never
 * releases; a replica that dies without stopping still loses the lease by expiry.
 */
public final class LeaseRelease {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseRelease.class);

  private LeaseRelease() {}

  /**
   * Releases {@code namespace/name} if {@code identity} holds it. A conflict (another replica took
   * it meanwhile) or a refusal is logged, never thrown: the lease then simply expires.
   *
   * @return whether this call released it
   */
  public static boolean release(KubernetesClient client, String namespace, String name, String identity, Clock clock) {
    try {
      Lease lease = client.leases().inNamespace(namespace).withName(name).get();
      if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
        return false;
      }
      lease.getSpec().setHolderIdentity(null);
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setRenewTime(ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
      // An update with the resourceVersion just read: if someone else renewed or took it, 409, and it is theirs.
      client.leases().inNamespace(namespace).resource(lease).update();
      LOG.info("{} released the lease {}/{}", identity, namespace, name);
      return true;
    } catch (KubernetesClientException e) {
      LOG.warn("{} could not release the lease {}/{} ({}); it expires by itself", identity, namespace, name, e.getMessage());
      return false;
    }
  }
}
