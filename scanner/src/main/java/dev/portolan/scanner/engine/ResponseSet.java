package dev.portolan.scanner.engine;

import java.util.Arrays;

/**
 * The indexes that have answered, so each target is reported once however many replies arrive
 * (retries, retransmitted SYN-ACKs) and retry passes skip what already answered. An open-addressing
 * set of primitive longs: no boxing on the receive path. Past {@code limit} entries it stops
 * recording closed ports (open ones are always kept), so a huge scan's memory stays bounded; retries
 * then re-probe some closed ports, which costs packets, never results.
 */
final class ResponseSet {
  private long[] slots = new long[1 << 12];
  private int size;
  private final int limit;

  ResponseSet(int limit) {
    this.limit = limit;
  }

  /** Records {@code index}; returns false when it was already there. */
  synchronized boolean add(long index, boolean mustKeep) {
    if (contains0(index)) {
      return false;
    }
    if (size >= limit && !mustKeep) {
      return true;
    }
    if ((size + 1) * 2 > slots.length) {
      grow();
    }
    insert(slots, index + 1);
    size++;
    return true;
  }

  synchronized boolean contains(long index) {
    return contains0(index);
  }

  synchronized int size() {
    return size;
  }

  private boolean contains0(long index) {
    long key = index + 1;
    int mask = slots.length - 1;
    for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
      long k = slots[i];
      if (k == key) {
        return true;
      }
      if (k == 0) {
        return false;
      }
    }
  }

  private static void insert(long[] table, long key) {
    int mask = table.length - 1;
    int i = hash(key) & mask;
    while (table[i] != 0) {
      i = (i + 1) & mask;
    }
    table[i] = key;
  }

  private void grow() {
    long[] bigger = new long[slots.length * 2];
    for (long k : slots) {
      if (k != 0) {
        insert(bigger, k);
      }
    }
    slots = bigger;
  }

  private static int hash(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  @Override
  public synchronized String toString() {
    return "ResponseSet[" + size + " of " + Arrays.stream(slots).filter(k -> k != 0).count() + "]";
  }
}
