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
 * age (growth within each life, which restarts would otherwise hide). Resident sets are
 * reported, not checked: a JVM keeps heap it once grew to.
 */
final class MemorySeries {
  record Sample(String process, int life, double runSeconds, double ageSeconds, long liveBytes, long rssBytes) {}

  /** One process's verdict: its slopes (bytes per minute; NaN without enough samples) and the samples used. */
  record Verdict(String process, int used, double slopeByRun, double slopeByAge, double rssSlopeByRun, boolean flat) {}

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

  /** A verdict per process; a process with fewer than {@link #SAMPLES_MIN} samples after warm-up is not flat. */
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
      double byRun = slopePerMinute(used, true, false);
      double byAge = slopePerMinute(used, false, false);
      double rss = slopePerMinute(used, true, true);
      boolean flat = used.size() >= SAMPLES_MIN && byRun <= slopeBytesPerMinuteMax
          && (Double.isNaN(byAge) || byAge <= slopeBytesPerMinuteMax);
      out.add(new Verdict(process, used.size(), byRun, byAge, rss, flat));
    });
    return out;
  }

  /** Least-squares slope in bytes per minute; NaN when the times do not vary. */
  static double slopePerMinute(List<Sample> points, boolean byRun, boolean rss) {
    int n = points.size();
    if (n < 2) {
      return Double.NaN;
    }
    double meanX = 0;
    double meanY = 0;
    for (Sample s : points) {
      meanX += (byRun ? s.runSeconds() : s.ageSeconds()) / n;
      meanY += (double) (rss ? s.rssBytes() : s.liveBytes()) / n;
    }
    double sxy = 0;
    double sxx = 0;
    for (Sample s : points) {
      double dx = (byRun ? s.runSeconds() : s.ageSeconds()) - meanX;
      sxy += dx * ((rss ? s.rssBytes() : s.liveBytes()) - meanY);
      sxx += dx * dx;
    }
    return sxx < 1e-9 ? Double.NaN : 60 * sxy / sxx;
  }

  static String mib(double bytes) {
    return String.format(Locale.ROOT, "%.2f MiB", bytes / (1024.0 * 1024.0));
  }
}
