package dev.bkv.modelcheck;

import dev.bkv.base.HtmlPage;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The check's summary as one static HTML page ({@code bkv check --html}): the figures of
 * {@link SummaryTable}, with the manifest's state count in a column of its own, the actions
 * each model took, and every reason a model differs from its record in full.
 */
public final class SummaryPage {
  private static final List<HtmlPage.Column> COLUMNS = List.of(
      new HtmlPage.Column("Spec", false),
      new HtmlPage.Column("Model", false),
      new HtmlPage.Column("Mode", false),
      new HtmlPage.Column("Expected", false),
      new HtmlPage.Column("Result", false),
      new HtmlPage.Column("Distinct states", true),
      new HtmlPage.Column("Manifest states", true),
      new HtmlPage.Column("Depth", true),
      new HtmlPage.Column("Time", true),
      new HtmlPage.Column("Actions taken", true),
      new HtmlPage.Column("As recorded", false));

  private SummaryPage() {}

  public static HtmlPage of(List<ModelReport> reports) {
    List<HtmlPage.Row> rows = new ArrayList<>();
    List<String> differences = new ArrayList<>();
    for (ModelReport r : reports) {
      boolean passed = r.verdict().passed();
      rows.add(new HtmlPage.Row(List.of(
          r.spec(),
          r.model().name(),
          r.model().mode().name().toLowerCase(),
          r.model().expected().describe(),
          r.result().outcome().describe(),
          states(r),
          SummaryTable.count(r.model().distinctStates()),
          SummaryTable.count(r.result().depth()),
          SummaryTable.clock(r.result().elapsed()),
          actionsTaken(r.result().coverage()),
          passed ? "yes" : "no"), passed ? HtmlPage.Mark.PASS : HtmlPage.Mark.FAIL));
      if (r.verdict() instanceof ModelVerdict.Fail) {
        for (String reason : ((ModelVerdict.Fail) r.verdict()).reasons()) {
          differences.add(r.spec() + "/" + r.model().name() + ": " + reason);
        }
      }
    }
    long failed = reports.stream().filter(r -> !r.verdict().passed()).count();
    HtmlPage page = new HtmlPage("bkv check: TLC models")
        .summary(String.format("%d of %d models as recorded.", reports.size() - failed, reports.size()),
            failed == 0 ? HtmlPage.Mark.PASS : HtmlPage.Mark.FAIL)
        .paragraph("Each model's outcome and distinct-state count must match spec/<Spec>/manifest.json"
            + " (the count within its tolerance); a model expected to pass must also take every action of Next"
            + " that its manifest entry does not list as unused. Simulations count states checked, not"
            + " distinct states.")
        .table(COLUMNS, rows);
    if (!differences.isEmpty()) {
      page.heading("Differences from the manifests").list(differences);
    }
    return page;
  }

  /** Distinct states found, or for a simulation the states it checked. */
  private static String states(ModelReport r) {
    if (r.model().mode() == ModelEntry.Mode.SIMULATE) {
      OptionalLong checked = r.result().generatedStates();
      return checked.isPresent() ? SummaryTable.count(checked) + " checked" : "-";
    }
    return SummaryTable.count(r.result().distinctStates());
  }

  /** "k of n" actions of Next taken at least once, or "-" when TLC printed no coverage. */
  private static String actionsTaken(ActionCoverage coverage) {
    if (coverage.isEmpty()) {
      return "-";
    }
    long taken = coverage.actions().values().stream().filter(t -> t.total() > 0).count();
    return taken + " of " + coverage.actions().size();
  }
}
