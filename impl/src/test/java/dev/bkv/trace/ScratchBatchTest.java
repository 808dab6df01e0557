package dev.bkv.trace;

import dev.bkv.sim.TracedRuns;
import dev.bkv.tracecheck.TraceValidation;
import dev.bkv.tracecheck.TraceReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScratchBatchTest {
  @Test
  void write() throws Exception {
    int n = Integer.getInteger("scratch.n", 20);
    int hsms = Integer.getInteger("scratch.hsms", 3);
    List<String> traces = new ArrayList<>();
    long events = 0, max = 0, min = Long.MAX_VALUE;
    for (long seed = 1; seed <= n; seed++) {
      TracedRuns.Run r = TracedRuns.run(TracedRuns.schedule(seed, hsms), seed);
      if (r.result().violation().isPresent()) System.out.println("seed " + seed + " " + r.result().violation());
      traces.add(r.trace());
      events += r.events(); max = Math.max(max, r.events()); min = Math.min(min, r.events());
    }
    System.out.println("events avg " + events / n + " min " + min + " max " + max);
    TraceReport report = TraceValidation.validate(traces, new TraceValidation.Settings(Path.of("/work/main/spec"),
        Path.of("/work/tlcrun/scratch" + hsms), Set.of(), 2, Duration.ofMinutes(20)));
    System.out.println(report.describe());
  }
}
