package dev.portolan.scanner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("SynCookie")
class SynCookieTest {
  /** The key 00 01 02 .. 0f of the SipHash paper's test vectors, as two little-endian words. */
  private static final long K0 = 0x0706050403020100L;

  private static final long K1 = 0x0f0e0d0c0b0a0908L;

  /**
   * SipHash-2-4 as specified (Aumasson and Bernstein, 2012), for messages of any length: a plain
   * reference, written from the paper and not from SynCookie, so the two can check each other.
   */
  static long sipHash24(long k0, long k1, byte[] message) {
    long[] v = {
      k0 ^ 0x736f6d6570736575L, k1 ^ 0x646f72616e646f6dL, k0 ^ 0x6c7967656e657261L, k1 ^ 0x7465646279746573L
    };
    int whole = message.length / 8 * 8;
    for (int i = 0; i < whole; i += 8) {
      long m = 0;
      for (int j = 7; j >= 0; j--) {
        m = (m << 8) | (message[i + j] & 0xffL);
      }
      compress(v, m);
    }
    long last = (long) (message.length & 0xff) << 56;
    for (int j = 0; j < message.length - whole; j++) {
      last |= (message[whole + j] & 0xffL) << (8 * j);
    }
    compress(v, last);
    v[2] ^= 0xff;
    for (int r = 0; r < 4; r++) {
      sipRound(v);
    }
    return v[0] ^ v[1] ^ v[2] ^ v[3];
  }

  private static void compress(long[] v, long m) {
    v[3] ^= m;
    sipRound(v);
    sipRound(v);
    v[0] ^= m;
  }

