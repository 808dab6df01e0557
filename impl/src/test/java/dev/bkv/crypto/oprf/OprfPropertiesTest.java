package dev.bkv.crypto.oprf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.byteArrays;
import static org.quicktheories.generators.Generate.bytes;
import static org.quicktheories.generators.Generate.range;

import dev.bkv.crypto.P256Group.Element;
import dev.bkv.crypto.P256Group.Scalar;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** RFC 9497 §3.3.1 correctness: Finalize(input, blind, BlindEvaluate(skS, Blind(input))) = Evaluate(skS, input). */
class OprfPropertiesTest {
  private static final Gen<byte[]> INPUTS = byteArrays(range(0, 80), bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
  private static final Gen<byte[]> SEEDS = byteArrays(range(Oprf.SEED_BYTES, Oprf.SEED_BYTES), bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));

  @Test
  void blindedEvaluationUnblindsToTheDirectEvaluation() {
    qt().withExamples(60).forAll(INPUTS, SEEDS, SEEDS).checkAssert((input, keySeed, blindSeed) -> {
      Scalar skS = Oprf.deriveSecretKey(new Oprf.Seed(keySeed), new byte[0]);
      Scalar blind = Oprf.deriveSecretKey(new Oprf.Seed(blindSeed), "blind".getBytes());
      Oprf.Blinded blinded = Oprf.blind(input, blind);
      Element evaluated = Oprf.blindEvaluate(skS, blinded.blindedElement());
      assertArrayEquals(Oprf.evaluate(skS, input).toBytes(), Oprf.finalize(input, blind, evaluated).toBytes());
    });
  }

  @Test
  void theOutputDependsOnTheKeyAndTheInput() {
    qt().withExamples(30).forAll(INPUTS, SEEDS, SEEDS).checkAssert((input, seedA, seedB) -> {
      byte[] otherInput = Arrays.copyOf(input, input.length + 1);
      Scalar keyA = Oprf.deriveSecretKey(new Oprf.Seed(seedA), new byte[0]);
      Scalar keyB = Oprf.deriveSecretKey(new Oprf.Seed(seedB), new byte[0]);
      byte[] output = Oprf.evaluate(keyA, input).toBytes();
      assertFalse(Arrays.equals(output, Oprf.evaluate(keyA, otherInput).toBytes()), "input bound");
      if (!Arrays.equals(seedA, seedB)) {
        assertFalse(Arrays.equals(output, Oprf.evaluate(keyB, input).toBytes()), "key bound");
      }
    });
  }
}
