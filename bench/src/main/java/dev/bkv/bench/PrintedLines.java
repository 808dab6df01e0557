package dev.bkv.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads back the one-line results that bench/run.sh appends to a report's Markdown as the
 * benchmark printed them (those not run by JMH, which have no place in the JSON).
 */
final class PrintedLines {
  private PrintedLines() {}

  /** Every line of {@code text} that {@code pattern} matches whole, read by {@code read}, in order. */
  static <T> List<T> findAll(List<String> text, Pattern pattern, Function<Matcher, T> read) {
    List<T> found = new ArrayList<>();
    for (String line : text) {
      Matcher m = pattern.matcher(line.trim());
      if (m.matches()) {
        found.add(read.apply(m));
      }
    }
    return found;
  }
}
