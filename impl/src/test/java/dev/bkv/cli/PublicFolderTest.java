package dev.bkv.cli;

import static dev.bkv.testsupport.CliRun.run;
import static dev.bkv.testsupport.TestFiles.copyTree;
import static dev.bkv.testsupport.TestFiles.deleteTree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.audit.Published;
import dev.bkv.base.Hex;
import dev.bkv.net.WitnessHttpServer;
import dev.bkv.testsupport.CliRun;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessKeys;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the auditor never needs, and is never handed, anything secret: 'bkv fleet publish'
 * writes a public folder holding no key material, 'bkv audit' opens only files in it and
 * passes from a copy of that folder alone, and a workspace given instead is refused.
 */
class PublicFolderTest {
  @TempDir Path dir;

  @Test
  void theAuditReadsOnlyThePublicFolder_andItHoldsNoSecret() throws Exception {
    Path ops = dir.resolve("ops");
    Files.writeString(dir.resolve("jar"), "stands for the vault jar\n");
    assertEquals(0, run("fleet", "init", "--dir", ops.toString(), "--hsms", "3", "--datacenters", "3", "--jar",
        dir.resolve("jar").toString()).exit());
    Path wdir = dir.resolve("w");
    WitnessKeys keys = Witness.init(wdir, "w.example/w", "w.example/w/bundles", new SecureRandom());
    Path vkeys = dir.resolve("w.vkeys");
    Files.writeString(vkeys, keys.vkeys());
    CliRun submitter = run("fleet", "submitter-key", "--dir", ops.toString());
    assertEquals(0, submitter.exit(), submitter.err());
    CliRun registered = run("witness", "add-operator", "--dir", wdir.toString(), "--vkey", submitter.out().strip());
    assertEquals(0, registered.exit(), registered.err());
    try (Witness witness = Witness.open(wdir);
        WitnessHttpServer server = WitnessHttpServer.start(new InetSocketAddress("127.0.0.1", 0), witness.service())) {
      String url = server.baseUrl();
      CliRun first = run("fleet", "publish", "--dir", ops.toString(), "--witness", url, "--witness-vkeys", vkeys.toString());
      assertEquals(0, first.exit(), first.err());
      assertEquals(0, run("fleet", "rotate", "--dir", ops.toString(), "--hsms", "5", "--jar", dir.resolve("jar").toString())
          .exit());
      assertEquals(0, run("fleet", "publish", "--dir", ops.toString(), "--witness", url).exit());
      Path pub = ops.resolve("public");

      // Every file an audit opens, recorded through the reader seam: all inside the public folder.
      List<Path> opened = new ArrayList<>();
      Published published = Published.load(pub, (file, max) -> {
        opened.add(file);
        return Published.Reader.FILES.read(file, max);
      });
      assertEquals(2, published.witnessed().size());
      assertEquals(2, published.evidence().size());
      assertEquals(5, opened.size(), opened.toString()); // 2 bundles, 2 evidence files, the vendor root
      List<byte[]> secrets = secrets(ops);
      assertTrue(secrets.size() >= 2 * (1 + 3 + 5) + 2, "found the workspace's secrets: " + secrets.size());
      for (Path file : opened) {
        assertTrue(file.toAbsolutePath().normalize().startsWith(pub.toAbsolutePath().normalize()), file.toString());
      }
      // No file in the public folder holds key material.
      try (Stream<Path> files = Files.walk(pub)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          assertNoSecret(file, Files.readAllBytes(file), secrets);
        }
      }

      // The folder alone, copied where no workspace is, is all the audit needs.
      Path auditor = dir.resolve("auditor");
      copyTree(pub, auditor.resolve("public"));
      deleteTree(ops);
      CliRun audit = run("audit", "--witness", url, "--witness-keys", vkeys.toString(), "--published",
          auditor.resolve("public").toString(), "--expected-jar-hash", dev.bkv.crypto.Sha256Digest.of(
              Files.readAllBytes(dir.resolve("jar"))).toHex());
      assertEquals(0, audit.exit(), audit.out() + audit.err());
      assertTrue(audit.out().contains("AUDIT PASSED") && audit.out().contains("vendor root was taken from the published"),
          audit.out());
    }
  }

  @Test
  void aWorkspaceIsRefusedBeforeAnyFileInItIsOpened() throws Exception {
    Path ops = dir.resolve("ops");
    Files.writeString(dir.resolve("jar"), "stands for the vault jar\n");
    assertEquals(0, run("fleet", "init", "--dir", ops.toString(), "--hsms", "3", "--datacenters", "3", "--jar",
        dir.resolve("jar").toString()).exit());
    List<Path> opened = new ArrayList<>();
    Exception refused = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> Published.load(ops, (file, max) -> {
          opened.add(file);
          return new byte[0];
        }));
    assertTrue(refused.getMessage().contains("is an operator workspace"), refused.getMessage());
    assertEquals(List.of(), opened);
  }

  /**
   * Every secret byte string of the workspace: each HSM's identity and sealing keys, the
   * vendor's root key, and the operator's submission key (its skey line as written).
   */
  static List<byte[]> secrets(Path ops) throws Exception {
    List<byte[]> secrets = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ops)) {
      for (Path file : files.filter(p -> p.getFileName().toString().equals("keys.bkv")).toList()) {
        byte[] bytes = Files.readAllBytes(file);
        int at = "BKVSHSM1".length();
        secrets.add(Arrays.copyOfRange(bytes, at, at + 32)); // identity key scalar
        secrets.add(Arrays.copyOfRange(bytes, at + 32, at + 64)); // sealing key
      }
    }
    secrets.add(Hex.decode(Files.readString(ops.resolve("vendor/root.key")).strip()));
    secrets.add(Files.readString(ops.resolve("operator/submission.skey")).strip().getBytes(StandardCharsets.US_ASCII));
    return secrets;
  }

  static void assertNoSecret(Path file, byte[] content, List<byte[]> secrets) {
    String text = new String(content, StandardCharsets.ISO_8859_1);
    assertFalse(text.contains("PRIVATE KEY") || text.contains("BKVSHSM1"), file + " holds a private key");
    for (byte[] secret : secrets) {
      for (String form : List.of(new String(secret, StandardCharsets.ISO_8859_1), Hex.encode(secret),
          Base64.getEncoder().encodeToString(secret), Base64.getEncoder().encodeToString(secret).substring(0, 40))) {
        assertFalse(text.contains(form), file + " holds a secret of the workspace");
      }
    }
  }
}
