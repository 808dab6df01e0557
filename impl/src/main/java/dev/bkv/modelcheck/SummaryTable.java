package dev.bkv.modelcheck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** The table printed after a check: one row per model, columns aligned for a terminal. */
public final class SummaryTable {
  private SummaryTable() {}

  private static final List<String> HEADER =
      List.of("Spec", "Model", "Expected", "Result", "Distinct states", "Depth", "Time", "Verdict");

  public static String render(List<ModelReport> reports) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (ModelReport r : reports) {
      rows.add(List.of(
          r.spec(),
          r.model().name(),
          r.model().expected().describe(),
          r.result().outcome().describe(),
          states(r),
          count(r.result().depth()),
          clock(r.result().elapsed()),
          r.verdict().passed() ? "PASS" : "FAIL"));
    }
    int[] widths = new int[HEADER.size()];
    for (List<String> row : rows) {
      for (int c = 0; c < row.size(); c++) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int r = 0; r < rows.size(); r++) {
      List<String> row = rows.get(r);
      for (int c = 0; c < row.size(); c++) {
        out.append(c == 0 ? "" : "  ").append(pad(row.get(c), widths[c], c == 4 || c == 5 || c == 6));
      }
      out.append('\n');
      if (r == 0) {
        for (int c = 0; c < widths.length; c++) {
          out.append(c == 0 ? "" : "  ").append("-".repeat(widths[c]));
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** The run's count, and the manifest's when they differ; simulations show states checked. */
  private static String states(ModelReport r) {
    if (r.model().mode() == ModelEntry.Mode.SIMULATE) {
      return r.result().generatedStates().isPresent()
          ? String.format("%,d checked", r.result().generatedStates().getAsLong())
          : "-";
    }
    String actual = count(r.result().distinctStates());
    long recorded = r.model().distinctStates().getAsLong();
    boolean same = r.result().distinctStates().isPresent() && r.result().distinctStates().getAsLong() == recorded;
    return same ? actual : String.format("%s (manifest %,d)", actual, recorded);
  }

  static String count(OptionalLong n) {
    return n.isPresent() ? String.format("%,d", n.getAsLong()) : "-";
  }

  /** Elapsed time as {@code mm:ss}, or {@code h:mm:ss} past an hour. */
  public static String clock(Duration d) {
    long s = d.toSeconds();
    return s >= 3600
        ? String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
        : String.format("%02d:%02d", s / 60, s % 60);
  }

  private static String pad(String s, int width, boolean right) {
    String fill = " ".repeat(width - s.length());
    return right ? fill + s : s + fill;
  }
}
