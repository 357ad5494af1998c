package dev.portolan.scanner.report;

import java.io.OutputStream;
import java.util.function.Function;

/** The formats {@code portolan scan -oF} knows, by the name a user types. */
public enum OutputFormat {
  NDJSON(NdjsonWriter::new),
  LIST(ListWriter::new),
  XML(NmapXmlWriter::new),
  GREPABLE(GrepableWriter::new);

  private final Function<OutputStream, FindingWriter> factory;

  OutputFormat(Function<OutputStream, FindingWriter> factory) {
    this.factory = factory;
  }

  public FindingWriter open(OutputStream out) {
    return factory.apply(out);
  }
}
