package dev.portolan.control.target;

/**
 * A keyed bijection of [0, n): the order in which probes go out. The same seed gives the same order
 * (which is what makes resume and disjoint shards possible); different seeds give unrelated orders.
 *
 * <p>A generalized Feistel network over a x b >= n (Black and Rogaway's FE2, the construction
 * behind masscan's blackrock), made exact by cycle walking: values that land in [n, a x b) are
 * encrypted again until they fall inside. With a = ceil(sqrt(n)) the walk is short (a x b - n <
 * a). Each round is a 64-bit mix reduced by multiply-shift, so the hot path has one division.
 */
public final class ScopePermutation {
  private static final int ROUNDS = 4;

  private final long n;
  private final long a;
  private final long b;
  private final long k1;
  private final long k2;
  private final long k3;
  private final long k4;

  public ScopePermutation(long n, long seed) {
    if (n <= 0) {
      throw new IllegalArgumentException("empty space");
    }
    this.n = n;
    long sa = (long) Math.sqrt((double) n);
    while (sa * sa < n) {
      sa++;
    }
    while (sa > 1 && (sa - 1) * (sa - 1) >= n) {
      sa--;
    }
    this.a = sa;
    this.b = (n + sa - 1) / sa;
    long s = seed;
    this.k1 = splitMix(s += 0x9E3779B97F4A7C15L);
    this.k2 = splitMix(s += 0x9E3779B97F4A7C15L);
    this.k3 = splitMix(s += 0x9E3779B97F4A7C15L);
    this.k4 = splitMix(s + 0x9E3779B97F4A7C15L);
  }

  public long size() {
    return n;
  }

  /** The element at position {@code i} of the keyed order, for i in [0, n). */
  public long at(long i) {
    long c = encrypt(i);
    while (c >= n) {
      c = encrypt(c);
    }
    return c;
  }

  /**
   * The position of {@code element} in the keyed order: the inverse of {@link #at}, so that a reply
   * can be traced to the probe that asked for it. Cycle walking inverts as it encrypts: decrypt
   * until the value falls inside [0, n).
   */
  public long indexOf(long element) {
    if (element < 0 || element >= n) {
      throw new IllegalArgumentException(element + " is outside [0, " + n + ")");
    }
    long m = decrypt(element);
    while (m >= n) {
      m = decrypt(m);
    }
    return m;
  }

  /** The rounds of {@link #encrypt} undone in reverse order. */
  private long decrypt(long c) {
    long left = c % a;
    long right = c / a;
    // Each round mapped (left, right) to (right, left + f(right) mod m); undone: (right - f(left) mod m, left).
    long t = right - reduce(mix(left ^ k4), b);
    right = left;
    left = t < 0 ? t + b : t;
    t = right - reduce(mix(left ^ k3), a);
    right = left;
    left = t < 0 ? t + a : t;
    t = right - reduce(mix(left ^ k2), b);
    right = left;
    left = t < 0 ? t + b : t;
    t = right - reduce(mix(left ^ k1), a);
    right = left;
    left = t < 0 ? t + a : t;
    return a * right + left;
  }

  private long encrypt(long m) {
    long left = m % a;
    long right = m / a;
    // Rounds alternate between the moduli a and b; after an even number the halves are back in
    // their ranges and recombine as a * right + left.
    long t = left + reduce(mix(right ^ k1), a);
    left = right;
    right = t >= a ? t - a : t;
    t = left + reduce(mix(right ^ k2), b);
    left = right;
    right = t >= b ? t - b : t;
    t = left + reduce(mix(right ^ k3), a);
    left = right;
    right = t >= a ? t - a : t;
    t = left + reduce(mix(right ^ k4), b);
    left = right;
    right = t >= b ? t - b : t;
    return a * right + left;
  }

  static int rounds() {
    return ROUNDS;
  }

  /** Maps a 64-bit hash into [0, bound) without division (Lemire); bound < 2^32 here. */
  private static long reduce(long hash, long bound) {
    return ((hash >>> 32) * bound) >>> 32;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  private static long splitMix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
