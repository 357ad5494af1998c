/**
 * The scan guard: which ranges policies may scan at all, which are never scanned, rate caps; and
 * the decision on one policy, in words a person can act on. Pure: the guard file's text comes in,
 * the edges read the file.
 */
package dev.portolan.control.guard;
