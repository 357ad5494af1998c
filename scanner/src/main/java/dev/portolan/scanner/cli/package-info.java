/**
 * The {@code portolan} command line (picocli): {@code scan} now; {@code run} and {@code agent}
 * with the resources. The one place where user mistakes become exit code 2 and one line.
 */
package dev.portolan.scanner.cli;
