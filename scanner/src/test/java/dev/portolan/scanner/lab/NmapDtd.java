package dev.portolan.scanner.lab;

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

/** Validates a document against nmap's own DTD (installed with nmap; CI installs it). */
final class NmapDtd {
  private static final Path DTD = Path.of("/usr/share/nmap/nmap.dtd");
  private static final String DOCTYPE = "<!DOCTYPE nmaprun>";

  private NmapDtd() {}

  static Document validate(String xml) throws IOException {
    assertThat(Files.isReadable(DTD)).as("%s (install nmap)", DTD).isTrue();
    assertThat(xml).containsOnlyOnce(DOCTYPE);
    String pointed = xml.replace(DOCTYPE, "<!DOCTYPE nmaprun SYSTEM \"nmap.dtd\">");
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setValidating(true);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setEntityResolver((publicId, systemId) -> new InputSource(Files.newInputStream(DTD)));
      b.setErrorHandler(
          new ErrorHandler() {
            @Override
            public void warning(SAXParseException e) {}

            @Override
            public void error(SAXParseException e) throws SAXException {
              throw e;
            }

            @Override
            public void fatalError(SAXParseException e) throws SAXException {
              throw e;
            }
          });
      return b.parse(new InputSource(new StringReader(pointed)));
    } catch (ParserConfigurationException | SAXException e) {
      throw new AssertionError("not valid against nmap's DTD: " + e.getMessage() + "\n" + xml, e);
    }
  }
}
