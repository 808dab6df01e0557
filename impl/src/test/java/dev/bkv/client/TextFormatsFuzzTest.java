package dev.bkv.client;

import static dev.bkv.testsupport.FuzzSelector.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.audit.SplitViewEvidence;
import dev.bkv.base.Json;
import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.BundleVerdict;
import dev.bkv.bundle.BundleVerifier;
import dev.bkv.bundle.ClientMemory;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.TrustAnchorsFile;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.cli.CliParserFuzzChecks;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.EvidenceFormatException;
import dev.bkv.evidence.EvidenceVerifier;
import dev.bkv.evidence.FleetRun;
import dev.bkv.evidence.HsmStatement;
import dev.bkv.evidence.HsmVendor;
import dev.bkv.evidence.Pem;
import dev.bkv.evidence.VendorRoot;
import dev.bkv.fleet.CeremonyTranscript;
import dev.bkv.fleet.FleetConfig;
import dev.bkv.fleet.FleetFormatException;
import dev.bkv.node.ConfigException;
import dev.bkv.node.FrontendConfig;
import dev.bkv.node.NodeConfig;
import dev.bkv.testsupport.FuzzSelector;
import dev.bkv.testsupport.TestFiles;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.VerifierSet;
import dev.bkv.witness.CrashPoints;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The fuzz target of the text formats a client, an auditor, an operator or a node reads:
 * validation and witnessed bundles, the OTA verifier, trust state and anchors, split-view
 * evidence, deployment evidence, HSM statements and certificates, fleet configs and ceremony
 * transcripts, node and frontend configs, JSON, and the operator CLI's fleet status table and
 * witness vkey lines. Parsers return a value that re-encodes to
 * their input (or to a fixed point) or throw their format's exception; verifiers return a
 * verdict for any bytes (Bouncy Castle decodes some ASN.1 lazily, and nothing it throws may
 * escape).
 *
 * <p>The first input byte picks the decoder ({@link FuzzSelector}); the normal build replays
 * {@code src/test/resources/dev/bkv/client/TextFormatsFuzzTestInputs/fuzz/}; {@code
 * impl/fuzz/campaign.sh} fuzzes for real.
 */
public class TextFormatsFuzzTest {
  private static final TrustAnchors ANCHORS = new TrustAnchors(BundleFixtures.NAMESPACE,
      BundleFixtures.bundleKey().verifier(), BundleFixtures.operatorKey().publicKey(), BundleFixtures.LOG_ORIGIN,
      BundleFixtures.logKey().verifier(), VerifierSet.of(BundleFixtures.cosigner(1).verifier()), 0);
  private static final CheckpointPolicy POLICY = CheckpointPolicy.logOnly(BundleFixtures.LOG_ORIGIN,
      BundleFixtures.logKey().verifier());
  private static final HsmVendor VENDOR = HsmVendor.create(BundleFixtures.ecdsaKey("vendor root"), FleetRun.T0 - 60);
  private static final Path BASE = Path.of("/nonexistent/bkv-fuzz");

  /** Append only: a seed's first byte is its decoder's position here. */
  static final FuzzSelector TARGETS = FuzzSelector.of(
      bytes("validationBundle", TextFormatsFuzzTest::validationBundle),
      bytes("witnessedBundle", TextFormatsFuzzTest::witnessedBundle),
      bytes("otaVerifier", TextFormatsFuzzTest::otaVerifier),
      bytes("trustState", TextFormatsFuzzTest::trustState),
      bytes("splitViewEvidence", TextFormatsFuzzTest::splitViewEvidence),
      bytes("evidence", TextFormatsFuzzTest::evidence),
      bytes("statement", TextFormatsFuzzTest::statement),
      bytes("certificate", TextFormatsFuzzTest::certificate),
      bytes("fleetConfig", TextFormatsFuzzTest::fleetConfig),
      bytes("transcript", TextFormatsFuzzTest::transcript),
      bytes("trustAnchors", TextFormatsFuzzTest::trustAnchors),
      bytes("nodeConfig", TextFormatsFuzzTest::nodeConfig),
      bytes("frontendConfig", TextFormatsFuzzTest::frontendConfig),
      bytes("json", TextFormatsFuzzTest::json),
      bytes("pinnedVerifier", TextFormatsFuzzTest::pinnedVerifier),
      bytes("witnessFiles", TextFormatsFuzzTest::witnessFiles),
      bytes("fleetStatusTable", CliParserFuzzChecks::fleetStatusTable),
      bytes("witnessKeys", CliParserFuzzChecks::witnessKeys));

