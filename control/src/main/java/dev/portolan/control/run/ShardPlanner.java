package dev.portolan.control.run;

import dev.portolan.crds.v1alpha1.ScanReportSpec.ShardAssignment;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Splits a run across the ready scanner agents: one shard per agent (up to {@code maxShards}), and
 * each agent a share of the policy's rate, so the run as a whole never exceeds it; no share exceeds
 * the guard's per-node cap either.
 */
public final class ShardPlanner {
  private ShardPlanner() {}

  public static List<ShardAssignment> plan(List<String> readyNodes, long rate, Integer maxShards, long maxRatePerNode) {
    List<String> nodes = new ArrayList<>(new TreeSet<>(readyNodes));
    int count = Math.min(nodes.size(), maxShards == null ? Integer.MAX_VALUE : maxShards);
    // More shards than probes per second would give some agents a rate of 0.
    count = (int) Math.min(count, Math.max(1, rate));
    List<ShardAssignment> shards = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long share = rate / count + (i < rate % count ? 1 : 0);
      shards.add(new ShardAssignment(i, count, nodes.get(i), Math.min(share, maxRatePerNode)));
    }
    return shards;
  }
}
