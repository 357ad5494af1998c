package dev.portolan.control.guard;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.portolan.control.UsageException;
import dev.portolan.control.target.Scope;
import dev.portolan.crds.v1alpha1.ScanReportSpec.GuardSnapshot;
import java.io.IOException;
import java.util.List;

/**
 * The cluster's scan guard: which address ranges policies may scan at all, which are never
 * scanned whatever a policy says, and rate caps. Read from a YAML file (the Helm chart renders it
 * from values); every missing field takes the safe default.
 *
 * @param allowedCidrs ranges a policy's scope must stay inside; by default the private,
 *     shared-address and benchmarking ranges, never the public internet
 * @param alwaysExcluded ranges removed from every scope: link-local (with the cloud metadata
 *     address 169.254.169.254), loopback, "this network", multicast and reserved space, and
 *     Alibaba's metadata address inside the shared range
 * @param namespaces what each namespace's policies may reach beyond their own namespace's Pods
 *     and Services ({@link NamespaceGrant}); none by default, so that a team can scan only what it
 *     runs itself
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GuardConfig(
    List<String> allowedCidrs,
    List<String> alwaysExcluded,
    Long maxRatePerPolicy,
    Long maxRatePerNode,
    List<NamespaceGrant> namespaces) {

  public static final List<String> DEFAULT_ALLOWED =
      List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "198.18.0.0/15");
  public static final List<String> DEFAULT_EXCLUDED =
      List.of("169.254.0.0/16", "127.0.0.0/8", "0.0.0.0/8", "224.0.0.0/3", "100.100.100.200/32");
  public static final long DEFAULT_MAX_RATE_PER_POLICY = 10_000;
  public static final long DEFAULT_MAX_RATE_PER_NODE = 50_000;

  public GuardConfig {
    allowedCidrs = allowedCidrs == null ? DEFAULT_ALLOWED : List.copyOf(allowedCidrs);
    alwaysExcluded = alwaysExcluded == null ? DEFAULT_EXCLUDED : List.copyOf(alwaysExcluded);
    maxRatePerPolicy = maxRatePerPolicy == null ? DEFAULT_MAX_RATE_PER_POLICY : maxRatePerPolicy;
    maxRatePerNode = maxRatePerNode == null ? DEFAULT_MAX_RATE_PER_NODE : maxRatePerNode;
    // Not List.copyOf: an empty entry in the file is the user's to hear about from check(), not an NPE.
    namespaces = namespaces == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(namespaces));
  }

  /** A guard without namespace grants: every namespace reaches only its own Pods and Services. */
  public GuardConfig(List<String> allowedCidrs, List<String> alwaysExcluded, Long maxRatePerPolicy, Long maxRatePerNode) {
    this(allowedCidrs, alwaysExcluded, maxRatePerPolicy, maxRatePerNode, null);
  }

  public static GuardConfig defaults() {
    return new GuardConfig(null, null, null, null, null);
  }

  /** This guard with {@code grants} in place of its namespace grants. */
  public GuardConfig withNamespaces(List<NamespaceGrant> grants) {
    return new GuardConfig(allowedCidrs, alwaysExcluded, maxRatePerPolicy, maxRatePerNode, grants);
  }

  /**
   * The grant for {@code namespace}'s policies: its own, else the one for every namespace
   * ({@code "*"}), else none (its own namespace's Pods and Services only).
   */
  public java.util.Optional<NamespaceGrant> grantFor(String namespace) {
    java.util.Optional<NamespaceGrant> own = namespaces.stream().filter(g -> g.name().equals(namespace)).findFirst();
    return own.isPresent() ? own : namespaces.stream().filter(g -> NamespaceGrant.EVERY.equals(g.name())).findFirst();
  }

  /**
   * The guard of {@code portolan run} on a person's own machine when no guard file is given: the
   * cluster defaults plus this host's loopback, and a rate cap that leaves the policy's own rate in
   * charge. Cloud metadata and link-local space stay excluded. There is no tenant to keep apart on
   * one's own machine: every namespace is granted everything the guard allows.
   */
  public static GuardConfig localDefaults() {
    List<String> allowed = new java.util.ArrayList<>(DEFAULT_ALLOWED);
    allowed.add("127.0.0.0/8");
    List<String> excluded = DEFAULT_EXCLUDED.stream().filter(r -> !r.equals("127.0.0.0/8")).toList();
    return new GuardConfig(allowed, excluded, 1_000_000L, 1_000_000L, List.of(NamespaceGrant.everything(allowed)));
  }

  /**
   * Parses a guard file's text ({@code source} names it in messages); a mistake in it is the
   * user's to fix (exit 2, one line). Reading the file is the caller's: this package does no I/O.
   */
  public static GuardConfig parse(String text, String source) {
    try {
      GuardConfig g =
          text.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#") || l.strip().equals("---"))
              ? null
              : new ObjectMapper(new YAMLFactory())
                  .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                  .readValue(text, GuardConfig.class);
      g = g == null ? defaults() : g;
      g.check();
      return g;
    } catch (IOException e) {
      throw new UsageException("cannot read the guard file '" + source + "': " + firstLine(e.getMessage()));
    }
  }

  private void check() {
    try {
      dev.portolan.control.target.Scope.parseList(allowedCidrs);
      dev.portolan.control.target.Scope.parseList(alwaysExcluded);
    } catch (UsageException e) {
      throw new UsageException("guard: " + e.getMessage());
    }
    if (maxRatePerPolicy < 1 || maxRatePerNode < 1) {
      throw new UsageException("guard: maxRatePerPolicy and maxRatePerNode must be at least 1");
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < namespaces.size(); i++) {
      NamespaceGrant g = namespaces.get(i);
      if (g == null) {
        throw new UsageException("guard: namespaces[" + i + "] is empty; give name and what it grants");
      }
      g.check(i);
      if (!names.add(g.name())) {
        throw new UsageException("guard: namespace '" + g.name() + "' has two grants; merge them into one");
      }
    }
  }

  public GuardSnapshot snapshot() {
    return new GuardSnapshot(allowedCidrs, alwaysExcluded, maxRatePerPolicy, maxRatePerNode);
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
