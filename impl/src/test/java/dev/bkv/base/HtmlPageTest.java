package dev.bkv.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.testsupport.HtmlReading;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A page is plain text placed in markup: every text escaped, every row as wide as its table. */
class HtmlPageTest {
  @Test
  void whenTextHoldsMarkup_thenEveryPlaceItGoesEscapesItAndThePageParses() throws Exception {
    String awkward = "</td><script>x('y')</script> & \"z\"";
    String html = new HtmlPage(awkward).summary(awkward, HtmlPage.Mark.FAIL).heading(awkward).paragraph(awkward)
        .list(List.of(awkward)).table(List.of(new HtmlPage.Column(awkward, true)),
            List.of(new HtmlPage.Row(List.of(awkward), HtmlPage.Mark.WARN))).render();
    assertFalse(html.contains("<script>"), html);
    for (String tag : List.of("title", "h1", "h2", "p", "li", "th", "td")) {
      assertTrue(HtmlReading.texts(html, tag).contains(awkward), tag + ": " + html);
    }
    assertEquals(List.of(new HtmlReading.TableRow("warn", List.of(awkward))), HtmlReading.rows(html));
    assertTrue(html.contains("<td class=\"n\">"), "a numeric column is right-aligned: " + html);
    assertFalse(html.contains("<script") || html.contains("src="), "nothing is loaded or run: " + html);
  }

  @Test
  void whenARowHasTheWrongNumberOfCells_thenTheTableRefuses() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HtmlPage("t").table(
        List.of(new HtmlPage.Column("a", false)), List.of(new HtmlPage.Row(List.of("x", "y"), HtmlPage.Mark.NONE))));
    assertTrue(e.getMessage().startsWith("a row of 2 cells in a table of 1 columns"), e.getMessage());
  }
}
