package dev.portolan.control.run;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * Deterministic names: the same policy generation or the same scheduled minute always names the
 * same run, so an operator that restarts (or two replicas racing) can never start a run twice.
 * Run names are also label values, so they stay within 63 characters.
 */
public final class RunNames {
  private static final int MAX = 63;
  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyyMMdd-HHmm");

  private RunNames() {}

  /** The run for a policy's spec generation (policies without a schedule). */
  public static String forGeneration(String policy, long generation) {
    return fit(policy, "g" + generation);
  }

  /** The run for a scheduled time. */
  public static String forSchedule(String policy, ZonedDateTime due) {
    return fit(policy, MINUTE.format(due.withZoneSameInstant(java.time.ZoneOffset.UTC)));
  }

  /**
   * A run started by hand on a person's machine ({@code portolan run}): named by the second it
   * started, so successive runs of one policy get distinct names.
   */
  public static String forLocalRun(String policy, java.time.Instant started) {
    return fit(policy, "local-" + SECOND.format(started.atZone(java.time.ZoneOffset.UTC)));
  }

  private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  /** A page of findings: shard and page number within the run. */
  public static String page(String run, int shard, int page) {
    return run + "-s" + shard + "-p" + page;
  }

  /** A page of the run's address index. */
  public static String indexPage(String run, int page) {
    return run + "-t" + page;
  }

  private static String fit(String policy, String suffix) {
    String name = policy + "-" + suffix;
    if (name.length() <= MAX) {
      return name;
    }
    String hash = hash(policy).substring(0, 8);
    int keep = MAX - suffix.length() - hash.length() - 2;
    String head = policy.substring(0, keep).replaceAll("[-.]+$", "");
    return head + "-" + hash + "-" + suffix;
  }

  /** The value of a {@link #nodeLabel}. */
  public static final String NODE_LABEL_VALUE = "true";

  /**
   * The label a run carries for each node that has a shard of it, so each agent watches only the
   * runs that name its node (a label selector) instead of every run and every other agent's
   * progress. The key is a hash of the node's name: names may be longer than a label key allows.
   */
  public static String nodeLabel(String node) {
    return "node.portolan.dev/" + hash(node).substring(0, 24);
  }

  /** The node labels of a shard plan. */
  public static java.util.Map<String, String> nodeLabels(java.util.Collection<String> nodes) {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    for (String n : nodes) {
      out.put(nodeLabel(n), NODE_LABEL_VALUE);
    }
    return out;
  }

  /** Hex SHA-256 of a text: names, and the audit record's spec hash. */
  public static String hash(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
