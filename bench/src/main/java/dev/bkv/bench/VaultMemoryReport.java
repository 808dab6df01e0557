package dev.bkv.bench;

import dev.bkv.base.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The report's vault memory section: {@link VaultMemoryBench}'s figures against the per-user target. */
final class VaultMemoryReport {
  /** The section's key in the report JSON. */
  static final String KEY = "vaultMemory";
  /** The target: at most 1 KiB of HSM memory per registered user. */
  static final int TARGET_BYTES_PER_USER = 1024;

  private VaultMemoryReport() {}

  /** The JSON array {@link VaultMemoryBench} printed; every entry must have the figures the table shows. */
  @SuppressWarnings("unchecked")
  static List<Object> read(Path file) throws IOException {
    Object parsed = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
    if (!(parsed instanceof List)) {
      throw new IllegalArgumentException(file + ": expected the JSON array VaultMemoryBench prints");
    }
    for (Object entry : (List<Object>) parsed) {
      if (!(entry instanceof Map) || !((Map<String, Object>) entry).keySet().containsAll(
          List.of("users", "vaults", "heapBytesPerUser", "encodedBytesPerUser", "payloadBytesPerUser"))) {
        throw new IllegalArgumentException(file + ": an entry lacks users, vaults or a bytes-per-user figure: " + entry);
      }
    }
    return (List<Object>) parsed;
  }

  @SuppressWarnings("unchecked")
  static void markdown(List<Object> entries, StringBuilder md) {
    md.append("\n## Vault memory per registered user\n\n")
        .append("Registered and exposed users (16-byte user id, OPAQUE P256-SHA256 record, 32-byte backup\n")
        .append("key) in `VaultState`s of at most ").append(dev.bkv.vault.VaultLimits.USERS_MAX)
        .append(" users each; heap = (used heap after full GC with the\n")
        .append("users - before) / users; encoded = the vault's snapshot encoding; payload = the ids, record\n")
        .append("and key alone. Target: at most ").append(TARGET_BYTES_PER_USER).append(" bytes per user.\n\n")
        .append("| users | vaults | heap B/user | encoded B/user | payload B/user | heap / encoded | within target |\n")
        .append("|---:|---:|---:|---:|---:|---:|---|\n");
    for (Object o : entries) {
      Map<String, Object> entry = (Map<String, Object>) o;
      double heap = BenchReport.number(entry.get("heapBytesPerUser"));
      double encoded = BenchReport.number(entry.get("encodedBytesPerUser"));
      md.append("| ").append(entry.get("users")).append(" | ").append(entry.get("vaults"))
          .append(" | ").append(BenchReport.format(heap))
          .append(" | ").append(BenchReport.format(encoded))
          .append(" | ").append(entry.get("payloadBytesPerUser"))
          .append(" | ").append(BenchReport.format(heap / encoded)).append("x")
          .append(" | ").append(heap <= TARGET_BYTES_PER_USER ? "yes" : "no").append(" |\n");
    }
  }
}
