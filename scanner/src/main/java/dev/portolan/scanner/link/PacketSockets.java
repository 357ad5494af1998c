package dev.portolan.scanner.link;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Opening, configuring and binding AF_PACKET sockets; shared by the rings and the ARP resolver. */
@SuppressWarnings("restricted") // the kernel gives the ring's size; reinterpret records it
final class PacketSockets {
  static final int ETH_P_ALL = 0x0003;
  static final int ETH_P_ARP = 0x0806;
  static final int SOCKADDR_LL_SIZE = 20;

  private PacketSockets() {}

  /** A raw packet socket that receives nothing until {@link #bind} names a protocol. */
  static int open() throws LinkException {
    int fd = Libc.socket(Libc.AF_PACKET, Libc.SOCK_RAW, 0);
    if (fd < 0) {
      throw new LinkException("socket(AF_PACKET)", Libc.errno());
    }
    return fd;
  }

  static void setInt(int fd, int level, int name, int value, String what) throws LinkException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_INT, value);
      if (Libc.setsockopt(fd, level, name, v) != 0) {
        throw new LinkException("setsockopt(" + what + ")", Libc.errno());
      }
    }
  }

  static void bind(int fd, int ifindex, int protocol) throws LinkException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment sll = arena.allocate(SOCKADDR_LL_SIZE, 4);
      sll.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_PACKET);
      sll.set(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) protocol);
      sll.set(ValueLayout.JAVA_INT, 4, ifindex);
      if (Libc.bind(fd, sll) != 0) {
        throw new LinkException("bind(AF_PACKET)", Libc.errno());
      }
    }
  }

  /** tpacket_req: block size and count, frame size and count. */
  static void ring(int fd, int option, int blockSize, int blockCount, int frameSize)
      throws LinkException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment req = arena.allocate(16, 4);
      req.set(ValueLayout.JAVA_INT, 0, blockSize);
      req.set(ValueLayout.JAVA_INT, 4, blockCount);
      req.set(ValueLayout.JAVA_INT, 8, frameSize);
      req.set(ValueLayout.JAVA_INT, 12, blockSize / frameSize * blockCount);
      if (Libc.setsockopt(fd, Libc.SOL_PACKET, option, req) != 0) {
        throw new LinkException(option == Libc.PACKET_TX_RING ? "PACKET_TX_RING" : "PACKET_RX_RING", Libc.errno());
      }
    }
  }

  static MemorySegment map(int fd, long length) throws LinkException {
    MemorySegment m = Libc.mmap(length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd);
    if (m.address() == -1L || m.equals(MemorySegment.NULL)) {
      throw new LinkException("mmap(packet ring)", Libc.errno());
    }
    return m.reinterpret(length);
  }

  /** Waits up to {@code timeoutMillis} for the socket to become readable (or writable). */
  static boolean poll(int fd, int events, int timeoutMillis) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment p = arena.allocate(8, 4);
      p.set(ValueLayout.JAVA_INT, 0, fd);
      p.set(ValueLayout.JAVA_SHORT, 4, (short) events);
      return Libc.poll(p, 1, timeoutMillis) > 0;
    }
  }

  static void close(int fd) {
    if (fd >= 0) {
      Libc.close(fd);
    }
  }
}
