package dev.bkv.tracecheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.testsupport.HtmlReading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The trace check's HTML page: a row per fleet size, the events per spec action with the
 * actions no accepted trace took marked, and the traces not accepted listed.
 */
class TraceSummaryPageTest {
  @Test
  void whenSomeActionsWereNotTaken_thenTheCoverageTableMarksThemAndNamesThem() throws Exception {
    // Goal: coverage per fleet size and in total, gaps visible; method: a constructed summary of two fleet sizes.
    TraceRunSummary summary = new TraceRunSummary(List.of(
        new TraceRunSummary.Fleet(3, 2, 40, 15, 25, 2, 0, Duration.ofMillis(3000), Map.of("Timeout", 4L, "ClientGuess", 6L)),
        new TraceRunSummary.Fleet(5, 1, 30, 30, 30, 0, 1, Duration.ofMillis(2500), Map.of("Timeout", 1L))),
        Set.of(), List.of("5 HSMs: trace 1 (seed 3, schedule s): rejected at <event 7> & more"), List.of());
    String html = TraceSummaryPage.of(summary).render();
    List<HtmlReading.TableRow> rows = HtmlReading.rows(html);

    assertEquals(new HtmlReading.TableRow("",
        List.of("3 HSMs", "2", "40", "15", "20.0", "25", "2", "0", "3.0", "1.50")), rows.get(0));
    assertEquals(new HtmlReading.TableRow("fail",
        List.of("5 HSMs", "1", "30", "30", "30.0", "30", "0", "1", "2.5", "2.50")), rows.get(1));
    List<HtmlReading.TableRow> coverage = rows.subList(2, rows.size());
    assertEquals(TraceCoverage.SPEC_ACTIONS.size(), coverage.size(), "one row per spec action");
    assertEquals(new HtmlReading.TableRow("", List.of("Timeout", "4", "1", "5", "yes")), coverage.get(0));
    int guess = TraceCoverage.SPEC_ACTIONS.indexOf("ClientGuess");
    assertEquals(new HtmlReading.TableRow("", List.of("ClientGuess", "6", "0", "6", "yes")), coverage.get(guess));
    int restart = TraceCoverage.SPEC_ACTIONS.indexOf("Restart");
    assertEquals(new HtmlReading.TableRow("warn", List.of("Restart", "0", "0", "0", "not covered")),
        coverage.get(restart));

    List<String> untaken = new ArrayList<>(TraceCoverage.SPEC_ACTIONS);
    untaken.removeAll(List.of("Timeout", "ClientGuess"));
    assertTrue(HtmlReading.texts(html, "p").contains(
        "Not covered (no accepted trace took them): " + String.join(", ", untaken) + "."), html);
    assertTrue(html.contains("<p class=\"summary fail\">2 of 3 traces accepted; 2 of "
        + TraceCoverage.SPEC_ACTIONS.size() + " actions covered.</p>"), html);
    assertEquals(List.of("5 HSMs: trace 1 (seed 3, schedule s): rejected at <event 7> & more"),
        HtmlReading.texts(html, "li"), "listed, and its text escaped (the page parses)");
  }

  @Test
  void whenEveryTraceIsAcceptedAndEveryActionTaken_thenThePagePasses() throws Exception {
    Map<String, Long> all = new java.util.HashMap<>();
    TraceCoverage.SPEC_ACTIONS.forEach(a -> all.put(a, 1L));
    TraceRunSummary summary = new TraceRunSummary(List.of(new TraceRunSummary.Fleet(3, 1, 20, 20, 20, 1, 0,
        Duration.ofMillis(900), all)), Set.of("CommitWithoutMajority"), List.of(), List.of());
    String html = TraceSummaryPage.of(summary).render();
    assertTrue(html.contains("<p class=\"summary pass\">1 of 1 traces accepted; " + TraceCoverage.SPEC_ACTIONS.size()
        + " of " + TraceCoverage.SPEC_ACTIONS.size() + " actions covered.</p>"), html);
    List<String> paragraphs = HtmlReading.texts(html, "p");
    assertTrue(paragraphs.contains("Every action of the spec was taken by some accepted trace."), html);
    assertTrue(paragraphs.stream().anyMatch(p -> p.contains("protections removed") && p.contains("CommitWithoutMajority")),
        html);
  }
}
