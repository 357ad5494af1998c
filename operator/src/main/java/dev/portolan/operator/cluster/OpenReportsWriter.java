package dev.portolan.operator.cluster;

import dev.portolan.control.openreports.OpenReports;
import dev.portolan.crds.v1alpha1.Timestamps;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a finished run's OpenReports into the cluster, when the cluster serves them (Policy
 * Reporter or the openreports chart installed the CRD; Portolan never installs it). A policy's
 * Reports are replaced as a whole by each run: a namespace that has no results any more loses its
 * Report, and a run never replaces the Reports of a newer run. They go with their policy.
 */
public final class OpenReportsWriter {
  private static final Logger LOG = LoggerFactory.getLogger(OpenReportsWriter.class);

  /** How long "not served" is believed before asking again: the CRD may be installed later. */
  static final Duration RECHECK = Duration.ofMinutes(5);

  /** What happened to a run's Reports. */
  public enum Outcome {
    /** Written (and the policy's stale ones deleted). */
    WRITTEN,
    /** A newer run of the policy already wrote its Reports. */
    SUPERSEDED,
    /** The cluster does not serve openreports.io/v1alpha1 Report, or the operator writes none. */
    NOT_SERVED
  }

  /** Named in full: the generic client would otherwise ask discovery, and fail where the CRD is missing. */
  private static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
      .withGroup("openreports.io").withVersion("v1alpha1").withKind(OpenReports.KIND).withPlural("reports").withNamespaced(true)
      .build();

  private final KubernetesClient client;
  private final Clock clock;
  private volatile Instant notServedUntil = Instant.MIN;

  private final boolean enabled;

  /** @param enabled false when the operator was told to write no OpenReports (its role may not allow them) */
  public OpenReportsWriter(KubernetesClient client, Clock clock, boolean enabled) {
    this.client = client;
    this.clock = clock;
    this.enabled = enabled;
  }

  public OpenReportsWriter(KubernetesClient client, Clock clock) {
    this(client, clock, true);
  }

  private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> reports() {
    return client.genericKubernetesResources(CONTEXT);
  }

  /**
   * Whether the cluster serves Reports: asked by listing one (which the operator's role allows),
   * so a 404 means no CRD; remembered for {@link #RECHECK}.
   */
  public boolean served() {
    if (!enabled) {
      return false;
    }
    Instant now = clock.instant();
    if (now.isBefore(notServedUntil)) {
      return false;
    }
    try {
      reports().inAnyNamespace().list(new ListOptionsBuilder().withLimit(1L).build());
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        notServedUntil = now.plus(RECHECK);
        LOG.info("The cluster does not serve {} {}; runs write no OpenReports (asking again in {} min)",
            OpenReports.API_VERSION, OpenReports.KIND, RECHECK.toMinutes());
        return false;
      }
      throw e;
    }
  }

  /**
   * Replaces the policy's Reports with {@code reports} (all of one run), unless a newer run wrote
   * the ones there. Throws KubernetesClientException when the API refuses (403 for a namespace the
   * operator may not write to, say): the caller tells the policy's readers.
   */
  public Outcome replace(String policyNamespace, String policy, Instant runCreated, List<GenericKubernetesResource> reports) {
    if (!served()) {
      return Outcome.NOT_SERVED;
    }
    List<GenericKubernetesResource> existing = existing(policyNamespace, policy);
    for (GenericKubernetesResource r : existing) {
      Instant theirs = created(r);
      if (theirs != null && runCreated != null && theirs.isAfter(runCreated)) {
        return Outcome.SUPERSEDED;
      }
    }
    Set<String> kept = new HashSet<>();
    for (GenericKubernetesResource r : reports) {
      String ns = r.getMetadata().getNamespace();
      kept.add(ns + "/" + r.getMetadata().getName());
      reports().inNamespace(ns).resource(r).createOr(op -> op.update());
    }
    for (GenericKubernetesResource r : existing) {
      if (!kept.contains(r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())) {
        reports().inNamespace(r.getMetadata().getNamespace()).withName(r.getMetadata().getName()).delete();
      }
    }
    return Outcome.WRITTEN;
  }

  /** Deletes every Report of the policy, in every namespace (the policy was deleted, or no longer wants them). */
  public void deleteAll(String policyNamespace, String policy) {
    if (!served()) {
      return;
    }
    for (GenericKubernetesResource r : existing(policyNamespace, policy)) {
      reports().inNamespace(r.getMetadata().getNamespace()).withName(r.getMetadata().getName()).delete();
    }
  }

  /**
   * Deletes the Reports {@code run} wrote, if they are still its (it was pruned or deleted before a
   * newer run replaced them). The one in the run's namespace also goes by its owner reference.
   */
  public void deleteRun(String policyNamespace, String policy, String run) {
    if (!served()) {
      return;
    }
    String label = OpenReports.labelValue(run);
    for (GenericKubernetesResource r : existing(policyNamespace, policy)) {
      if (r.getMetadata().getLabels() != null && label.equals(r.getMetadata().getLabels().get(OpenReports.RUN_LABEL))) {
        reports().inNamespace(r.getMetadata().getNamespace()).withName(r.getMetadata().getName()).delete();
      }
    }
  }

  private List<GenericKubernetesResource> existing(String policyNamespace, String policy) {
    String name = OpenReports.name(policyNamespace, policy);
    List<GenericKubernetesResource> out = new ArrayList<>();
    for (GenericKubernetesResource r : reports().inAnyNamespace()
        .withLabel(OpenReports.MANAGED_BY_LABEL, OpenReports.MANAGED_BY)
        .withLabel(OpenReports.POLICY_NAMESPACE_LABEL, policyNamespace)
        .list().getItems()) {
      if (name.equals(r.getMetadata().getName())) {
        out.add(r);
      }
    }
    return out;
  }

  private static Instant created(GenericKubernetesResource r) {
    return Timestamps.orNull(r.getMetadata().getAnnotations() == null ? null
        : r.getMetadata().getAnnotations().get(OpenReports.RUN_CREATED_ANNOTATION));
  }
}
