/**
 * Ethernet, ARP, IPv4 and TCP encoding and decoding, checksums and the pcap file format. The hot
 * paths (SYN frame build, reply decode) work in place on memory segments and allocate nothing per
 * packet. Bytes from the network are hostile: a short or malformed frame is reported, never thrown.
 * Depends on nothing but the JDK.
 */
package dev.portolan.scanner.packet;
