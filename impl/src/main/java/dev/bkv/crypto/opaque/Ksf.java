package dev.bkv.crypto.opaque;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * RFC 9807 key-stretching function: {@code Stretch(oprf_output)}, run by the client only.
 * Argon2id is configured as opaque-ke 4 does (salt = 16 zero bytes, output as long as the
 * input, i.e. Nh = 32 bytes), so records interoperate with opaque-ke clients using the same
 * cost parameters. {@link Identity} is the RFC's test-vector KSF and must not be deployed.
 */
public sealed interface Ksf permits Ksf.Identity, Ksf.Argon2id {
  /** Stretch(msg): a KSF output of the same length as its input. */
  byte[] stretch(byte[] input);

  /** RFC 9807 Identity KSF: Stretch(msg) = msg. For test vectors only. */
  static Ksf identity() {
    return new Identity();
  }

  static Ksf argon2id(int memoryKib, int iterations, int parallelism) {
    return new Argon2id(memoryKib, iterations, parallelism);
  }

  /**
   * RFC 9106 §4's second recommended option (m = 64 MiB, t = 3, p = 4), which is also the
   * default of opaque-ke's JavaScript/wasm bindings ({@code @serenity-kit/opaque-p256},
   * "memory-constrained"); the interop test checks that export keys agree with it.
   */
  static Ksf argon2idDefault() {
    return new Argon2id(Argon2id.DEFAULT_MEMORY_KIB, Argon2id.DEFAULT_ITERATIONS, Argon2id.DEFAULT_PARALLELISM);
  }

  record Identity() implements Ksf {
    @Override
    public byte[] stretch(byte[] input) {
      return input.clone();
    }
  }

  /** Argon2id version 0x13 with a 16-byte all-zero salt, as opaque-ke 4 hashes. */
  record Argon2id(int memoryKib, int iterations, int parallelism) implements Ksf {
    public static final int DEFAULT_MEMORY_KIB = 65536;
    public static final int DEFAULT_ITERATIONS = 3;
    public static final int DEFAULT_PARALLELISM = 4;
    /** 2 GiB: RFC 9106 §4's first recommended option, the most any profile asks for. */
    public static final int MEMORY_KIB_MAX = 1 << 21;
    public static final int ITERATIONS_MAX = 64;
    public static final int PARALLELISM_MAX = 64;
    /** opaque-ke passes argon2's RECOMMENDED_SALT_LEN zero bytes as the salt. */
    static final int SALT_BYTES = 16;

    public Argon2id {
      if (parallelism < 1 || parallelism > PARALLELISM_MAX) {
        throw new IllegalArgumentException("Argon2id parallelism " + parallelism + " not in [1, " + PARALLELISM_MAX + "]");
      }
      if (iterations < 1 || iterations > ITERATIONS_MAX) {
        throw new IllegalArgumentException("Argon2id iterations " + iterations + " not in [1, " + ITERATIONS_MAX + "]");
      }
      // RFC 9106 §3.1: m >= 8 * p KiB.
      if (memoryKib < 8 * parallelism || memoryKib > MEMORY_KIB_MAX) {
        throw new IllegalArgumentException(
            "Argon2id memory " + memoryKib + " KiB not in [8 * parallelism, " + MEMORY_KIB_MAX + "]");
      }
    }

    @Override
    public byte[] stretch(byte[] input) {
      Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
          .withVersion(Argon2Parameters.ARGON2_VERSION_13)
          .withSalt(new byte[SALT_BYTES])
          .withMemoryAsKB(memoryKib)
          .withIterations(iterations)
          .withParallelism(parallelism)
          .build();
      Argon2BytesGenerator generator = new Argon2BytesGenerator();
      generator.init(parameters);
      byte[] out = new byte[input.length];
      generator.generateBytes(input, out);
      return out;
    }
  }
}
