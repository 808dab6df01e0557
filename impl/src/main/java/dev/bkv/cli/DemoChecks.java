package dev.bkv.cli;

import dev.bkv.base.Hex;
import dev.bkv.crypto.Sha256;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The demo's output and its list of expectations that did not hold (the exit code is 1 if any). */
final class DemoChecks {
  /** Steps the demo tells; each opens with "n/STEPS". */
  static final int STEPS = 10;
  /** Hex digits of a digest printed in full lines: enough to compare by eye. */
  static final int PREFIX_BYTES = 8;

  private final PrintWriter out;
  private final List<String> failures = new ArrayList<>();

  DemoChecks(PrintWriter out) {
    this.out = out;
  }

  void step(int number, String title) {
    out.println();
    out.println(number + "/" + STEPS + " " + title);
    out.flush();
  }

  /** One line of a step, tagged with who acts: {@code [operator]}, {@code [phone]}, ... */
  void say(String who, String line) {
    out.printf("  %-10s %s%n", "[" + who + "]", line);
    out.flush();
  }

  void expect(boolean condition, String expectation) {
    if (!condition) {
      failures.add(expectation);
    }
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  static String digest(byte[] bytes) {
    return prefix(Sha256.hash(bytes));
  }

  static String prefix(byte[] bytes) {
    return Hex.encode(Arrays.copyOf(bytes, Math.min(bytes.length, PREFIX_BYTES))) + "...";
  }
}
