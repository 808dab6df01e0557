package dev.bkv.tracecheck;

import dev.bkv.base.HtmlPage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A trace check's summary as one static HTML page ({@code bkv check --traces N --html FILE}):
 * the table per fleet size, the events per spec action with the actions no accepted trace
 * took marked, and every trace not accepted with the seed that replays it.
 */
public final class TraceSummaryPage {
  private TraceSummaryPage() {}

  public static HtmlPage of(TraceRunSummary summary) {
    List<String> untaken = summary.untaken();
    int actions = TraceCoverage.SPEC_ACTIONS.size();
    HtmlPage page = new HtmlPage("bkv check --traces: simulated traces against spec/QuorumVault")
        .summary(String.format(Locale.ROOT, "%d of %d traces accepted; %d of %d actions covered%s.", summary.accepted(),
            summary.traces(), actions - untaken.size(), actions, summary.simulatorViolations().isEmpty() ? ""
                : "; the simulator's checker found " + summary.simulatorViolations().size() + " violation(s)"),
            summary.passed() ? HtmlPage.Mark.PASS : HtmlPage.Mark.FAIL);
    if (!summary.specBugs().isEmpty()) {
      page.paragraph("Validated against the spec with these protections removed (valid traces must then be rejected): "
          + String.join(", ", summary.specBugs().stream().sorted().toList()) + ".");
    }
    page.heading("Traces per fleet size").table(List.of(
        new HtmlPage.Column("Fleet", false), new HtmlPage.Column("Traces", true), new HtmlPage.Column("Events", true),
        new HtmlPage.Column("Events min", true), new HtmlPage.Column("mean", true), new HtmlPage.Column("max", true),
        new HtmlPage.Column("Accepted", true), new HtmlPage.Column("Rejected", true),
        new HtmlPage.Column("TLC s", true), new HtmlPage.Column("TLC s/trace", true)), fleetRows(summary));

    page.heading("Actions taken by accepted traces (events per spec action)");
    List<HtmlPage.Column> columns = new ArrayList<>(List.of(new HtmlPage.Column("Action", false)));
    summary.fleets().forEach(f -> columns.add(new HtmlPage.Column(f.hsms() + " HSMs", true)));
    columns.add(new HtmlPage.Column("Total", true));
    columns.add(new HtmlPage.Column("Covered", false));
    List<HtmlPage.Row> rows = new ArrayList<>();
    for (String action : TraceCoverage.SPEC_ACTIONS) {
      List<String> cells = new ArrayList<>(List.of(action));
      summary.fleets().forEach(f -> cells.add(Long.toString(f.taken(action))));
      long total = summary.taken(action);
      cells.add(Long.toString(total));
      cells.add(total > 0 ? "yes" : "not covered");
      rows.add(new HtmlPage.Row(cells, total > 0 ? HtmlPage.Mark.NONE : HtmlPage.Mark.WARN));
    }
    page.table(columns, rows);
    page.paragraph(untaken.isEmpty() ? "Every action of the spec was taken by some accepted trace."
        : "Not covered (no accepted trace took them): " + String.join(", ", untaken) + ".");

    if (!summary.notAccepted().isEmpty()) {
      page.heading("Traces not accepted").list(summary.notAccepted());
    }
    if (!summary.simulatorViolations().isEmpty()) {
      page.heading("Violations found by the simulator's checker").list(summary.simulatorViolations());
    }
    return page;
  }

  private static List<HtmlPage.Row> fleetRows(TraceRunSummary summary) {
    List<HtmlPage.Row> rows = new ArrayList<>();
    for (TraceRunSummary.Fleet f : summary.fleets()) {
      double tlcSeconds = f.tlc().toMillis() / 1000.0;
      boolean any = f.traces() > 0; // --traces 1 over two fleet sizes leaves one with none
      rows.add(new HtmlPage.Row(List.of(f.hsms() + " HSMs", Integer.toString(f.traces()), Long.toString(f.events()),
          any ? Integer.toString(f.eventsMin()) : "-",
          any ? String.format(Locale.ROOT, "%.1f", (double) f.events() / f.traces()) : "-",
          any ? Integer.toString(f.eventsMax()) : "-", Integer.toString(f.accepted()), Integer.toString(f.rejected()),
          String.format(Locale.ROOT, "%.1f", tlcSeconds),
          any ? String.format(Locale.ROOT, "%.2f", tlcSeconds / f.traces()) : "-"),
          f.rejected() == 0 ? HtmlPage.Mark.NONE : HtmlPage.Mark.FAIL));
    }
    return rows;
  }
}
