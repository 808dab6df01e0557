package dev.bkv.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Memory samples of a soak's processes, and whether each process's memory stays flat.
 *
 * <p>A sample is the live heap (bytes used just after a full GC) and the resident set, taken
 * {@code runSeconds} into the run and {@code ageSeconds} into the process's life (a killed node
 * starts a new life). Flat means: over the samples after the run's warm-up and after the first
 * {@code lifeWarmupSeconds} of each life, the least-squares slope of the live heap is at most
 * {@code slopeBytesPerMinuteMax}, both against run time (growth across restarts) and against
 * age within each life (growth within a life, which restarts would otherwise hide), each
 * unless it is more than two standard errors above the bound. Resident sets are
 * reported, not checked: a JVM keeps heap it once grew to.
 */
final class MemorySeries {
  record Sample(String process, int life, double runSeconds, double ageSeconds, long liveBytes, long rssBytes) {}

  /** One process's verdict: its slopes and their standard errors (bytes per minute; NaN without enough samples). */
  record Verdict(String process, int used, double slopeByRun, double errorByRun, double slopeByAge, double errorByAge,
      double rssSlopeByRun, boolean flat) {}

  static final int SAMPLES_MIN = 4;

  final double runWarmupSeconds;
  final double lifeWarmupSeconds;
  final double slopeBytesPerMinuteMax;
  private final List<Sample> samples = new ArrayList<>();

  MemorySeries(double runWarmupSeconds, double lifeWarmupSeconds, double slopeBytesPerMinuteMax) {
    this.runWarmupSeconds = runWarmupSeconds;
    this.lifeWarmupSeconds = lifeWarmupSeconds;
    this.slopeBytesPerMinuteMax = slopeBytesPerMinuteMax;
  }

  synchronized void add(Sample s) {
    samples.add(s);
  }

  synchronized List<Sample> samples() {
    return new ArrayList<>(samples);
  }

  /**
   * A verdict per process; a process with fewer than {@link #SAMPLES_MIN} samples after warm-up
   * is not flat. A slope counts as above the bound only when it is more than two standard errors
   * above it: the samples' own noise (requests in flight) must not fail a run.
   */
  synchronized List<Verdict> verdicts() {
    Map<String, List<Sample>> byProcess = new TreeMap<>();
    for (Sample s : samples) {
      byProcess.computeIfAbsent(s.process(), k -> new ArrayList<>());
      if (s.runSeconds() >= runWarmupSeconds && s.ageSeconds() >= lifeWarmupSeconds) {
        byProcess.get(s.process()).add(s);
      }
    }
    List<Verdict> out = new ArrayList<>();
    byProcess.forEach((process, used) -> {
      Fit byRun = fit(used, true, false, false);
      Fit byAge = fit(used, false, false, true);
      Fit rss = fit(used, true, true, false);
      boolean flat = used.size() >= SAMPLES_MIN && byRun.within(slopeBytesPerMinuteMax)
          && (Double.isNaN(byAge.slope()) || byAge.within(slopeBytesPerMinuteMax));
      out.add(new Verdict(process, used.size(), byRun.slope(), byRun.standardError(), byAge.slope(),
          byAge.standardError(), rss.slope(), flat));
    });
    return out;
  }

  /** A least-squares slope and its standard error, in bytes per minute (NaN when the times do not vary). */
  record Fit(double slope, double standardError) {
    boolean within(double bound) {
      return !Double.isNaN(slope) && slope - 2 * (Double.isNaN(standardError) ? 0 : standardError) <= bound;
    }
  }

  /**
   * The slope of memory over time. {@code withinLives}: each process life measured from its own
   * means (one intercept per life), so that lives at different levels and of different lengths
   * do not make a slope that no life has.
   */
  static Fit fit(List<Sample> points, boolean byRun, boolean rss, boolean withinLives) {
    Map<Integer, double[]> means = new TreeMap<>();
    for (Sample s : points) {
      int life = withinLives ? s.life() : 0;
      double[] m = means.computeIfAbsent(life, k -> new double[3]);
      m[0] += x(s, byRun);
      m[1] += y(s, rss);
      m[2]++;
    }
    double sxy = 0;
    double sxx = 0;
    for (Sample s : points) {
      double[] m = means.get(withinLives ? s.life() : 0);
      double dx = x(s, byRun) - m[0] / m[2];
      sxy += dx * (y(s, rss) - m[1] / m[2]);
      sxx += dx * dx;
    }
    if (sxx < 1e-9) {
      return new Fit(Double.NaN, Double.NaN);
    }
    double slope = sxy / sxx;
    double residuals = 0;
    for (Sample s : points) {
      double[] m = means.get(withinLives ? s.life() : 0);
      double r = (y(s, rss) - m[1] / m[2]) - slope * (x(s, byRun) - m[0] / m[2]);
      residuals += r * r;
    }
    int freedom = points.size() - means.size() - 1;
    double se = freedom > 0 ? Math.sqrt(residuals / freedom / sxx) : Double.NaN;
    return new Fit(60 * slope, 60 * se);
  }

  private static double x(Sample s, boolean byRun) {
    return byRun ? s.runSeconds() : s.ageSeconds();
  }

  private static double y(Sample s, boolean rss) {
    return rss ? s.rssBytes() : s.liveBytes();
  }

  static String mib(double bytes) {
    return String.format(Locale.ROOT, "%.2f MiB", bytes / (1024.0 * 1024.0));
  }
}
