package dev.portolan.scanner.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/** nmap's DTD as installed with nmap, for every test that checks our XML against it. */
public final class NmapDtd {
  private static final Path NMAP_DTD = Path.of("/usr/share/nmap/nmap.dtd");
  private static final String DOCTYPE = "<!DOCTYPE nmaprun>";

  private NmapDtd() {}

  /**
   * Parses the document validating against nmap's DTD: the bare {@code <!DOCTYPE nmaprun>} nmap
   * writes is pointed at the installed DTD, and any validation error fails the test.
   */
  public static Document validate(String xml) throws IOException {
    assertThat(Files.isReadable(NMAP_DTD)).as("%s (install nmap)", NMAP_DTD).isTrue();
    assertThat(xml).as("nmap's DOCTYPE, once").containsOnlyOnce(DOCTYPE);
    String pointed = xml.replace(DOCTYPE, "<!DOCTYPE nmaprun SYSTEM \"nmap.dtd\">");
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setValidating(true);
      factory.setNamespaceAware(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setEntityResolver(
          (publicId, systemId) -> {
            assertThat(systemId).endsWith("nmap.dtd");
            InputSource dtd = new InputSource(Files.newInputStream(NMAP_DTD));
            dtd.setSystemId(NMAP_DTD.toUri().toString());
            return dtd;
          });
      builder.setErrorHandler(
          new ErrorHandler() {
            @Override
            public void warning(SAXParseException e) {}

            @Override
            public void error(SAXParseException e) throws SAXException {
              throw new SAXException("invalid against nmap.dtd, line " + e.getLineNumber() + ": " + e.getMessage(), e);
            }

            @Override
            public void fatalError(SAXParseException e) throws SAXException {
              throw new SAXException("not well-formed, line " + e.getLineNumber() + ": " + e.getMessage(), e);
            }
          });
      return builder.parse(new InputSource(new StringReader(pointed)));
    } catch (ParserConfigurationException | SAXException e) {
      throw new AssertionError(e.getMessage() + "\n" + xml, e);
    }
  }

}
