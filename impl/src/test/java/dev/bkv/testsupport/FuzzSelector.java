package dev.bkv.testsupport;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.List;

/**
 * One fuzz target per area, many decoders behind it: the input's first byte picks the decoder
 * (modulo their number) and the rest is that decoder's input. A campaign runs a handful of
 * targets for long, rather than dozens for a moment each. A seed for the decoder at position
 * {@code k} is the byte {@code k} followed by the decoder's input, so the list of an area only
 * ever grows at its end: moving an entry would send every stored seed to another decoder.
 */
public final class FuzzSelector {
  /** One decoder or entry point of an area, reading the rest of the input as it likes. */
  @FunctionalInterface
  public interface Target {
    void fuzz(FuzzedDataProvider data) throws Exception;
  }

  /** A decoder that takes the rest of the input as raw bytes. */
  @FunctionalInterface
  public interface BytesTarget {
    void fuzz(byte[] input) throws Exception;
  }

  /** {@code raw}: the decoder itself when it takes raw bytes (for {@link #warmUp}), else null. */
  public record Entry(String name, Target target, BytesTarget raw) {}

  /** Inputs every raw decoder runs once before a campaign, whatever it does with them. */
  private static final List<byte[]> WARM_UP_INPUTS =
      List.of(new byte[0], new byte[] {0}, new byte[] {0, 0}, new byte[] {1, 2, 3, 4});

  private final List<Entry> entries;

  private FuzzSelector(List<Entry> entries) {
    if (entries.isEmpty() || entries.size() > 256) {
      throw new IllegalArgumentException("a selector byte picks among 1 to 256 targets, not " + entries.size());
    }
    this.entries = List.copyOf(entries);
  }

  public static FuzzSelector of(Entry... entries) {
    return new FuzzSelector(List.of(entries));
  }

  public static Entry bytes(String name, BytesTarget target) {
    return new Entry(name, data -> target.fuzz(data.consumeRemainingAsBytes()), target);
  }

  public static Entry provider(String name, Target target) {
    return new Entry(name, target, null);
  }

  /** The selector byte that reaches {@code name}; seeds are written with it in front. */
  public int selectorOf(String name) {
    for (int k = 0; k < entries.size(); k++) {
      if (entries.get(k).name().equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("no fuzz target named " + name);
  }

  public List<Entry> entries() {
    return entries;
  }

  /**
   * Runs every raw decoder on a few short inputs. A campaign calls this once before it
   * starts (Jazzer's {@code fuzzerInitialize}): the first input that reaches a decoder loads
   * and instruments its classes and builds its fixtures, which on a loaded machine takes
   * longer than the per-input timeout and would be reported as a hang.
   */
  public void warmUp() throws Exception {
    for (Entry e : entries) {
      if (e.raw() != null) {
        for (byte[] input : WARM_UP_INPUTS) {
          e.raw().fuzz(input.clone());
        }
      }
    }
  }

  /** Consumes the selector (the first byte; none selects the first target) and runs the target it picks. */
  public void run(FuzzedDataProvider data) throws Exception {
    byte[] selector = data.consumeBytes(1);
    int k = selector.length == 0 ? 0 : (selector[0] & 0xff) % entries.size();
    entries.get(k).target().fuzz(data);
  }
}
