package dev.bkv.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code openssl speed -mr} (machine-readable) output into microseconds per
 * operation, keyed by the names the report uses. The native figures are the baseline our
 * server-side operations are compared against, measured on the same machine in the same run.
 */
final class OpensslSpeed {
  static final String ECDH_P256 = "ecdh-p256";
  static final String ECDSA_P256_SIGN = "ecdsa-p256-sign";
  static final String ECDSA_P256_VERIFY = "ecdsa-p256-verify";
  static final String ED25519_SIGN = "ed25519-sign";
  static final String ED25519_VERIFY = "ed25519-verify";
  static final String SHA256_64B = "sha256-64B";
  static final String AES256GCM_1KIB = "aes-256-gcm-1KiB";

  private OpensslSpeed() {}

  /** Microseconds per operation for every figure found; unknown lines are ignored. */
  static Map<String, Double> parse(List<String> lines) {
    Map<String, Double> microsPerOp = new LinkedHashMap<>();
    String[] blockSizes = new String[0];
    for (String line : lines) {
      String[] f = line.trim().split(":");
      switch (f[0]) {
        case "+H":
          blockSizes = f;
          break;
        case "+F": // +F:<idx>:<alg>:<bytes/s for each block size in +H>
          recordBlockCipher(microsPerOp, f, blockSizes);
          break;
        case "+F4": // +F4:<idx>:<bits>:<sign/s>:<verify/s>  (ECDSA)
          if ("256".equals(f[2])) {
            microsPerOp.put(ECDSA_P256_SIGN, perSecondToMicros(f[3]));
            microsPerOp.put(ECDSA_P256_VERIFY, perSecondToMicros(f[4]));
          }
          break;
        case "+F5": // +F5:<idx>:<bits>:<ops/s>:<s/op>  (ECDH)
          if ("256".equals(f[2])) {
            microsPerOp.put(ECDH_P256, perSecondToMicros(f[3]));
          }
          break;
        case "+F6": // +F6:<idx>:<bits>:<name>:<sign/s>:<verify/s>  (EdDSA)
          if ("Ed25519".equals(f[3])) {
            microsPerOp.put(ED25519_SIGN, perSecondToMicros(f[4]));
            microsPerOp.put(ED25519_VERIFY, perSecondToMicros(f[5]));
          }
          break;
        default:
          break;
      }
    }
    return microsPerOp;
  }

  private static void recordBlockCipher(Map<String, Double> out, String[] f, String[] blockSizes) {
    String algorithm = f[2];
    for (int i = 3; i < f.length && i - 2 < blockSizes.length; i++) {
      int bytes = Integer.parseInt(blockSizes[i - 2]);
      double bytesPerSecond = Double.parseDouble(f[i]);
      double micros = bytes / bytesPerSecond * 1e6;
      if (algorithm.equalsIgnoreCase("sha256") && bytes == 64) {
        out.put(SHA256_64B, micros);
      } else if (algorithm.equalsIgnoreCase("AES-256-GCM") && bytes == 1024) {
        out.put(AES256GCM_1KIB, micros);
      }
    }
  }

  private static double perSecondToMicros(String perSecond) {
    return 1e6 / Double.parseDouble(perSecond);
  }
}