  @FuzzTest(maxDuration = "10m")
  void fuzz(FuzzedDataProvider data) throws Exception {
    fuzzerTestOneInput(data);
  }

  /** Jazzer's entry point when the campaign runs this target outside JUnit. */
  public static void fuzzerTestOneInput(FuzzedDataProvider data) throws Exception {
    TARGETS.run(data);
  }

  /** Jazzer calls this once before a campaign starts: see {@link FuzzSelector#warmUp}. */
  public static void fuzzerInitialize() throws Exception {
    TARGETS.warmUp();
  }

  static void validationBundle(byte[] input) {
    try {
      ValidationBundle bundle = ValidationBundle.parse(input);
      assertArrayEquals(input, bundle.toBytes());
      assertEquals(bundle, ValidationBundle.parse(bundle.toBytes()));
    } catch (BundleFormatException expected) {
      // malformed input is refused with a reason code
    }
  }

  static void witnessedBundle(byte[] input) {
    try {
      WitnessedBundle witnessed = WitnessedBundle.parse(input);
      assertArrayEquals(input, witnessed.toBytes());
      assertArrayEquals(witnessed.bundleBytes(), witnessed.bundle().toBytes());
    } catch (BundleFormatException expected) {
      // malformed input is refused with a reason code
    }
  }

  static void otaVerifier(byte[] input) {
    BundleVerdict verdict = BundleVerifier.verifyOta(ANCHORS, ClientMemory.firstUse(), BundleFixtures.NOT_BEFORE + 1, input,
        List.of());
    assertNotNull(verdict.specReason());
  }

