package dev.portolan.scanner.link;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A memory-mapped AF_PACKET receive ring (TPACKET_V2) behind a BPF filter, so only TCP replies
 * addressed to our source address and port range are copied to user space, into a 16 MiB ring
 * that absorbs bursts while the reader catches up. Replies are decoded in place from the ring.
 */
public final class RxRing implements AutoCloseable {
  private static final int FRAME_SIZE = 256;
  private static final int BLOCK_SIZE = 1 << 16;
  private static final int BLOCK_COUNT = 256;
  private static final int FRAMES = BLOCK_SIZE / FRAME_SIZE * BLOCK_COUNT;
  private static final int TP_STATUS_KERNEL = 0;
  private static final int TP_STATUS_USER = 1;

  /** Receives one frame: the ring memory, the frame's offset and captured length. */
  @FunctionalInterface
  public interface FrameHandler {
    void onFrame(MemorySegment memory, long offset, int length);
  }

  private final int fd;
  private final MemorySegment ring;
  private int slot;

  private RxRing(int fd, MemorySegment ring) {
    this.fd = fd;
    this.ring = ring;
  }

  /**
   * Opens the ring on {@code ifname}, filtered to TCP to {@code dstIp} with destination port in
   * [portLow, portHigh]. The filter is attached before the socket is bound, so nothing unfiltered
   * is ever queued.
   */
  public static RxRing open(String ifname, int dstIp, int portLow, int portHigh) throws LinkException {
    int ifindex = Interfaces.index(ifname);
    int fd = PacketSockets.open();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment prog = ReplyFilter.program(arena, dstIp, portLow, portHigh);
      if (Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_ATTACH_FILTER, prog) != 0) {
        throw new LinkException("setsockopt(SO_ATTACH_FILTER)", Libc.errno());
      }
      PacketSockets.setInt(fd, Libc.SOL_PACKET, Libc.PACKET_VERSION, Libc.TPACKET_V2, "PACKET_VERSION");
      try {
        PacketSockets.setInt(fd, Libc.SOL_PACKET, Libc.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
      } catch (LinkException e) {
        // Older kernels show our own probes too; the decoder ignores frames that are not replies.
      }
      PacketSockets.ring(fd, Libc.PACKET_RX_RING, BLOCK_SIZE, BLOCK_COUNT, FRAME_SIZE);
      MemorySegment ring = PacketSockets.map(fd, (long) BLOCK_SIZE * BLOCK_COUNT);
      PacketSockets.bind(fd, ifindex, PacketSockets.ETH_P_ALL);
      return new RxRing(fd, ring);
    } catch (LinkException e) {
      PacketSockets.close(fd);
      throw e;
    }
  }

  /**
   * Hands every frame waiting in the ring to {@code handler}, then, if there was none, waits up
   * to {@code timeoutMillis} for one. Returns the number of frames handled.
   */
  public int poll(FrameHandler handler, int timeoutMillis) {
    int handled = 0;
    while (true) {
      long header = (long) slot * FRAME_SIZE;
      int status = ring.get(ValueLayout.JAVA_INT, header);
      VarHandle.acquireFence();
      if ((status & TP_STATUS_USER) == 0) {
        if (handled > 0 || timeoutMillis <= 0) {
          return handled;
        }
        PacketSockets.poll(fd, Libc.POLLIN, timeoutMillis);
        timeoutMillis = 0;
        continue;
      }
      int snaplen = ring.get(ValueLayout.JAVA_INT, header + 8);
      int mac = ring.get(ValueLayout.JAVA_SHORT, header + 12) & 0xffff;
      if (mac + snaplen <= FRAME_SIZE) {
        handler.onFrame(ring, header + mac, snaplen);
      }
      VarHandle.releaseFence();
      ring.set(ValueLayout.JAVA_INT, header, TP_STATUS_KERNEL);
      slot = slot + 1 == FRAMES ? 0 : slot + 1;
      handled++;
    }
  }

  /** Frames the kernel dropped because the ring was full since the last call (then reset). */
  public long drops() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment stats = arena.allocate(8, 4);
      MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, 8);
      if (Libc.getsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_STATISTICS, stats, len) != 0) {
        return 0;
      }
      return stats.get(ValueLayout.JAVA_INT, 4) & 0xffffffffL;
    }
  }

  @Override
  public void close() {
    Libc.munmap(ring, ring.byteSize());
    PacketSockets.close(fd);
  }
}
