/**
 * The scope model: IPv4 addresses, ranges and CIDRs with excludes; port sets; the (host, port)
 * index space; its keyed permutation and the shards cut from it. Pure computation: knows nothing of
 * packets, sockets or Kubernetes, and holds constant memory whatever the size of the scope.
 */
package dev.portolan.control.target;