  static void trustState(byte[] input) {
    try {
      TrustState state = TrustState.parse(input);
      assertArrayEquals(state.toBytes(), TrustState.parse(state.toBytes()).toBytes());
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  static void splitViewEvidence(byte[] input) {
    try {
      SplitViewEvidence evidence = SplitViewEvidence.parse(input);
      assertArrayEquals(evidence.toBytes(), SplitViewEvidence.parse(evidence.toBytes()).toBytes());
      assertNotNull(evidence.verify(POLICY));
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  static void evidence(byte[] input) {
    try {
      assertArrayEquals(input, DeploymentEvidence.parse(input).toBytes());
    } catch (EvidenceFormatException expected) {
      // malformed input is refused with a reason
    }
    assertNotNull(EvidenceVerifier.verify(input, VENDOR.root(), FleetRun.JAR));
  }

  static void statement(byte[] input) {
    try {
      HsmStatement statement = HsmStatement.parse(input);
      assertArrayEquals(input, statement.toBytes());
      statement.signatureVerifies();
    } catch (EvidenceFormatException expected) {
      // malformed input is refused with a reason
    }
  }

  static void certificate(byte[] input) {
    assertNotNull(VENDOR.root().verifyDevice(input, FleetRun.T0));
    assertNotNull(VendorRoot.parse(input));
    Pem.decodeCertificate(input);
  }

  static void fleetConfig(byte[] input) {
    try {
      assertArrayEquals(input, FleetConfig.parse(input).textBytes());
    } catch (FleetFormatException expected) {
      // malformed input is refused with a reason
    }
  }

  static void transcript(byte[] input) {
    try {
      assertArrayEquals(input, CeremonyTranscript.parse(input).bytes());
    } catch (FleetFormatException expected) {
      // malformed input is refused with a reason
    }
  }

  /** The anchors file a client is configured with, both as the bundle package reads it and as the client does. */
  static void trustAnchors(byte[] input) {
    try {
      TrustAnchors anchors = TrustAnchorsFile.parse(input);
      byte[] again = TrustAnchorsFile.format(anchors);
      assertArrayEquals(again, TrustAnchorsFile.format(TrustAnchorsFile.parse(again)));
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
    try {
      assertNotNull(ClientAnchors.parse(input));
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  static void nodeConfig(byte[] input) {
    try {
      assertNotNull(NodeConfig.parse("node.conf", input, BASE));
    } catch (ConfigException expected) {
      // malformed input is refused naming the line
    }
  }

  static void frontendConfig(byte[] input) {
    try {
      assertNotNull(FrontendConfig.parse("frontend.conf", input, BASE));
    } catch (ConfigException expected) {
      // malformed input is refused naming the line
    }
  }

  /** JSON from another process (a node's status, a trace): a value whose rendering parses back to it, or ParseException. */
  static void json(byte[] input) {
    Object value;
    try {
      value = Json.parse(new String(input, StandardCharsets.UTF_8));
    } catch (Json.ParseException expected) {
      return;
    }
    String rendered = Json.write(value);
    assertEquals(rendered, Json.write(Json.parse(rendered)));
  }

  /** Pinned mode with a bundle offered: a verdict for any bytes, and acceptance only of the pinned key set. */
  static void pinnedVerifier(byte[] input) throws BundleFormatException {
    ValidationBundle pinned = BundleFixtures.bundle("fleet-1", 1, Optional.empty());
    BundleVerdict verdict = BundleVerifier.verifyPinned(pinned, input);
    assertNotNull(verdict.specReason());
    if (verdict instanceof BundleVerdict.Accepted) {
      assertEquals(keyLines(pinned), keyLines(ValidationBundle.parse(input)), "accepted another fleet's keys");
    }
  }

  /** The lines that fix a fleet's keys and quorum, in order. */
  private static List<String> keyLines(ValidationBundle bundle) {
    return Arrays.stream(bundle.text().split("\n", -1)).filter(l -> l.startsWith("key ") || l.startsWith("quorum "))
        .toList();
  }

  /**
   * The witness's own folder is on an untrusted disk: with any one of its files replaced by
   * fuzzed bytes ({@code file (1) | bytes}), it opens or refuses with IOException or
   * FormatException, and a refusal leaves every file as it was.
   */
  static void witnessFiles(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    List<Path> files = WitnessFolder.FILES;
    Path file = files.get((input[0] & 0xff) % files.size());
    Path dir = Files.createTempDirectory("bkv-fuzz-witness-files");
    try {
      for (Map.Entry<Path, byte[]> f : WitnessFolder.TEMPLATE.entrySet()) {
        Files.createDirectories(dir.resolve(f.getKey()).getParent());
        Files.write(dir.resolve(f.getKey()), f.getKey().equals(file) ? Arrays.copyOfRange(input, 1, input.length)
            : f.getValue());
      }
      Map<Path, byte[]> before = WitnessFolder.read(dir);
      try (Witness opened = Witness.open(dir, () -> FleetRun.T0, CrashPoints.NONE)) {
        assertNotNull(opened.log().checkpoint());
      } catch (IOException | FormatException refused) {
        Map<Path, byte[]> after = WitnessFolder.read(dir);
        assertEquals(before.keySet(), after.keySet(), "a refused open added or removed files: " + refused);
        for (Path p : before.keySet()) {
          assertArrayEquals(before.get(p), after.get(p), "a refused open changed " + p + ": " + refused);
        }
      }
    } finally {
      TestFiles.deleteTree(dir);
    }
  }

  /** A witness folder that has logged a bundle and cosigned a checkpoint: every file it keeps. */
  private static final class WitnessFolder {
    static final Map<Path, byte[]> TEMPLATE = template();
    static final List<Path> FILES = List.copyOf(TEMPLATE.keySet());

    static Map<Path, byte[]> template() {
      try {
        Path dir = Files.createTempDirectory("bkv-fuzz-witness-template");
        try {
          WitnessFixtures.init(dir);
          WitnessFixtures.OtherLog log = new WitnessFixtures.OtherLog("fuzz.example/log", 1);
          try (Witness w = Witness.open(dir, () -> FleetRun.T0, CrashPoints.NONE)) {
            w.checkpoints().knownLogs().addKey(log.origin, log.key.verifier().vkey());
            log.grow(3);
            w.checkpoints().addCheckpoint(log.request(0));
            w.log().append(BundleFixtures.bundle("fleet-1", 1, Optional.empty()).toBytes());
          }
          return read(dir);
        } finally {
          TestFiles.deleteTree(dir);
        }
      } catch (Exception e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    static Map<Path, byte[]> read(Path dir) throws IOException {
      Map<Path, byte[]> files = new LinkedHashMap<>();
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
          files.put(dir.relativize(p), Files.readAllBytes(p));
        }
      }
      return files;
    }
  }
}