  private static void sipRound(long[] v) {
    v[0] += v[1];
    v[1] = Long.rotateLeft(v[1], 13);
    v[1] ^= v[0];
    v[0] = Long.rotateLeft(v[0], 32);
    v[2] += v[3];
    v[3] = Long.rotateLeft(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = Long.rotateLeft(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = Long.rotateLeft(v[1], 17);
    v[1] ^= v[2];
    v[2] = Long.rotateLeft(v[2], 32);
  }

  private static byte[] counting(int length) {
    byte[] m = new byte[length];
    for (int i = 0; i < length; i++) {
      m[i] = (byte) i;
    }
    return m;
  }

  /** The 12-byte message a cookie hashes: srcIp, dstIp (4 bytes each), srcPort, dstPort (2 each), little-endian. */
  private static byte[] tuple(int srcIp, int srcPort, int dstIp, int dstPort) {
    return new byte[] {
      (byte) srcIp, (byte) (srcIp >>> 8), (byte) (srcIp >>> 16), (byte) (srcIp >>> 24),
      (byte) dstIp, (byte) (dstIp >>> 8), (byte) (dstIp >>> 16), (byte) (dstIp >>> 24),
      (byte) srcPort, (byte) (srcPort >>> 8),
      (byte) dstPort, (byte) (dstPort >>> 8)
    };
  }

  private static int fold(long h) {
    return (int) (h ^ (h >>> 32));
  }

  @Nested
  @DisplayName("the reference SipHash-2-4 in this test")
  class Reference {
    @Test
    @DisplayName("gives the paper's vector for key 00..0f and message 00..0e: a129ca6149be45e5")
    void paperVector() {
      assertThat(sipHash24(K0, K1, counting(15))).isEqualTo(0xa129ca6149be45e5L);
    }

    @Test
    @DisplayName("gives the reference code's vectors for messages 00.. of every length 0 to 15")
    void referenceVectors() {
      // vectors_sip64[0..15] of the SipHash reference implementation: the hash as 8 bytes, little-endian.
      String[] vectors = {
        "31 0e 0e dd 47 db 6f 72",
        "fd 67 dc 93 c5 39 f8 74",
        "5a 4f a9 d9 09 80 6c 0d",
        "2d 7e fb d7 96 66 67 85",
        "b7 87 71 27 e0 94 27 cf",
        "8d a6 99 cd 64 55 76 18",
        "ce e3 fe 58 6e 46 c9 cb",
        "37 d1 01 8b f5 00 02 ab",
        "62 24 93 9a 79 f5 f5 93",
        "b0 e4 a9 0b df 82 00 9e",
        "f3 b9 dd 94 c5 bb 5d 7a",
        "a7 ad 6b 22 46 2f b3 f4",
        "fb e5 0e 86 bc 8f 1e 75",
        "90 3d 84 c0 27 56 ea 14",
        "ee f2 7a 8e 90 ca 23 f7",
        "e5 45 be 49 61 ca 29 a1"
      };
      for (int length = 0; length < vectors.length; length++) {
        byte[] le = java.util.HexFormat.ofDelimiter(" ").parseHex(vectors[length]);
        long expected = java.nio.ByteBuffer.wrap(le).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(sipHash24(K0, K1, counting(length))).as("message of %d bytes", length).isEqualTo(expected);
      }
    }
  }

  @Nested
  @DisplayName("of(srcIp, srcPort, dstIp, dstPort)")
  class Of {
    @Test
    @DisplayName("is the folded SipHash-2-4 of the 12-byte little-endian 4-tuple, under the paper's key")
    void matchesReferenceWithPaperKey() {
      SynCookie cookie = new SynCookie(K0, K1);
      int srcIp = 0xc6120001; // 198.18.0.1
      int dstIp = 0xc612000a; // 198.18.0.10
      assertThat(cookie.of(srcIp, 40000, dstIp, 22))
          .isEqualTo(fold(sipHash24(K0, K1, tuple(srcIp, 40000, dstIp, 22))));
    }

    @Test
    @DisplayName("matches the reference for 100,000 random keys and 4-tuples, edge values included")
    void matchesReferenceForRandomInputs() {
      SplittableRandom random = new SplittableRandom(31);
      int[] edgeInts = {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE};
      int[] edgePorts = {0, 1, 0x8000, 65_535};
      for (int i = 0; i < 100_000; i++) {
        long k0 = random.nextLong();
        long k1 = random.nextLong();
        int srcIp = i < 16 ? edgeInts[i % 4] : random.nextInt();
        int dstIp = i < 16 ? edgeInts[i / 4] : random.nextInt();
        int srcPort = i < 16 ? edgePorts[i % 4] : random.nextInt(65_536);
        int dstPort = i < 16 ? edgePorts[i / 4] : random.nextInt(65_536);
        assertThat(new SynCookie(k0, k1).of(srcIp, srcPort, dstIp, dstPort))
            .as("key %016x %016x tuple %08x:%d -> %08x:%d", k0, k1, srcIp, srcPort, dstIp, dstPort)
            .isEqualTo(fold(sipHash24(k0, k1, tuple(srcIp, srcPort, dstIp, dstPort))));
      }
    }

    @Test
    @DisplayName("is deterministic for a key, and differs under another key")
    void keyed() {
      SynCookie a = new SynCookie(K0, K1);
      SynCookie sameKey = new SynCookie(K0, K1);
      SynCookie otherK0 = new SynCookie(K0 + 1, K1);
      SynCookie otherK1 = new SynCookie(K0, K1 ^ 0x8000000000000000L);
      SplittableRandom random = new SplittableRandom(4);
      int equalUnderOtherKey = 0;
      for (int i = 0; i < 10_000; i++) {
        int srcIp = random.nextInt();
        int dstIp = random.nextInt();
        int srcPort = random.nextInt(65_536);
        int dstPort = random.nextInt(65_536);
        int c = a.of(srcIp, srcPort, dstIp, dstPort);
        assertThat(sameKey.of(srcIp, srcPort, dstIp, dstPort)).isEqualTo(c);
        if (otherK0.of(srcIp, srcPort, dstIp, dstPort) == c
            || otherK1.of(srcIp, srcPort, dstIp, dstPort) == c) {
          equalUnderOtherKey++;
        }
      }
      // Chance agreement is 2^-32 per pair: 20,000 pairs should essentially never agree.
      assertThat(equalUnderOtherKey).isZero();
    }

    @Test
    @DisplayName("two random keys give different cookies")
    void randomKeys() {
      int a = SynCookie.random().of(1, 2, 3, 4);
      int b = SynCookie.random().of(1, 2, 3, 4);
      int c = SynCookie.random().of(1, 2, 3, 4);
      assertThat(a == b && b == c).as("three random keys agreeing (chance 2^-64)").isFalse();
    }

    @Test
    @DisplayName("tells the direction apart: swapping source and destination changes the cookie")
    void directional() {
      SynCookie cookie = new SynCookie(K0, K1);
      assertThat(cookie.of(0xc6120001, 40000, 0xc612000a, 22))
          .isNotEqualTo(cookie.of(0xc612000a, 22, 0xc6120001, 40000));
      assertThat(cookie.of(0xc6120001, 22, 0xc612000a, 40000))
          .isNotEqualTo(cookie.of(0xc6120001, 40000, 0xc612000a, 22));
    }
  }

  @Nested
  @DisplayName("matches(ack, 4-tuple)")
  class Matches {
    private final SynCookie cookie = new SynCookie(0x1234_5678_9abc_def0L, 0x0fed_cba9_8765_4321L);

    @Test
    @DisplayName("accepts an acknowledgement of cookie + 1 for the cookie's own 4-tuple, wrapping at 2^32")
    void acceptsOwnTuple() {
      SplittableRandom random = new SplittableRandom(8);
      for (int i = 0; i < 10_000; i++) {
        int srcIp = random.nextInt();
        int dstIp = random.nextInt();
        int srcPort = random.nextInt(65_536);
        int dstPort = random.nextInt(65_536);
        int ack = cookie.of(srcIp, srcPort, dstIp, dstPort) + 1;
        assertThat(cookie.matches(ack, srcIp, srcPort, dstIp, dstPort)).isTrue();
        assertThat(cookie.matches(ack - 1, srcIp, srcPort, dstIp, dstPort)).as("the bare cookie").isFalse();
        assertThat(cookie.matches(ack + 1, srcIp, srcPort, dstIp, dstPort)).isFalse();
      }
    }

    @Test
    @DisplayName("rejects it when any field of the 4-tuple changes, even by one bit")
    void rejectsOtherTuples() {
      SplittableRandom random = new SplittableRandom(9);
      int accepted = 0;
      for (int i = 0; i < 10_000; i++) {
        int srcIp = random.nextInt();
        int dstIp = random.nextInt();
        int srcPort = random.nextInt(65_536);
        int dstPort = random.nextInt(65_536);
        int ack = cookie.of(srcIp, srcPort, dstIp, dstPort) + 1;
        int bit = random.nextInt(32);
        int portBit = random.nextInt(16);
        if (cookie.matches(ack, srcIp ^ (1 << bit), srcPort, dstIp, dstPort)) {
          accepted++;
        }
        if (cookie.matches(ack, srcIp, srcPort ^ (1 << portBit), dstIp, dstPort)) {
          accepted++;
        }
        if (cookie.matches(ack, srcIp, srcPort, dstIp ^ (1 << bit), dstPort)) {
          accepted++;
        }
        if (cookie.matches(ack, srcIp, srcPort, dstIp, dstPort ^ (1 << portBit))) {
          accepted++;
        }
        if (cookie.matches(ack, srcIp, dstPort, dstIp, srcPort) && srcPort != dstPort) {
          accepted++;
        }
      }
      // 50,000 forgeries, each accepted with chance 2^-32.
      assertThat(accepted).isZero();
    }

    @Test
    @DisplayName("rejects it under another key")
    void rejectsOtherKey() {
      SynCookie other = new SynCookie(0x1234_5678_9abc_def1L, 0x0fed_cba9_8765_4321L);
      int ack = cookie.of(0xc6120001, 40000, 0xc612000a, 443) + 1;
      assertThat(other.matches(ack, 0xc6120001, 40000, 0xc612000a, 443)).isFalse();
    }
  }
}
