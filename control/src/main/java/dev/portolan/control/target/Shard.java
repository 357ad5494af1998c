package dev.portolan.control.target;

import dev.portolan.control.UsageException;

/**
 * Shard {@code index} of {@code count} (0-based) takes every count-th position of the keyed order,
 * starting at {@code index}: shards are disjoint and together cover every position.
 */
public record Shard(int index, int count) {
  public static final Shard WHOLE = new Shard(0, 1);

  public Shard {
    if (count < 1 || index < 0 || index >= count) {
      throw new IllegalArgumentException("bad shard " + index + "/" + count);
    }
  }

  /** Parses the CLI form {@code K/N} with K counted from 1, as masscan's {@code --shard}. */
  public static Shard parse(String text) {
    String[] parts = text.strip().split("/", -1);
    if (parts.length == 2) {
      try {
        int k = Integer.parseInt(parts[0].strip());
        int n = Integer.parseInt(parts[1].strip());
        if (n >= 1 && k >= 1 && k <= n) {
          return new Shard(k - 1, n);
        }
      } catch (NumberFormatException e) {
        // fall through to the message
      }
    }
    throw new UsageException(
        "bad shard '" + text + "': write K/N with 1 <= K <= N, like 1/4 for the first of four");
  }

  /** How many positions of a space of {@code total} this shard holds. */
  public long length(long total) {
    return total <= index ? 0 : (total - index - 1) / count + 1;
  }

  /** The position in the whole keyed order of this shard's {@code i}-th position. */
  public long position(long i) {
    return index + i * count;
  }

  /** The shard's own position {@code i} of a position in the whole keyed order; -1 when another shard's. */
  public long local(long position) {
    long d = position - index;
    return d < 0 || d % count != 0 ? -1 : d / count;
  }

  @Override
  public String toString() {
    return (index + 1) + "/" + count;
  }
}
