package dev.bkv.base;

import java.util.List;

/**
 * A static, self-contained HTML page: headings, paragraphs and tables, with its CSS inline and
 * no script, so it reads the same from file:// as from a server. Every text passes through
 * {@link Markup#escape}; callers hand over plain text, never markup.
 */
public final class HtmlPage {
  /** A table column; numeric ones are right-aligned so that figures line up by place value. */
  public record Column(String title, boolean numeric) {}

  /** How a table row is marked: a failed row stands out in red, a passed one in green, a gap in amber. */
  public enum Mark { NONE, PASS, WARN, FAIL }

  /** One table row, one cell per column. */
  public record Row(List<String> cells, Mark mark) {
    public Row {
      cells = List.copyOf(cells);
    }
  }

  private static final String CSS = String.join("\n",
      "body{font-family:sans-serif;margin:2em;color:#222;max-width:80em}",
      "table{border-collapse:collapse;margin:0.5em 0 1.5em}",
      "th,td{border:1px solid #ccc;padding:0.25em 0.6em;vertical-align:top}",
      "th{background:#f2f2f2;text-align:left}",
      "td.n{text-align:right;font-variant-numeric:tabular-nums}",
      "tr.pass td:last-child{color:#1a6b1a;font-weight:bold}",
      "tr.fail{background:#fde8e8}",
      "tr.warn{background:#fff4d6}",
      "tr.fail td:last-child{color:#a40000;font-weight:bold}",
      "p.summary.fail{color:#a40000;font-weight:bold}",
      "p.summary.pass{color:#1a6b1a;font-weight:bold}");

  private final StringBuilder body = new StringBuilder();
  private final String title;

  public HtmlPage(String title) {
    this.title = title;
  }

  public HtmlPage heading(String text) {
    body.append("<h2>").append(Markup.escape(text)).append("</h2>\n");
    return this;
  }

  public HtmlPage paragraph(String text) {
    body.append("<p>").append(Markup.escape(text)).append("</p>\n");
    return this;
  }

  /** The page's verdict line, coloured by {@code mark}. */
  public HtmlPage summary(String text, Mark mark) {
    body.append("<p class=\"summary").append(markClass(mark)).append("\">").append(Markup.escape(text)).append("</p>\n");
    return this;
  }

  public HtmlPage list(List<String> items) {
    body.append("<ul>\n");
    items.forEach(item -> body.append("<li>").append(Markup.escape(item)).append("</li>\n"));
    body.append("</ul>\n");
    return this;
  }

  public HtmlPage table(List<Column> columns, List<Row> rows) {
    body.append("<table>\n<tr>");
    columns.forEach(c -> body.append("<th>").append(Markup.escape(c.title())).append("</th>"));
    body.append("</tr>\n");
    for (Row row : rows) {
      if (row.cells().size() != columns.size()) {
        throw new IllegalArgumentException("a row of " + row.cells().size() + " cells in a table of "
            + columns.size() + " columns: " + row.cells());
      }
      body.append("<tr").append(row.mark() == Mark.NONE ? "" : " class=\"" + markClass(row.mark()).trim() + "\"")
          .append('>');
      for (int c = 0; c < columns.size(); c++) {
        body.append(columns.get(c).numeric() ? "<td class=\"n\">" : "<td>").append(Markup.escape(row.cells().get(c)))
            .append("</td>");
      }
      body.append("</tr>\n");
    }
    body.append("</table>\n");
    return this;
  }

  /** The whole document. */
  public String render() {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>" + Markup.escape(title)
        + "</title>\n<style>\n" + CSS + "\n</style>\n</head>\n<body>\n<h1>" + Markup.escape(title) + "</h1>\n" + body
        + "</body>\n</html>\n";
  }

  private static String markClass(Mark mark) {
    switch (mark) {
      case PASS:
        return " pass";
      case WARN:
        return " warn";
      case FAIL:
        return " fail";
      default:
        return "";
    }
  }
}
