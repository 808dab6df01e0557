package dev.bkv.bench.svg;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Reads a chart back the way a browser would: as XML, through the JDK's DOM parser. */
public final class SvgReading {
  private SvgReading() {}

  /** Parses {@code svg}; the parser throws on anything that is not well-formed XML. */
  public static Document parse(String svg) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  /** The text (unescaped) of the elements named {@code tag} with class {@code cssClass}, in document order. */
  public static List<String> texts(String tag, String cssClass, String svg) throws Exception {
    List<String> found = new ArrayList<>();
    NodeList nodes = parse(svg).getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      Element e = (Element) nodes.item(i);
      if (cssClass.equals(e.getAttribute("class"))) {
        found.add(e.getTextContent());
      }
    }
    return found;
  }
}
