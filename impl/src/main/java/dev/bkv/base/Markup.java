package dev.bkv.base;

/** Text made safe for HTML and XML (the SVG charts, the HTML summaries): content and quoted attribute values alike. */
public final class Markup {
  private Markup() {}

  /**
   * Escapes the five characters markup gives meaning to. {@code &#39;} rather than
   * {@code &apos;}, which HTML 4 lacks; both XML and HTML read it.
   */
  public static String escape(String text) {
    StringBuilder escaped = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&': escaped.append("&amp;"); break;
        case '<': escaped.append("&lt;"); break;
        case '>': escaped.append("&gt;"); break;
        case '"': escaped.append("&quot;"); break;
        case '\'': escaped.append("&#39;"); break;
        default: escaped.append(c);
      }
    }
    return escaped.toString();
  }
}
