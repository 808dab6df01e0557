package dev.bkv.bench.svg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The SVG the charts write: well-formed XML holding one bar or point per data item under
 * its label, text escaped, the same bytes for the same input, and bad input refused by name.
 */
class ChartSvgTest {
  static final Axis MICROS_LOG = new Axis("latency", "µs", Axis.Scale.LOG);
  static final Axis OPS_LINEAR = new Axis("throughput", "ops/s", Axis.Scale.LINEAR);

  static BarChart latencyBars() {
    return new BarChart("Commit latency", MICROS_LOG, List.of("fleet, 3 nodes", "fleet, 5 nodes"), List.of(
        new BarChart.Series("p50", List.of(10.8, 19.0)), new BarChart.Series("p99", List.of(71.8, 149.0))),
        Optional.of(new BarChart.Reference(100, "target")));
  }

  static LineChart throughputLines() {
    return new LineChart("Throughput by fleet size", new Axis("nodes", "", Axis.Scale.LINEAR), OPS_LINEAR, List.of(
        new LineChart.Series("memory", List.of(new LineChart.Point(3, 30765), new LineChart.Point(5, 22954),
            new LineChart.Point(7, 5707)), 0, 0),
        new LineChart.Series("fsync", List.of(new LineChart.Point(7, 699), new LineChart.Point(3, 1673)), 1, 1)));
  }

  @Test
  void whenBarsAreDrawn_thenEachValueHasOneBarLabelledWithItsSeriesCategoryAndFigure() throws Exception {
    String svg = latencyBars().svg();
    assertEquals("svg", SvgReading.parse(svg).getDocumentElement().getLocalName());
    assertEquals(List.of("p50, fleet, 3 nodes: 10.8 µs", "p99, fleet, 3 nodes: 71.8 µs",
        "p50, fleet, 5 nodes: 19 µs", "p99, fleet, 5 nodes: 149 µs"), SvgReading.texts("rect", "bar", svg));
    assertEquals(List.of("fleet, 3 nodes", "fleet, 5 nodes"), SvgReading.texts("text", "category", svg));
    assertEquals(List.of("p50", "p99"), SvgReading.texts("text", "legend", svg));
    assertEquals(List.of("latency (µs)"), SvgReading.texts("text", "axis-title", svg));
    assertEquals(List.of("target"), SvgReading.texts("text", "reference", svg));
    assertEquals(List.of("1", "10", "100", "1k"), SvgReading.texts("text", "tick", svg),
        "10.8 is within twice 10, so the axis starts a decade lower; 149 ends it at 1000");
  }

  @Test
  void whenLinesAreDrawn_thenEachPointHasOneMarkerAndEachSeriesOneLine() throws Exception {
    String svg = throughputLines().svg();
    assertEquals(List.of("memory at nodes 3: 30765 ops/s", "memory at nodes 5: 22954 ops/s",
        "memory at nodes 7: 5707 ops/s", "fsync at nodes 3: 1673 ops/s", "fsync at nodes 7: 699 ops/s"),
        SvgReading.texts("circle", "point", svg), "points in x order within each series");
    assertEquals(2, SvgReading.texts("polyline", "series", svg).size());
    List<String> ticks = SvgReading.texts("text", "tick", svg);
    assertEquals(List.of("0", "10k", "20k", "30k", "40k", "3", "5", "7"), ticks,
        "y ticks at round numbers from zero, x ticks at the x values measured");
  }

  @Test
  void whenTextHoldsMarkup_thenItIsEscapedAndReadsBackUnchanged() throws Exception {
    String awkward = "a<b & \"c\" 'd' >e";
    BarChart chart = new BarChart(awkward, new Axis(awkward, "<u>", Axis.Scale.LINEAR), List.of(awkward),
        List.of(new BarChart.Series(awkward, List.of(1.0))));
    String svg = chart.svg();
    assertTrue(svg.contains("a&lt;b &amp; &quot;c&quot; &#39;d&#39; &gt;e"), svg);
    assertEquals(List.of(awkward), SvgReading.texts("text", "category", svg));
    assertEquals(List.of(awkward), SvgReading.texts("text", "legend", svg));
    assertEquals(List.of(awkward + ", " + awkward + ": 1 <u>"), SvgReading.texts("rect", "bar", svg));
  }

