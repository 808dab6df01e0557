package dev.bkv.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.testsupport.HtmlReading;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The check's HTML page: one row per model with its figures, a model that differs from its
 * manifest marked as a failure with its reasons listed, and every text escaped.
 */
class SummaryPageTest {
  static ModelEntry model(String name, TlcOutcome expected, long states) {
    return new ModelEntry(name, "", name + ".cfg", name, ModelEntry.Suite.DEFAULT, ModelEntry.Mode.BFS, expected,
        OptionalLong.of(states), false, Duration.ofMinutes(1), Optional.empty(), OptionalLong.empty(),
        OptionalLong.empty(), List.of());
  }

  static TlcResult result(TlcOutcome outcome, long states, long depth, Duration elapsed) {
    return new TlcResult(outcome, OptionalLong.of(states), OptionalLong.empty(), OptionalLong.of(depth),
        OptionalLong.empty(), OptionalLong.of(1), new ActionCoverage(Map.of("Step", new ActionCoverage.Taken(3, 9))),
        elapsed, 0, Path.of("out.txt"));
  }

  static ModelReport judged(String spec, ModelEntry model, TlcResult result) {
    return new ModelReport(spec, model, result, ModelVerdict.judge(model, 1, result));
  }

  @Test
  void whenOneModelMatchesAndOneDiffers_thenEachHasItsRowAndTheDifferenceIsAFailure() throws Exception {
    // Goal: the page holds the terminal table's figures per model; method: judge two constructed runs, parse the page.
    ModelReport ok = judged("Toy", model("ToyOk", new TlcOutcome.Ok(), 16), result(new TlcOutcome.Ok(), 16, 5,
        Duration.ofSeconds(3)));
    ModelReport differs = judged("Toy", model("ToyBug", new TlcOutcome.InvariantViolated("Small"), 100),
        result(new TlcOutcome.Ok(), 16, 4, Duration.ofSeconds(75)));
    String html = SummaryPage.of(List.of(ok, differs)).render();

    List<HtmlReading.TableRow> rows = HtmlReading.rows(html);
    assertEquals(2, rows.size());
    assertEquals(new HtmlReading.TableRow("pass",
        List.of("Toy", "ToyOk", "bfs", "ok", "ok", "16", "16", "5", "00:03", "1 of 1", "yes")), rows.get(0));
    assertEquals(new HtmlReading.TableRow("fail",
        List.of("Toy", "ToyBug", "bfs", "violates Small", "ok", "16", "100", "4", "01:15", "1 of 1", "no")), rows.get(1));
    List<String> items = HtmlReading.texts(html, "li");
    assertEquals(List.of("Toy/ToyBug: expected violates Small, TLC reported ok",
        "Toy/ToyBug: distinct states dropped from 100 to 16 (tolerance 1%)"), items);
    assertTrue(html.contains("<p class=\"summary fail\">1 of 2 models as recorded.</p>"), html);
  }

  @Test
  void whenEveryModelMatches_thenThePageSaysSoAndListsNoDifferences() throws Exception {
    ModelReport ok = judged("Toy", model("ToyOk", new TlcOutcome.Ok(), 16), result(new TlcOutcome.Ok(), 16, 5,
        Duration.ofSeconds(3)));
    String html = SummaryPage.of(List.of(ok)).render();
    assertTrue(html.contains("<p class=\"summary pass\">1 of 1 models as recorded.</p>"), html);
    assertEquals(List.of(), HtmlReading.texts(html, "li"));
    assertFalse(html.contains("Differences"), html);
  }

  @Test
  void whenTextHoldsMarkup_thenItIsEscapedAndReadsBackUnchanged() throws Exception {
    // Goal: nothing from a manifest or TLC's output becomes markup; the spec name is not checked, so it can hold any text.
    String spec = "<script>alert('x')</script> & \"q\"";
    ModelReport report = judged(spec, model("ToyOk", new TlcOutcome.Ok(), 16),
        result(new TlcOutcome.Failed("parse error near <EOF> & \"x\""), 16, 5, Duration.ZERO));
    String html = SummaryPage.of(List.of(report)).render();
    assertFalse(html.contains("<script>"), html);
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"), html);
    HtmlReading.TableRow row = HtmlReading.rows(html).get(0);
    assertEquals(spec, row.cells().get(0));
    assertEquals("failed: parse error near <EOF> & \"x\"", row.cells().get(4));
  }
}
