package dev.portolan.bench;

import dev.portolan.control.target.AddressRange;
import dev.portolan.control.target.AddressSet;
import dev.portolan.control.target.PortSet;
import dev.portolan.control.target.ScanSpace;
import dev.portolan.control.target.ScopePermutation;
import dev.portolan.scanner.engine.SynCookie;
import dev.portolan.scanner.packet.SynProbeFrame;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-probe CPU path of the SYN engine, as the transmit loop runs it: keyed permutation of the
 * position, index to (address, port), SYN cookie, frame written in place. Reported as probes per
 * second on one thread; {@code -prof gc} shows the allocation (it should be 0 B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ProbePathBenchmark {
  private static final int BATCH = 256;

  private ScanSpace space;
  private ScopePermutation order;
  private SynCookie cookie;
  private SynProbeFrame frame;
  private MemorySegment ring;
  private long position;

  @Setup
  public void setUp() {
    // The bench script's space: 198.18.0.0/16 x 16 ports.
    space =
        new ScanSpace(
            AddressSet.of(AddressRange.parse("198.18.0.0/16")),
            PortSet.parse("21,22,23,25,53,80,110,143,443,445,993,3306,5432,6379,8080,8443"));
    order = new ScopePermutation(space.size(), 42);
    cookie = new SynCookie(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);
    frame = new SynProbeFrame(0x020000000001L, 0x020000000002L, 0xc6130002, 12345);
    ring = Arena.ofAuto().allocate(128L * BATCH, 64);
  }

  /** One batch of 256 probes, as one flush of the transmit ring. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public MemorySegment probes() {
    long n = space.size();
    for (int i = 0; i < BATCH; i++) {
      long index = order.at(position);
      position = position + 1 == n ? 0 : position + 1;
      int dst = space.addressAt(index);
      int dport = space.portAt(index);
      int sport = 61000 + (int) (index % 1000);
      int seq = cookie.of(0xc6130002, sport, dst, dport);
      frame.write(ring, 128L * i + 32, dst, sport, dport, seq, seq >>> 16);
    }
    return ring;
  }

  /** The permutation alone. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long permutation() {
    long acc = 0;
    long n = space.size();
    for (int i = 0; i < BATCH; i++) {
      acc += order.at(position);
      position = position + 1 == n ? 0 : position + 1;
    }
    return acc;
  }

  /** The SYN cookie alone. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int cookie() {
    int acc = 0;
    for (int i = 0; i < BATCH; i++) {
      acc += cookie.of(0xc6130002, 61000 + i, 0xc6120000 + i, 80);
    }
    return acc;
  }
}
