/**
 * networking.k8s.io/v1 NetworkPolicy semantics without a network: which ports of a destination a
 * source may reach, and why (docs/decisions/008). Pure; tested as a truth table of data files.
 */
package dev.portolan.control.netpol;
