package dev.bkv.deploy;

import dev.bkv.deploy.SoakLedger.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.LongSummaryStatistics;

/** A soak's figures as text: what ran, what the clients were told, the faults, memory, and each problem. */
final class SoakSummary {
  private SoakSummary() {}

  static void write(Path file, FleetSoak soak) throws IOException {
    StringBuilder b = new StringBuilder();
    FleetSoak.Options o = soak.options();
    SoakLedger ledger = soak.ledger();
    line(b, "soak of the fleet as processes: witness, %d nodes in %d datacenters, frontend; %d client lanes over HTTP",
        Deployment.HSMS, Deployment.DATACENTERS, o.clients());
    line(b, "options: --seconds %d --clients %d --users %d --rate %d --kill-every %d", o.seconds(), o.clients(),
        o.users(), o.rate(), o.killEverySeconds());
    line(b, "wall time: %.1f s (setup %.1f s, load %.1f s, the rest final checks and shutdown)", soak.wallSeconds(),
        soak.setupSeconds(), soak.loadSeconds());
    b.append('\n');
    line(b, "registrations: %d sent, %d acknowledged, %d lost (answer not received)", soak.counter("registrations"),
        ledger.registrationsAcknowledged(), ledger.registrationsLost());
    line(b, "wrong guesses: %d sent, %d answered 'not recovered' (counted before answered), %d answer lost",
        soak.counter("wrong guesses"), ledger.wrongGuesses(Outcome.REFUSED), ledger.wrongGuesses(Outcome.LOST));
    line(b, "recoveries during the load: %d attempts, %d lost", soak.counter("recoveries"),
        soak.counter("failed recoveries"));
    line(b, "final checks: %d/%d counts checked, %d/%d keys recovered (%d attempts, %d lost); %d status queries, %d lost",
        soak.counter("counts checked"), ledger.registrationsAcknowledged(), soak.counter("keys recovered at the end"),
        ledger.registrationsAcknowledged(), soak.counter("final recoveries"), soak.counter("failed final recoveries"),
        soak.counter("final status queries"), soak.counter("failed final status queries"));
    line(b, "requests retried: %d (recoveries and final status queries; wrong guesses and registrations are never"
        + " retried)", soak.counter("retries"));
    line(b, "HTTP exchanges with the frontend: %d, %d without an answer (the client starts a login over by itself"
        + " when its leader is gone)", soak.counter("http exchanges"), soak.counter("http exchanges failed"));
    b.append('\n');
    line(b, "kills (SIGKILL, one node every %d s, in turn): %d, restarts: %d", o.killEverySeconds(),
        soak.counter("kills"), soak.counter("restarts"));
    for (String e : soak.events()) {
      line(b, "%s", e);
    }
    line(b, "leader changes: %d; leader polls (1 s apart) without a leader: %d of %d", soak.counter("leaderChanges"),
        soak.counter("leaderPollsWithout"), soak.counter("leaderPolls"));
    b.append('\n');
    MemorySeries m = soak.memory();
    line(b, "memory: live heap (least heap used after each of %d full GCs in a row, MemoryMXBean over JMX) and"
        + " resident set; flat = least-squares slope of the live heap after %.0f s of load and %.0f s of process life"
        + " at most %s/min (unless more than two standard errors above it), by run time and by age within each"
        + " life", ProcessMemory.READINGS, m.runWarmupSeconds, m.lifeWarmupSeconds,
        MemorySeries.mib(m.slopeBytesPerMinuteMax));
    line(b, "%-9s %5s %9s %9s %22s %22s %13s %s", "process", "used", "live min", "live max", "live/min by run (+-se)",
        "live/min by age (+-se)", "rss/min(run)", "verdict");
    for (MemorySeries.Verdict v : m.verdicts()) {
      LongSummaryStatistics live = m.samples().stream()
          .filter(s -> s.process().equals(v.process()) && s.runSeconds() >= m.runWarmupSeconds
              && s.ageSeconds() >= m.lifeWarmupSeconds)
          .mapToLong(MemorySeries.Sample::liveBytes).summaryStatistics();
      line(b, "%-9s %5d %9s %9s %22s %22s %13s %s", v.process(), v.used(),
          live.getCount() == 0 ? "-" : MemorySeries.mib(live.getMin()),
          live.getCount() == 0 ? "-" : MemorySeries.mib(live.getMax()), MemorySeries.mib(v.slopeByRun()) + " +-" + MemorySeries.mib(v.errorByRun()),
          MemorySeries.mib(v.slopeByAge()) + " +-" + MemorySeries.mib(v.errorByAge()),
          MemorySeries.mib(v.rssSlopeByRun()), v.flat() ? "flat" : "NOT FLAT");
    }
    line(b, "samples (process, life, s of load, s of life, live heap, resident):");
    for (MemorySeries.Sample s : m.samples()) {
      line(b, "  %-9s %2d %7.1f %7.1f %10s %10s", s.process(), s.life(), s.runSeconds(), s.ageSeconds(),
          MemorySeries.mib(s.liveBytes()), MemorySeries.mib(s.rssBytes()));
    }
    b.append('\n');
    List<String> problems = soak.problems();
    line(b, "problems: %d", problems.size());
    for (String p : problems) {
      line(b, "  %s", p);
    }
    line(b, "result: %s", problems.isEmpty() ? "PASS" : "FAIL");
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    Files.writeString(file, b.toString());
    System.out.print(b);
  }

  private static void line(StringBuilder b, String format, Object... args) {
    b.append(String.format(Locale.ROOT, format, args)).append('\n');
  }
}
