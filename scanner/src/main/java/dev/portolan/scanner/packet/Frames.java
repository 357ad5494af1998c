package dev.portolan.scanner.packet;

/** Header offsets and lengths, named once (as pcap4j does) so no magic number hides in the code. */
public final class Frames {
  private Frames() {}

  public static final int ETH_DST = 0;
  public static final int ETH_SRC = 6;
  public static final int ETH_TYPE = 12;
  public static final int ETH_HEADER = 14;
  public static final int ETHERTYPE_IPV4 = 0x0800;
  public static final int ETHERTYPE_ARP = 0x0806;
  public static final int ETH_MIN_FRAME = 60;

  // IPv4, relative to the start of the IP header
  public static final int IP_VERSION_IHL = 0;
  public static final int IP_TOTAL_LENGTH = 2;
  public static final int IP_ID = 4;
  public static final int IP_FLAGS_FRAGMENT = 6;
  public static final int IP_TTL = 8;
  public static final int IP_PROTOCOL = 9;
  public static final int IP_CHECKSUM = 10;
  public static final int IP_SRC = 12;
  public static final int IP_DST = 16;
  public static final int IP_HEADER = 20;
  public static final int IP_PROTO_TCP = 6;
  public static final int IP_DONT_FRAGMENT = 0x4000;
  public static final int IP_FRAGMENT_MASK = 0x3fff;

  // TCP, relative to the start of the TCP header
  public static final int TCP_SRC_PORT = 0;
  public static final int TCP_DST_PORT = 2;
  public static final int TCP_SEQ = 4;
  public static final int TCP_ACK = 8;
  public static final int TCP_OFFSET = 12;
  public static final int TCP_FLAGS = 13;
  public static final int TCP_WINDOW = 14;
  public static final int TCP_CHECKSUM = 16;
  public static final int TCP_URGENT = 18;
  public static final int TCP_HEADER = 20;

  public static final int TCP_FIN = 0x01;
  public static final int TCP_SYN = 0x02;
  public static final int TCP_RST = 0x04;
  public static final int TCP_PSH = 0x08;
  public static final int TCP_ACK_FLAG = 0x10;

  public static final int OPT_EOL = 0;
  public static final int OPT_NOP = 1;
  public static final int OPT_MSS = 2;
  public static final int OPT_WSCALE = 3;
  public static final int OPT_SACK_PERMITTED = 4;
  public static final int OPT_TIMESTAMP = 8;

  // ARP (Ethernet/IPv4), relative to the start of the ARP header
  public static final int ARP_OPER = 6;
  public static final int ARP_SHA = 8;
  public static final int ARP_SPA = 14;
  public static final int ARP_THA = 18;
  public static final int ARP_TPA = 24;
  public static final int ARP_LENGTH = 28;
  public static final int ARP_REQUEST = 1;
  public static final int ARP_REPLY = 2;
}
