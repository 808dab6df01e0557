package dev.bkv.bench.svg;

import dev.bkv.base.Markup;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;

/**
 * Writes one SVG document element by element. Every text and attribute value goes through
 * {@link Markup#escape}; every coordinate through {@link #coordinate}, which formats with
 * {@link Locale#ROOT} and one decimal, so the same chart gives the same bytes on any machine.
 */
final class SvgDocument {
  /** Colour-blind-safe colours (Okabe and Ito), the yellow left out for contrast on white. */
  static final List<String> COLOURS =
      List.of("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000");
  /** Stroke patterns, for telling apart lines that share a colour. */
  static final List<String> DASHES = List.of("", "7 4", "2 3");
  /** A generous estimate of one character's width at the 12 px font, for laying out labels without a font. */
  static final double CHAR_WIDTH = 7;
  static final double TITLE_CHAR_WIDTH = 9;
  static final double LEGEND_ROW_HEIGHT = 18;
  private static final String GRID = "#dddddd";
  private static final String INK = "#333333";

  private final StringBuilder out = new StringBuilder();

  SvgDocument(double width, double height, String title) {
    out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(coordinate(width))
        .append("\" height=\"").append(coordinate(height)).append("\" viewBox=\"0 0 ").append(coordinate(width))
        .append(' ').append(coordinate(height)).append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
        .append("<title>").append(Markup.escape(title)).append("</title>\n")
        .append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    text(width / 2, 24, "middle", "title", title, "font-size=\"16\" font-weight=\"bold\"");
  }

  /** Text at (x, y); {@code anchor} is start, middle or end; {@code extra} holds further attributes. */
  void text(double x, double y, String anchor, String cssClass, String text, String extra) {
    out.append("<text class=\"").append(cssClass).append("\" x=\"").append(coordinate(x)).append("\" y=\"")
        .append(coordinate(y)).append("\" text-anchor=\"").append(anchor).append('"')
        .append(extra.isEmpty() ? "" : " " + extra).append(" fill=\"").append(INK).append("\">")
        .append(Markup.escape(text)).append("</text>\n");
  }

  /** A caption read bottom to top, centred on (x, y): the vertical axis's. */
  void verticalText(double x, double y, String cssClass, String text) {
    text(x, y, "middle", cssClass, text,
        "transform=\"rotate(-90 " + coordinate(x) + " " + coordinate(y) + ")\"");
  }

  void gridLine(double x1, double y1, double x2, double y2) {
    line(x1, y1, x2, y2, GRID, "");
  }

  void axisLine(double x1, double y1, double x2, double y2) {
    line(x1, y1, x2, y2, INK, "");
  }

  void line(double x1, double y1, double x2, double y2, String stroke, String dash) {
    out.append("<line x1=\"").append(coordinate(x1)).append("\" y1=\"").append(coordinate(y1)).append("\" x2=\"")
        .append(coordinate(x2)).append("\" y2=\"").append(coordinate(y2)).append("\" stroke=\"").append(stroke)
        .append('"').append(dashAttribute(dash)).append("/>\n");
  }

  /** A bar, its figure in a {@code <title>} child (shown on hover, and what tests look for). */
  void bar(double x, double y, double width, double height, String fill, String tooltip) {
    out.append("<rect class=\"bar\" x=\"").append(coordinate(x)).append("\" y=\"").append(coordinate(y))
        .append("\" width=\"").append(coordinate(width)).append("\" height=\"").append(coordinate(height))
        .append("\" fill=\"").append(fill).append("\"><title>").append(Markup.escape(tooltip)).append("</title></rect>\n");
  }

  /** A data point of a line, its figures in a {@code <title>} child. */
  void point(double cx, double cy, String fill, String tooltip) {
    out.append("<circle class=\"point\" cx=\"").append(coordinate(cx)).append("\" cy=\"").append(coordinate(cy))
        .append("\" r=\"3.5\" fill=\"").append(fill).append("\"><title>").append(Markup.escape(tooltip))
        .append("</title></circle>\n");
  }

  void polyline(List<double[]> points, String stroke, String dash) {
    out.append("<polyline class=\"series\" fill=\"none\" stroke-width=\"2\" stroke=\"").append(stroke).append('"')
        .append(dashAttribute(dash)).append(" points=\"");
    String separator = "";
    for (double[] p : points) {
      out.append(separator).append(coordinate(p[0])).append(',').append(coordinate(p[1]));
      separator = " ";
    }
    out.append("\"/>\n");
  }

  /** One legend row at (x, y): a swatch of the series' colour (and dash, for lines) and its name. */
  void legendEntry(double x, double y, String colour, String dash, boolean asLine, String name) {
    if (asLine) {
      out.append("<line x1=\"").append(coordinate(x)).append("\" y1=\"").append(coordinate(y - 4))
          .append("\" x2=\"").append(coordinate(x + 24)).append("\" y2=\"").append(coordinate(y - 4))
          .append("\" stroke-width=\"2\" stroke=\"").append(colour).append('"').append(dashAttribute(dash))
          .append("/>\n");
    } else {
      out.append("<rect x=\"").append(coordinate(x + 6)).append("\" y=\"").append(coordinate(y - 10))
          .append("\" width=\"12\" height=\"12\" fill=\"").append(colour).append("\"/>\n");
    }
    text(x + 32, y, "start", "legend", name, "");
  }

  String finish() {
    return out.append("</svg>\n").toString();
  }

  private static String dashAttribute(String dash) {
    return dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\"";
  }

  /** One decimal at most, no exponent, the same bytes whatever the default locale. */
  static String coordinate(double value) {
    String s = String.format(Locale.ROOT, "%.1f", value);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }

  /** A tick label: a round number, with k or M for thousands and millions (100k, 2M, 0.5). */
  static String tick(double value) {
    double magnitude = Math.abs(value);
    if (magnitude >= 1e6) {
      return plain(value / 1e6) + "M";
    }
    if (magnitude >= 1e3) {
      return plain(value / 1e3) + "k";
    }
    return plain(value);
  }

  /** A measured figure: whole above a thousand, else three significant digits (30765, 598, 32.5, 0.0949). */
  static String figure(double value) {
    if (Math.abs(value) >= 1000) {
      return String.format(Locale.ROOT, "%.0f", value);
    }
    return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }

  private static String plain(double value) {
    if (value == 0) {
      return "0"; // also -0.0
    }
    return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }

  /**
   * Refuses text a chart cannot show: empty, or holding a control character, which XML 1.0
   * cannot carry at all (escaping does not help).
   */
  static void requireText(String what, String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(what + " is empty");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
        throw new IllegalArgumentException(what + " '" + text.replaceAll("\\p{Cntrl}", "?")
            + "' holds the character U+" + String.format(Locale.ROOT, "%04X", (int) c) + ", which XML cannot carry");
      }
    }
  }
}
