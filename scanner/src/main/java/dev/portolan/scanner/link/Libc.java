package dev.portolan.scanner.link;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/** The few libc calls the packet path needs, bound once, with errno captured. */
// "restricted": binding native code is the point of this class; the JVM is started with
// --enable-native-access for it.
@SuppressWarnings("restricted")
final class Libc {
  static final int AF_PACKET = 17;
  static final int SOCK_RAW = 3;
  static final int SOL_SOCKET = 1;
  static final int SO_RCVBUF = 8;
  static final int SO_RCVBUFFORCE = 33;
  static final int SO_ATTACH_FILTER = 26;
  static final int SOL_PACKET = 263;
  static final int PACKET_RX_RING = 5;
  static final int PACKET_STATISTICS = 6;
  static final int PACKET_VERSION = 10;
  static final int PACKET_TX_RING = 13;
  static final int PACKET_QDISC_BYPASS = 20;
  static final int PACKET_IGNORE_OUTGOING = 23;
  static final int TPACKET_V2 = 1;
  static final int PROT_READ = 1;
  static final int PROT_WRITE = 2;
  static final int MAP_SHARED = 1;
  static final int MSG_DONTWAIT = 0x40;
  static final int POLLIN = 1;
  static final int POLLOUT = 4;
  static final int EINTR = 4;
  static final int EAGAIN = 11;
  static final int ENOBUFS = 105;
  static final int EPERM = 1;
  static final int EACCES = 13;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
  private static final ThreadLocal<MemorySegment> STATE =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
  private static final ValueLayout ADDR = ValueLayout.ADDRESS;

  private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(INT, INT, INT, INT));
  private static final MethodHandle SETSOCKOPT =
      bind("setsockopt", FunctionDescriptor.of(INT, INT, INT, INT, ADDR, INT));
  private static final MethodHandle GETSOCKOPT =
      bind("getsockopt", FunctionDescriptor.of(INT, INT, INT, INT, ADDR, ADDR));
  private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(INT, INT, ADDR, INT));
  private static final MethodHandle MMAP =
      bind("mmap", FunctionDescriptor.of(ADDR, ADDR, LONG, INT, INT, INT, LONG));
  private static final MethodHandle MUNMAP = bind("munmap", FunctionDescriptor.of(INT, ADDR, LONG));
  private static final MethodHandle SENDTO =
      bind("sendto", FunctionDescriptor.of(LONG, INT, ADDR, LONG, INT, ADDR, INT));
  private static final MethodHandle RECV = bind("recv", FunctionDescriptor.of(LONG, INT, ADDR, LONG, INT));
  private static final MethodHandle POLL = bind("poll", FunctionDescriptor.of(INT, ADDR, LONG, INT));
  private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(INT, INT));
  private static final MethodHandle IF_NAMETOINDEX =
      bind("if_nametoindex", FunctionDescriptor.of(INT, ADDR));
  private static final MethodHandle STRERROR = bind("strerror", FunctionDescriptor.of(ADDR, INT));

  private Libc() {}

  private static MethodHandle bind(String name, FunctionDescriptor fd) {
    MemorySegment symbol =
        LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    return LINKER.downcallHandle(symbol, fd, Linker.Option.captureCallState("errno"));
  }

  static int errno() {
    return (int) ERRNO.get(STATE.get(), 0L);
  }

  static String strerror(int errno) {
    try {
      MemorySegment s = (MemorySegment) STRERROR.invokeExact(STATE.get(), errno);
      return s.reinterpret(256).getString(0);
    } catch (Throwable t) {
      return "errno " + errno;
    }
  }

  static int socket(int domain, int type, int protocol) {
    try {
      return (int) SOCKET.invokeExact(STATE.get(), domain, type, protocol);
    } catch (Throwable t) {
      throw new LinkageError("socket", t);
    }
  }

  static int setsockopt(int fd, int level, int name, MemorySegment value) {
    try {
      return (int) SETSOCKOPT.invokeExact(STATE.get(), fd, level, name, value, (int) value.byteSize());
    } catch (Throwable t) {
      throw new LinkageError("setsockopt", t);
    }
  }

  static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment len) {
    try {
      return (int) GETSOCKOPT.invokeExact(STATE.get(), fd, level, name, value, len);
    } catch (Throwable t) {
      throw new LinkageError("getsockopt", t);
    }
  }

  static int bind(int fd, MemorySegment addr) {
    try {
      return (int) BIND.invokeExact(STATE.get(), fd, addr, (int) addr.byteSize());
    } catch (Throwable t) {
      throw new LinkageError("bind", t);
    }
  }

  static MemorySegment mmap(long length, int prot, int flags, int fd) {
    try {
      return (MemorySegment)
          MMAP.invokeExact(STATE.get(), MemorySegment.NULL, length, prot, flags, fd, 0L);
    } catch (Throwable t) {
      throw new LinkageError("mmap", t);
    }
  }

  static int munmap(MemorySegment addr, long length) {
    try {
      return (int) MUNMAP.invokeExact(STATE.get(), addr, length);
    } catch (Throwable t) {
      throw new LinkageError("munmap", t);
    }
  }

  static long sendto(int fd, MemorySegment buf, long len, int flags) {
    try {
      return (long)
          SENDTO.invokeExact(STATE.get(), fd, buf, len, flags, MemorySegment.NULL, 0);
    } catch (Throwable t) {
      throw new LinkageError("sendto", t);
    }
  }

  static long recv(int fd, MemorySegment buf, long len, int flags) {
    try {
      return (long) RECV.invokeExact(STATE.get(), fd, buf, len, flags);
    } catch (Throwable t) {
      throw new LinkageError("recv", t);
    }
  }

  static int poll(MemorySegment fds, long count, int timeoutMillis) {
    try {
      return (int) POLL.invokeExact(STATE.get(), fds, count, timeoutMillis);
    } catch (Throwable t) {
      throw new LinkageError("poll", t);
    }
  }

  static int close(int fd) {
    try {
      return (int) CLOSE.invokeExact(STATE.get(), fd);
    } catch (Throwable t) {
      throw new LinkageError("close", t);
    }
  }

  static int ifNameToIndex(String name) {
    try (Arena arena = Arena.ofConfined()) {
      return (int) IF_NAMETOINDEX.invokeExact(STATE.get(), arena.allocateFrom(name));
    } catch (Throwable t) {
      throw new LinkageError("if_nametoindex", t);
    }
  }
}
