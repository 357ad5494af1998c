/** What may be exposed, and the violation an open port is when nothing allows it. Pure. */
package dev.portolan.control.expect;