  @Test
  void whenDrawnTwiceOrUnderAnotherLocale_thenTheBytesAreTheSame() {
    String bars = latencyBars().svg();
    String lines = throughputLines().svg();
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY); // decimal commas, were any number formatted by the default locale
      assertEquals(bars, latencyBars().svg());
      assertEquals(lines, throughputLines().svg());
    } finally {
      Locale.setDefault(saved);
    }
    assertTrue(bars.contains("."), "coordinates with decimals exist, so the locale check has something to catch");
  }

  @Test
  void whenAValueIsNotANumber_thenTheChartRefusesNamingTheSeriesAndCategory() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BarChart("t", OPS_LINEAR,
        List.of("a", "b"), List.of(new BarChart.Series("s", List.of(1.0, Double.NaN)))));
    assertEquals("t: series 's', 'b': NaN is not a finite number", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new LineChart("t", OPS_LINEAR, OPS_LINEAR,
        List.of(new LineChart.Series("s", List.of(new LineChart.Point(1, Double.POSITIVE_INFINITY)), 0, 0))));
    assertEquals("t: series 's' at x = 1: Infinity is not a finite number", e.getMessage());
  }

  @Test
  void whenALogAxisGetsZeroOrLess_thenTheChartRefuses() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BarChart("t", MICROS_LOG,
        List.of("a"), List.of(new BarChart.Series("s", List.of(-2.0)))));
    assertEquals("t: series 's', 'a': -2.0 is not above zero, which the log axis 'latency' needs", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new LineChart("t", MICROS_LOG, OPS_LINEAR,
        List.of(new LineChart.Series("s", List.of(new LineChart.Point(0, 5)), 0, 0))));
    assertTrue(e.getMessage().contains("0.0 is not above zero, which the log axis 'latency' needs"), e.getMessage());
  }

  @Test
  void whenThereIsNoData_thenTheChartRefusesRatherThanDrawAnEmptyOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LineChart.Series("s", List.of(), 0, 0));
    assertEquals("series 's' is empty; a chart draws only data it has", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new LineChart("t", OPS_LINEAR, OPS_LINEAR, List.of()));
    assertEquals("t: no series; a chart draws only data it has", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new BarChart("t", OPS_LINEAR, List.of(),
        List.of(new BarChart.Series("s", List.of()))));
    assertEquals("t: no categories; a chart draws only data it has", e.getMessage());
  }

  @Test
  void whenTheShapeIsWrong_thenTheChartSaysWhat() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BarChart("t", OPS_LINEAR,
        List.of("a", "b"), List.of(new BarChart.Series("s", List.of(1.0)))));
    assertEquals("t: series 's' has 1 values for 2 categories", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new BarChart("t", OPS_LINEAR,
        List.of("a", "a"), List.of(new BarChart.Series("s", List.of(1.0, 2.0)))));
    assertEquals("t: the category 'a' appears twice", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new LineChart("t", OPS_LINEAR, OPS_LINEAR, List.of(
        new LineChart.Series("s", List.of(new LineChart.Point(3, 1), new LineChart.Point(3, 2)), 0, 0))));
    assertEquals("t: series 's' has two points at x = 3", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new LineChart.Series("s", List.of(new LineChart.Point(3, 1)), LineChart.COLOURS, 0));
    assertTrue(e.getMessage().startsWith("series 's': colour " + LineChart.COLOURS + " is not in 0.."), e.getMessage());
  }

  @Test
  void whenTextHoldsAControlCharacter_thenItIsRefusedBecauseXmlCannotCarryIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new BarChart.Series("bell\u0007", List.of(1.0)));
    assertEquals("series name 'bell?' holds the character U+0007, which XML cannot carry", e.getMessage());
  }
}
