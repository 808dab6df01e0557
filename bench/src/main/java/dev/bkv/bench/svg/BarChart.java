package dev.bkv.bench.svg;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Horizontal bars, one group per category and one bar per series in each group. Horizontal,
 * because the categories here are benchmark names, which read badly turned on their side.
 * An optional reference line marks a value the bars are read against (a ratio of 1).
 */
public record BarChart(String title, Axis valueAxis, List<String> categories, List<Series> series,
    Optional<Reference> reference) {
  /** One bar per category, in the order of {@link #categories}. */
  public record Series(String name, List<Double> values) {
    public Series {
      SvgDocument.requireText("series name", name);
      values = List.copyOf(values);
    }
  }

  /** A line across the plot at {@code value}, captioned {@code label}. */
  public record Reference(double value, String label) {
    public Reference {
      SvgDocument.requireText("reference label", label);
    }
  }

  private static final double LEFT_PADDING = 16;
  private static final double PLOT_WIDTH = 520;
  private static final double RIGHT_PADDING = 40;
  private static final double TOP = 52;
  private static final double BAR_HEIGHT = 12;
  private static final double GROUP_GAP = 10;

  public BarChart {
    SvgDocument.requireText("chart title", title);
    Objects.requireNonNull(valueAxis, "value axis");
    Objects.requireNonNull(reference, "reference (Optional.empty() for none)");
    categories = List.copyOf(categories);
    series = List.copyOf(series);
    if (categories.isEmpty()) {
      throw new IllegalArgumentException(title + ": no categories; a chart draws only data it has");
    }
    if (series.isEmpty()) {
      throw new IllegalArgumentException(title + ": no series; a chart draws only data it has");
    }
    if (series.size() > SvgDocument.COLOURS.size()) {
      throw new IllegalArgumentException(title + ": " + series.size() + " series, more than the "
          + SvgDocument.COLOURS.size() + " colours a reader can tell apart");
    }
    Set<String> seen = new HashSet<>();
    for (String category : categories) {
      SvgDocument.requireText(title + ": category", category);
      if (!seen.add(category)) {
        throw new IllegalArgumentException(title + ": the category '" + category + "' appears twice");
      }
    }
    for (Series s : series) {
      if (s.values().size() != categories.size()) {
        throw new IllegalArgumentException(title + ": series '" + s.name() + "' has " + s.values().size()
            + " values for " + categories.size() + " categories");
      }
      for (int i = 0; i < categories.size(); i++) {
        valueAxis.requirePlottable(s.values().get(i), title + ": series '" + s.name() + "', '" + categories.get(i) + "'");
      }
    }
    reference.ifPresent(r -> valueAxis.requirePlottable(r.value(), title + ": reference '" + r.label() + "'"));
  }

  /** A chart without a reference line. */
  public BarChart(String title, Axis valueAxis, List<String> categories, List<Series> series) {
    this(title, valueAxis, categories, series, Optional.empty());
  }

  /** The whole SVG document. */
  public String svg() {
    List<Double> values = new ArrayList<>();
    series.forEach(s -> values.addAll(s.values()));
    reference.ifPresent(r -> values.add(r.value()));
    ValueRange range = ValueRange.forValues(valueAxis.scale(), values);

    int longestCategory = categories.stream().mapToInt(String::length).max().orElseThrow();
    double left = LEFT_PADDING + longestCategory * SvgDocument.CHAR_WIDTH;
    double groupHeight = series.size() * BAR_HEIGHT + GROUP_GAP;
    double plotBottom = TOP + categories.size() * groupHeight;
    double legendTop = plotBottom + 60;
    int longestName = series.stream().mapToInt(s -> s.name().length()).max().orElseThrow();
    double width = Math.max(left + PLOT_WIDTH + RIGHT_PADDING, Math.max(
        left + 40 + longestName * SvgDocument.CHAR_WIDTH, 32 + title.length() * SvgDocument.TITLE_CHAR_WIDTH));
    double height = legendTop + series.size() * SvgDocument.LEGEND_ROW_HEIGHT + 8;

    SvgDocument svg = new SvgDocument(width, height, title);
    for (double tick : range.ticks) {
      double x = left + range.fraction(tick) * PLOT_WIDTH;
      svg.gridLine(x, TOP, x, plotBottom);
      svg.text(x, plotBottom + 16, "middle", "tick", SvgDocument.tick(tick), "");
    }
    svg.axisLine(left, plotBottom, left + PLOT_WIDTH, plotBottom);
    svg.axisLine(left, TOP, left, plotBottom);
    svg.text(left + PLOT_WIDTH / 2, plotBottom + 38, "middle", "axis-title", valueAxis.caption(), "");

    double base = left + range.fraction(range.barBase()) * PLOT_WIDTH;
    for (int c = 0; c < categories.size(); c++) {
      double groupTop = TOP + c * groupHeight + GROUP_GAP / 2;
      svg.text(left - 6, groupTop + series.size() * BAR_HEIGHT / 2 + 4, "end", "category", categories.get(c), "");
      for (int s = 0; s < series.size(); s++) {
        double value = series.get(s).values().get(c);
        double end = left + range.fraction(value) * PLOT_WIDTH;
        svg.bar(Math.min(base, end), groupTop + s * BAR_HEIGHT, Math.abs(end - base), BAR_HEIGHT - 1,
            SvgDocument.COLOURS.get(s), series.get(s).name() + ", " + categories.get(c) + ": "
                + SvgDocument.figure(value) + (valueAxis.unit().isEmpty() ? "" : " " + valueAxis.unit()));
      }
    }
    reference.ifPresent(r -> {
      double x = left + range.fraction(r.value()) * PLOT_WIDTH;
      svg.line(x, TOP - 6, x, plotBottom, "#000000", "4 3");
      svg.text(x, TOP - 10, "middle", "reference", r.label(), "");
    });
    for (int s = 0; s < series.size(); s++) {
      svg.legendEntry(left, legendTop + s * SvgDocument.LEGEND_ROW_HEIGHT, SvgDocument.COLOURS.get(s), "", false,
          series.get(s).name());
    }
    return svg.finish();
  }
}
