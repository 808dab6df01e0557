package dev.bkv.testsupport;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads a generated page back as a reader's tools would: parsed (the pages are well-formed
 * XML as well as HTML, so the JDK's parser rejects any stray markup), texts unescaped.
 */
public final class HtmlReading {
  /** A table row: its class attribute ("" for none) and the text of each cell. */
  public record TableRow(String cssClass, List<String> cells) {}

  private HtmlReading() {}

  public static Document parse(String html) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
  }

  /** Every body row (not the header rows) of every table, in document order. */
  public static List<TableRow> rows(String html) throws Exception {
    List<TableRow> rows = new ArrayList<>();
    NodeList trs = parse(html).getElementsByTagName("tr");
    for (int i = 0; i < trs.getLength(); i++) {
      Element tr = (Element) trs.item(i);
      NodeList tds = tr.getElementsByTagName("td");
      if (tds.getLength() == 0) {
        continue; // a header row
      }
      List<String> cells = new ArrayList<>();
      for (int j = 0; j < tds.getLength(); j++) {
        cells.add(tds.item(j).getTextContent());
      }
      rows.add(new TableRow(tr.getAttribute("class"), cells));
    }
    return rows;
  }

  /** The text of every element named {@code tag}, in document order. */
  public static List<String> texts(String html, String tag) throws Exception {
    List<String> texts = new ArrayList<>();
    NodeList nodes = parse(html).getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      texts.add(nodes.item(i).getTextContent());
    }
    return texts;
  }
}
