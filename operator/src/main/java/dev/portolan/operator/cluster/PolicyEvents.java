package dev.portolan.operator.cluster;

import dev.portolan.control.run.RunNames;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on Portolan objects (what {@code kubectl describe} shows). Each event has a
 * name derived from what it reports (its key), so reporting the same thing twice, after a
 * restart or from a second replica, creates nothing: the API answers 409. Events are a courtesy:
 * failing to write one never fails a reconcile.
 */
public final class PolicyEvents {
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";
  private static final Logger LOG = LoggerFactory.getLogger(PolicyEvents.class);
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final String component;
  private final String instance;
  private final Clock clock;
  private final AtomicBoolean unserved = new AtomicBoolean();

  public PolicyEvents(KubernetesClient client, String component, String instance, Clock clock) {
    this.client = client;
    this.component = component;
    this.instance = instance;
    this.clock = clock;
  }

  /** The event's name: the object's name and a hash of what the event is about. */
  public static String name(HasMetadata target, String key) {
    return target.getMetadata().getName() + "." + RunNames.hash(target.getMetadata().getUid() + "/" + key).substring(0, 16);
  }

  /**
   * Records {@code reason} on {@code target} once per {@code key}.
   *
   * @return true if the event was written now
   */
  public boolean emit(HasMetadata target, String type, String reason, String message, String key) {
    String now = clock.instant().toString();
    String text = message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 3) + "...";
    var event = new EventBuilder()
        .withNewMetadata()
        .withName(name(target, key))
        .withNamespace(target.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(target.getApiVersion())
            .withKind(target.getKind())
            .withName(target.getMetadata().getName())
            .withNamespace(target.getMetadata().getNamespace())
            .withUid(target.getMetadata().getUid())
            .build())
        .withType(type)
        .withReason(reason)
        .withMessage(text)
        .withNewSource().withComponent(component).endSource()
        .withReportingComponent(component)
        .withReportingInstance(instance)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .build();
    try {
      client.v1().events().inNamespace(target.getMetadata().getNamespace()).resource(event).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 && !unserved.getAndSet(true)) {
        LOG.warn("The API server serves no Events ({}); Events are not recorded", e.getMessage());
      } else if (e.getCode() != 409 && e.getCode() != 404) {
        LOG.warn("Could not record event {} on {}/{}: {}", reason, target.getKind(), target.getMetadata().getName(), e.getMessage());
      }
      return false;
    }
  }
}
