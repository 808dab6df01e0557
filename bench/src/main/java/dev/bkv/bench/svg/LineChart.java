package dev.bkv.bench.svg;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Lines through measured points, one per series. The horizontal axis is ticked at the x
 * values the series hold (the node counts or batch sizes a benchmark ran at), the vertical
 * one at round numbers.
 */
public record LineChart(String title, Axis xAxis, Axis yAxis, List<Series> series) {
  public record Point(double x, double y) {}

  /**
   * A named line; {@code colour} and {@code dash} index {@link #COLOURS} and {@link #DASHES},
   * so that related series can share a colour and differ in dash.
   */
  public record Series(String name, List<Point> points, int colour, int dash) {
    public Series {
      SvgDocument.requireText("series name", name);
      points = List.copyOf(points);
      if (points.isEmpty()) {
        throw new IllegalArgumentException("series '" + name + "' is empty; a chart draws only data it has");
      }
      if (colour < 0 || colour >= COLOURS) {
        throw new IllegalArgumentException("series '" + name + "': colour " + colour + " is not in 0.." + (COLOURS - 1));
      }
      if (dash < 0 || dash >= DASHES) {
        throw new IllegalArgumentException("series '" + name + "': dash " + dash + " is not in 0.." + (DASHES - 1));
      }
    }
  }

  /** Distinct colours and dash patterns a series may pick. */
  public static final int COLOURS = SvgDocument.COLOURS.size();
  public static final int DASHES = SvgDocument.DASHES.size();

  private static final double LEFT = 84;
  private static final double TOP = 48;
  private static final double PLOT_WIDTH = 560;
  private static final double PLOT_HEIGHT = 300;
  /** Space between the frame and the first and last x, so that their points are not cut by it. */
  private static final double X_INSET = 24;

  public LineChart {
    SvgDocument.requireText("chart title", title);
    Objects.requireNonNull(xAxis, "x axis");
    Objects.requireNonNull(yAxis, "y axis");
    series = List.copyOf(series);
    if (series.isEmpty()) {
      throw new IllegalArgumentException(title + ": no series; a chart draws only data it has");
    }
    for (Series s : series) {
      Set<Double> xs = new HashSet<>();
      for (Point p : s.points()) {
        String where = title + ": series '" + s.name() + "'";
        xAxis.requirePlottable(p.x(), where + ", x");
        yAxis.requirePlottable(p.y(), where + " at x = " + SvgDocument.figure(p.x()));
        if (!xs.add(p.x())) {
          throw new IllegalArgumentException(where + " has two points at x = " + SvgDocument.figure(p.x()));
        }
      }
    }
  }

  /** The whole SVG document. */
  public String svg() {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (Series s : series) {
      s.points().forEach(p -> {
        xs.add(p.x());
        ys.add(p.y());
      });
    }
    ValueRange xRange = ValueRange.atValues(xAxis.scale(), xs);
    ValueRange yRange = ValueRange.forValues(yAxis.scale(), ys);
    double plotBottom = TOP + PLOT_HEIGHT;
    double legendTop = plotBottom + 60;
    int longestName = series.stream().mapToInt(s -> s.name().length()).max().orElseThrow();
    double width = Math.max(LEFT + PLOT_WIDTH + 24, Math.max(
        LEFT + 40 + longestName * SvgDocument.CHAR_WIDTH, 32 + title.length() * SvgDocument.TITLE_CHAR_WIDTH));
    double height = legendTop + series.size() * SvgDocument.LEGEND_ROW_HEIGHT + 8;

    SvgDocument svg = new SvgDocument(width, height, title);
    for (double tick : yRange.ticks) {
      double y = plotBottom - yRange.fraction(tick) * PLOT_HEIGHT;
      svg.gridLine(LEFT, y, LEFT + PLOT_WIDTH, y);
      svg.text(LEFT - 6, y + 4, "end", "tick", SvgDocument.tick(tick), "");
    }
    for (double tick : xRange.ticks) {
      svg.text(x(xRange, tick), plotBottom + 16, "middle", "tick", SvgDocument.tick(tick), "");
    }
    svg.axisLine(LEFT, plotBottom, LEFT + PLOT_WIDTH, plotBottom);
    svg.axisLine(LEFT, TOP, LEFT, plotBottom);
    svg.text(LEFT + PLOT_WIDTH / 2, plotBottom + 38, "middle", "axis-title", xAxis.caption(), "");
    svg.verticalText(18, TOP + PLOT_HEIGHT / 2, "axis-title", yAxis.caption());

    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      String colour = SvgDocument.COLOURS.get(s.colour());
      String dash = SvgDocument.DASHES.get(s.dash());
      List<Point> sorted = new ArrayList<>(s.points());
      sorted.sort(Comparator.comparingDouble(Point::x));
      List<double[]> pixels = new ArrayList<>();
      for (Point p : sorted) {
        pixels.add(new double[] {x(xRange, p.x()), plotBottom - yRange.fraction(p.y()) * PLOT_HEIGHT});
      }
      svg.polyline(pixels, colour, dash);
      for (int j = 0; j < sorted.size(); j++) {
        Point p = sorted.get(j);
        svg.point(pixels.get(j)[0], pixels.get(j)[1], colour, s.name() + " at " + xAxis.title() + " "
            + SvgDocument.figure(p.x()) + ": " + SvgDocument.figure(p.y())
            + (yAxis.unit().isEmpty() ? "" : " " + yAxis.unit()));
      }
      svg.legendEntry(LEFT, legendTop + i * SvgDocument.LEGEND_ROW_HEIGHT, colour, dash, true, s.name());
    }
    return svg.finish();
  }

  private static double x(ValueRange range, double value) {
    return LEFT + X_INSET + range.fraction(value) * (PLOT_WIDTH - 2 * X_INSET);
  }
}
