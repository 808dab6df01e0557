package dev.bkv.bench.svg;

import java.util.Objects;

/**
 * What an axis measures: a title and a unit, printed as "title (unit)", and how values are
 * laid along it. A {@link Scale#LOG} axis suits figures that span decades (operations per
 * second from one node count to another, ratios around 1); it takes only values above zero.
 */
public record Axis(String title, String unit, Scale scale) {
  /** How values map to distance along the axis. */
  public enum Scale { LINEAR, LOG }

  public Axis {
    SvgDocument.requireText("axis title", title);
    Objects.requireNonNull(unit, "axis unit (empty for none)");
    Objects.requireNonNull(scale, "axis scale");
  }

  /** The caption under or beside the axis. */
  String caption() {
    return unit.isEmpty() ? title : title + " (" + unit + ")";
  }

  /** Checks one plotted value, naming where it came from when it cannot be drawn on this axis. */
  void requirePlottable(double value, String where) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(where + ": " + value + " is not a finite number");
    }
    if (scale == Scale.LOG && value <= 0) {
      throw new IllegalArgumentException(where + ": " + value + " is not above zero, which the log axis '" + title
          + "' needs");
    }
  }
}
