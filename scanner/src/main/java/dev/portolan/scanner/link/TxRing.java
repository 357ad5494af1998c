package dev.portolan.scanner.link;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A memory-mapped AF_PACKET transmit ring (TPACKET_V2, PACKET_QDISC_BYPASS where the kernel has
 * it): frames are written straight into the ring and one {@code sendto} sends a whole batch, so the
 * per-probe cost is a copy and a patch, not a system call. This is what lifts the ceiling that one
 * syscall per packet puts on masscan and zmap.
 */
public final class TxRing implements AutoCloseable {
  private static final int FRAME_SIZE = 128;
  private static final int BLOCK_SIZE = 4096;
  private static final int BLOCK_COUNT = 64;
  private static final int FRAMES = BLOCK_SIZE / FRAME_SIZE * BLOCK_COUNT;
  /** TPACKET_ALIGN(sizeof(tpacket2_hdr)): where the kernel reads frame data in a TX slot. */
  private static final int DATA_OFFSET = 32;

  private static final int TP_STATUS_AVAILABLE = 0;
  private static final int TP_STATUS_SEND_REQUEST = 1;
  private static final int TP_STATUS_WRONG_FORMAT = 4;

  private final int fd;
  private final MemorySegment ring;
  private int slot;
  private int pending;
  private long wrongFormat;

  private TxRing(int fd, MemorySegment ring) {
    this.fd = fd;
    this.ring = ring;
  }

  public static TxRing open(String ifname) throws LinkException {
    int ifindex = Interfaces.index(ifname);
    int fd = PacketSockets.open();
    try {
      PacketSockets.setInt(fd, Libc.SOL_PACKET, Libc.PACKET_VERSION, Libc.TPACKET_V2, "PACKET_VERSION");
      try {
        PacketSockets.setInt(fd, Libc.SOL_PACKET, Libc.PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
      } catch (LinkException e) {
        // Older kernels: frames go through the qdisc, a little slower, still correct.
      }
      PacketSockets.ring(fd, Libc.PACKET_TX_RING, BLOCK_SIZE, BLOCK_COUNT, FRAME_SIZE);
      MemorySegment ring = PacketSockets.map(fd, (long) BLOCK_SIZE * BLOCK_COUNT);
      PacketSockets.bind(fd, ifindex, 0);
      return new TxRing(fd, ring);
    } catch (LinkException e) {
      PacketSockets.close(fd);
      throw e;
    }
  }

  public static int maxFrameLength() {
    return FRAME_SIZE - DATA_OFFSET;
  }

  /** The mapped ring; frames are written at offsets returned by {@link #claim}. */
  public MemorySegment memory() {
    return ring;
  }

  /**
   * The data offset of the next free slot, flushing and waiting for the kernel when the ring is
   * full. The caller writes its frame there and then calls {@link #commit}.
   */
  public long claim() throws LinkException {
    long header = (long) slot * FRAME_SIZE;
    int spins = 0;
    while (true) {
      int status = ring.get(ValueLayout.JAVA_INT, header);
      VarHandle.acquireFence();
      if (status == TP_STATUS_AVAILABLE) {
        return header + DATA_OFFSET;
      }
      if ((status & TP_STATUS_WRONG_FORMAT) != 0) {
        wrongFormat++;
        ring.set(ValueLayout.JAVA_INT, header, TP_STATUS_AVAILABLE);
        continue;
      }
      flush();
      if (++spins > 1000) {
        PacketSockets.poll(fd, Libc.POLLOUT, 10);
      }
    }
  }

  public void commit(int length) {
    long header = (long) slot * FRAME_SIZE;
    ring.set(ValueLayout.JAVA_INT, header + 4, length); // tp_len
    VarHandle.releaseFence();
    ring.set(ValueLayout.JAVA_INT, header, TP_STATUS_SEND_REQUEST);
    pending++;
    slot = slot + 1 == FRAMES ? 0 : slot + 1;
  }

  /** Hands every committed frame to the kernel; returns when they are sent (or queued). */
  public void flush() throws LinkException {
    if (pending == 0) {
      return;
    }
    int attempts = 0;
    while (true) {
      long r = Libc.sendto(fd, MemorySegment.NULL, 0, 0);
      if (r >= 0) {
        pending = 0;
        return;
      }
      int errno = Libc.errno();
      if ((errno == Libc.ENOBUFS || errno == Libc.EAGAIN || errno == Libc.EINTR) && attempts++ < 1000) {
        PacketSockets.poll(fd, Libc.POLLOUT, 1);
        continue;
      }
      throw new LinkException("sendto(packet ring)", errno);
    }
  }

  /** Frames the kernel refused as malformed (should stay 0; a bug if not). */
  public long wrongFormat() {
    return wrongFormat;
  }

  @Override
  public void close() {
    Libc.munmap(ring, ring.byteSize());
    PacketSockets.close(fd);
  }
}
