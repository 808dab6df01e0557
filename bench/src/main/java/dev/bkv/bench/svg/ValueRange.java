package dev.bkv.bench.svg;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The stretch of an {@link Axis} a chart shows: its low and high ends, where its ticks go,
 * and where any value in it falls as a fraction of the axis's length.
 */
final class ValueRange {
  /** Ticks a linear value axis aims for; the step is rounded to 1, 2 or 5 times a power of ten. */
  private static final int LINEAR_TICKS_TARGET = 5;
  /** A log axis spanning at most this many decades also gets ticks at 2 and 5 times each power of ten. */
  private static final int LOG_DECADES_FOR_MINOR_TICKS = 2;
  /** A log axis starts a decade lower when its least value is within this factor of a power of ten. */
  private static final double LOG_HEADROOM = 2;

  final Axis.Scale scale;
  final double low;
  final double high;
  final List<Double> ticks;

  private ValueRange(Axis.Scale scale, double low, double high, List<Double> ticks) {
    this.scale = scale;
    this.low = low;
    this.high = high;
    this.ticks = List.copyOf(ticks);
  }

  /**
   * A value axis covering {@code values} (already checked plottable), widened to round ends. A
   * linear one always includes zero, so that bar lengths compare honestly.
   */
  static ValueRange forValues(Axis.Scale scale, List<Double> values) {
    double min = values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    return scale == Axis.Scale.LOG ? logarithmic(min, max) : linear(Math.min(0, min), Math.max(0, max));
  }

  /**
   * An axis whose ticks are the distinct values themselves (node counts, batch sizes): the
   * values a benchmark was run at, rather than round numbers between them.
   */
  static ValueRange atValues(Axis.Scale scale, List<Double> values) {
    List<Double> distinct = new ArrayList<>(new TreeSet<>(values));
    return new ValueRange(scale, distinct.get(0), distinct.get(distinct.size() - 1), distinct);
  }

  private static ValueRange linear(double min, double max) {
    if (min == max) {
      max = min + 1; // every value zero: show a unit-high axis rather than divide by nothing
    }
    double step = niceStep((max - min) / LINEAR_TICKS_TARGET);
    long first = (long) Math.floor(min / step);
    long last = (long) Math.ceil(max / step);
    List<Double> ticks = new ArrayList<>();
    for (long i = first; i <= last; i++) {
      ticks.add(i * step);
    }
    return new ValueRange(Axis.Scale.LINEAR, first * step, last * step, ticks);
  }

  private static ValueRange logarithmic(double min, double max) {
    int lowDecade = (int) Math.floor(Math.log10(min));
    if (min < LOG_HEADROOM * Math.pow(10, lowDecade)) {
      lowDecade--; // a bar for a value just above a power of ten would be too short to see
    }
    int highDecade = (int) Math.ceil(Math.log10(max));
    if (highDecade == lowDecade) {
      highDecade++; // a value that is an exact power of ten still gets a decade to sit in
    }
    boolean minor = highDecade - lowDecade <= LOG_DECADES_FOR_MINOR_TICKS;
    List<Double> ticks = new ArrayList<>();
    for (int decade = lowDecade; decade <= highDecade; decade++) {
      double power = Math.pow(10, decade);
      ticks.add(power);
      if (minor && decade < highDecade) {
        ticks.add(2 * power);
        ticks.add(5 * power);
      }
    }
    return new ValueRange(Axis.Scale.LOG, Math.pow(10, lowDecade), Math.pow(10, highDecade), ticks);
  }

  /** 1, 2 or 5 times a power of ten, the smallest such at least {@code raw}. */
  private static double niceStep(double raw) {
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double fraction = raw / power;
    double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
    return nice * power;
  }

  /** Where {@code value} falls, 0 at the low end and 1 at the high end; 0.5 when the range is one value. */
  double fraction(double value) {
    if (low == high) {
      return 0.5;
    }
    if (scale == Axis.Scale.LOG) {
      return (Math.log10(value) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
    }
    return (value - low) / (high - low);
  }

  /** Where bars start: zero on a linear axis, the low end on a log one (which has no zero). */
  double barBase() {
    return scale == Axis.Scale.LOG ? low : 0;
  }
}
