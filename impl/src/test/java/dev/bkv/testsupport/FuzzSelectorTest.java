package dev.bkv.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: a seed reaches the decoder its first byte names, with the rest of the input intact.
 * Method: a selector of three recording decoders, driven through a minimal data provider that
 * hands out bytes from the front as Jazzer's does.
 */
class FuzzSelectorTest {
  private final List<String> seen = new ArrayList<>();
  private final FuzzSelector selector = FuzzSelector.of(
      FuzzSelector.bytes("a", in -> seen.add("a " + Arrays.toString(in))),
      FuzzSelector.bytes("b", in -> seen.add("b " + Arrays.toString(in))),
      FuzzSelector.provider("c", data -> seen.add("c " + data.remainingBytes())));

  @Test
  void whenTheFirstByteNamesADecoder_thenItGetsTheRest() throws Exception {
    selector.run(FrontBytes.of(1, 7, 8));
    selector.run(FrontBytes.of(2, 7, 8, 9));
    selector.run(FrontBytes.of(3, 5)); // 3 mod 3: the first
    selector.run(FrontBytes.of());
    assertEquals(List.of("b [7, 8]", "c 3", "a [5]", "a []"), seen);
    assertEquals(1, selector.selectorOf("b"));
    assertThrows(IllegalArgumentException.class, () -> selector.selectorOf("d"));
  }

  @Test
  void whenWarmedUp_thenEveryRawDecoderRunsAndTheOthersDoNot() throws Exception {
    selector.warmUp();
    assertEquals(8, seen.size());
    assertEquals(List.of(), seen.stream().filter(s -> s.startsWith("c")).toList());
  }

  @Test
  void whenThereAreMoreDecodersThanAByteNames_thenTheSelectorIsRefused() {
    FuzzSelector.Entry[] many = new FuzzSelector.Entry[257];
    Arrays.fill(many, FuzzSelector.bytes("x", in -> { }));
    assertThrows(IllegalArgumentException.class, () -> FuzzSelector.of(many));
    assertThrows(IllegalArgumentException.class, FuzzSelector::of);
  }

  /** Only what the selector and a raw decoder use: bytes from the front. */
  private record FrontBytes(byte[] bytes, int[] at) implements FuzzedDataProvider {
    static FrontBytes of(int... values) {
      byte[] b = new byte[values.length];
      for (int i = 0; i < values.length; i++) {
        b[i] = (byte) values[i];
      }
      return new FrontBytes(b, new int[1]);
    }

    @Override
    public byte[] consumeBytes(int maxLength) {
      int n = Math.min(maxLength, bytes.length - at[0]);
      byte[] out = Arrays.copyOfRange(bytes, at[0], at[0] + n);
      at[0] += n;
      return out;
    }

    @Override
    public byte[] consumeRemainingAsBytes() {
      return consumeBytes(Integer.MAX_VALUE);
    }

    @Override
    public int remainingBytes() {
      return bytes.length - at[0];
    }

    private static UnsupportedOperationException unused() {
      return new UnsupportedOperationException("not used by the selector");
    }

    @Override public boolean consumeBoolean() { throw unused(); }
    @Override public boolean[] consumeBooleans(int maxLength) { throw unused(); }
    @Override public byte consumeByte() { throw unused(); }
    @Override public byte consumeByte(byte min, byte max) { throw unused(); }
    @Override public short consumeShort() { throw unused(); }
    @Override public short consumeShort(short min, short max) { throw unused(); }
    @Override public short[] consumeShorts(int maxLength) { throw unused(); }
    @Override public int consumeInt() { throw unused(); }
    @Override public int consumeInt(int min, int max) { throw unused(); }
    @Override public int[] consumeInts(int maxLength) { throw unused(); }
    @Override public long consumeLong() { throw unused(); }
    @Override public long consumeLong(long min, long max) { throw unused(); }
    @Override public long[] consumeLongs(int maxLength) { throw unused(); }
    @Override public float consumeFloat() { throw unused(); }
    @Override public float consumeRegularFloat() { throw unused(); }
    @Override public float consumeRegularFloat(float min, float max) { throw unused(); }
    @Override public float consumeProbabilityFloat() { throw unused(); }
    @Override public double consumeDouble() { throw unused(); }
    @Override public double consumeRegularDouble() { throw unused(); }
    @Override public double consumeRegularDouble(double min, double max) { throw unused(); }
    @Override public double consumeProbabilityDouble() { throw unused(); }
    @Override public char consumeChar() { throw unused(); }
    @Override public char consumeChar(char min, char max) { throw unused(); }
    @Override public char consumeCharNoSurrogates() { throw unused(); }
    @Override public String consumeString(int maxLength) { throw unused(); }
    @Override public String consumeRemainingAsString() { throw unused(); }
    @Override public String consumeAsciiString(int maxLength) { throw unused(); }
    @Override public String consumeRemainingAsAsciiString() { throw unused(); }
  }
}
