package dev.portolan.scanner.engine;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a scan has counted, kept so that any recent position can be a resume point with exact
 * counts ({@link Checkpoint}). A resumed scan probes again every target at or after its resume
 * point's place in the pass, in every remaining pass; so the closed ports that go with a resume
 * point are those of the targets before that place, and the probes sent those at positions before
 * it. Replies are counted by their target's place ({@code local}: the shard's position in one
 * pass) in buckets of {@code width} places; probes by the running total at each bucket boundary
 * the sender crosses. A resume point is therefore always a bucket boundary (or where the scan
 * started a pass), at most one bucket before the position asked for: a resumed scan repeats at
 * most {@code width} probes per pass, and counts them once.
 *
 * <p>One sender thread writes boundaries, one receiver thread (or the probes' own threads, for
 * connects) counts replies; any thread takes checkpoints.
 */
public final class ProgressLedger {
  /** At most this many buckets per shard (1 MiB of counters for sent and closed). */
  static final int MAX_BUCKETS = 65_536;
  /** Boundaries remembered: the resume point is rarely more than a few seconds behind the sender. */
  static final int BOUNDARIES = 8_192;

  private final long passLength;
  private final int shift;
  private final AtomicLongArray closed;
  private final AtomicLongArray sentByPlace;
  private final long[] positions = new long[BOUNDARIES];
  private final long[] sentAt = new long[BOUNDARIES];
  /** Boundaries recorded so far (the ring holds the last {@link #BOUNDARIES}). */
  private long recorded;
  private final long start;

  /**
   * @param passLength the shard's positions in one pass
   * @param start the position the scan starts (or resumes) from, a resume point with nothing counted
   */
  public ProgressLedger(long passLength, long start) {
    this.passLength = Math.max(1, passLength);
    int s = 10;
    while ((this.passLength >> s) >= MAX_BUCKETS) {
      s++;
    }
    this.shift = s;
    int buckets = (int) ((this.passLength >> s) + 1);
    this.closed = new AtomicLongArray(buckets);
    this.sentByPlace = new AtomicLongArray(buckets);
    this.start = start;
    boundary(start, 0);
  }

  /** Places per bucket: a power of two. */
  public long width() {
    return 1L << shift;
  }

  /** Whether the sender, about to send at {@code place} of a pass, stands on a bucket boundary. */
  public boolean isBoundary(long place) {
    return (place & ((1L << shift) - 1)) == 0;
  }

  /** The sender stands at {@code position} (over all passes) having sent {@code sent} probes in all. */
  public synchronized void boundary(long position, long sent) {
    if (recorded > 0 && positions[(int) ((recorded - 1) % BOUNDARIES)] >= position) {
      return;
    }
    int slot = (int) (recorded % BOUNDARIES);
    positions[slot] = position;
    sentAt[slot] = sent;
    recorded++;
  }

  /** A closed port answered for the target at {@code place}. */
  public void closed(long place) {
    if (place >= 0 && place < passLength) {
      closed.incrementAndGet((int) (place >> shift));
    }
  }

  /** A probe went to the target at {@code place} (connects, which make every attempt at once). */
  public void sent(long place) {
    if (place >= 0 && place < passLength) {
      sentByPlace.incrementAndGet((int) (place >> shift));
    }
  }

  /** The latest boundary at or before {@code safe}, with its counts (probes from the sender's totals). */
  public Checkpoint checkpoint(long safe) {
    long position;
    long sent;
    synchronized (this) {
      position = start;
      sent = 0;
      for (long k = recorded - 1; k >= Math.max(0, recorded - BOUNDARIES); k--) {
        int slot = (int) (k % BOUNDARIES);
        if (positions[slot] <= safe) {
          position = positions[slot];
          sent = sentAt[slot];
          break;
        }
      }
    }
    return new Checkpoint(position, sent, below(closed, position % passLength));
  }

  /**
   * For connects, whose positions are places (every attempt made at once): the latest bucket
   * boundary at or before {@code safePlace}, not before the start, with the probes and closed
   * ports of the targets before it.
   */
  public Checkpoint placeCheckpoint(long safePlace) {
    long place = Math.max(start, (safePlace >> shift) << shift);
    place = Math.min(place, Math.max(start, safePlace));
    return new Checkpoint(place, below(sentByPlace, place), below(closed, place));
  }

  /** The counts of every bucket wholly before {@code place}: a bucket holding the start holds nothing before it. */
  private long below(AtomicLongArray counts, long place) {
    long sum = 0;
    int end = (int) Math.min(counts.length(), place >> shift);
    for (int b = 0; b < end; b++) {
      sum += counts.get(b);
    }
    return sum;
  }
}
