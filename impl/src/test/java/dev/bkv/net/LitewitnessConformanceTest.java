package dev.bkv.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Hex;
import dev.bkv.crypto.Ed25519;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.CosignatureV1;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.SignedNote;
import dev.bkv.testsupport.Vectors;
import dev.bkv.witness.AddCheckpointRequest;
import dev.bkv.witness.CrashPoints;
import dev.bkv.witness.OpenSshKeys;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessKeys;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays the litewitness test scripts (tlog-witness/ in the vectors) against BKV's witness
 * over HTTP on loopback: the script's setup becomes KnownLogs calls, its witness key is read
 * from the OpenSSH key the script loads, each Hurl request is sent as written and its status
 * and body assertions are checked, and "witnessctl list-logs" becomes a restart that reads
 * the persisted state.
 *
 * <p>One expectation is translated on purpose: the script (litetlog 3195373) answers an
 * unknown origin with 403 "unknown log"; C2SP tlog-witness v1.0.0 says "If the checkpoint
 * origin is unknown, the witness MUST respond with a 404 Not Found", which BKV follows.
 */
class LitewitnessConformanceTest {
  private static final String DIR = "tlog-witness";
  private static final long CLOCK_SECONDS = 1_700_000_000L;

  @TempDir Path temp;

  @Test
  void whenTheLitewitnessScriptIsReplayed_thenEveryStatusAndBodyMatches() throws Exception {
    int translated = replay("litetlog_cmd_litewitness_testdata_litewitness.txt", temp.resolve("w1"));
    assertEquals(1, translated, "exactly the unknown-log request is answered 404 instead of 403");
  }

  @Test
  void whenTheSumdbScriptIsReplayed_thenTheRealSumGolangCheckpointIsCosigned() throws Exception {
    assertEquals(0, replay("litetlog_cmd_litewitness_testdata_sumdb.txt", temp.resolve("w2")));
  }

  /** Runs one script; returns how many expectations were translated from 403 to 404. */
  private int replay(String file, Path dir) throws Exception {
    String relative = DIR + "/" + file;
    LitewitnessScript script = LitewitnessScript.parse(Vectors.readString(relative));
    List<OpenSshKeys.Ed25519Key> agent = new ArrayList<>();
    List<String> setup = new ArrayList<>();
    Witness witness = null;
    WitnessHttpServer server = null;
    String listing = "";
    int passed = 0;
    int rejected = 0;
    int total = 0;
    int translated = 0;
    for (String line : script.commands) {
      String stripped = line.replaceFirst("\\s+#.*$", "").replaceFirst("&\\w*&?$", "").strip();
      List<String> w = LitewitnessScript.words(stripped);
      String command = String.join(" ", w);
      if (command.startsWith("exec witnessctl add-") || command.startsWith("exec witnessctl list-logs")) {
        if (witness == null && !command.endsWith("list-logs")) {
          setup.add(stripped);
          continue;
        }
        listing = listLogs(dir);
      } else if (command.startsWith("exec ssh-add ")) {
        agent.add(OpenSshKeys.parse(script.files.get(w.get(2))));
      } else if (command.startsWith("exec litewitness ")) {
        witness = startWitness(dir, w, agent, setup);
        server = WitnessHttpServer.start(new InetSocketAddress("127.0.0.1", 0), witness.service());
      } else if (command.startsWith("exec hurl ")) {
        WitnessHttpClient client = new WitnessHttpClient(HttpClient.newHttpClient(), server.baseUrl());
        for (LitewitnessScript.Request r : LitewitnessScript.parseHurl(script.files.get(w.get(w.size() - 1)))) {
          int expected = r.status();
          if (expected == 403 && r.contains().contains("unknown log")) {
            expected = 404;
            translated++;
          }
          byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
          WitnessHttpClient.Reply reply = client.addCheckpoint(body);
          total++;
          assertEquals(expected, reply.status(), file + ": " + firstLines(r.body()) + " -> " + reply.bodyText());
          for (String needle : r.contains()) {
            assertTrue(reply.bodyText().contains(needle), file + ": body contains " + needle + ": " + reply.bodyText());
          }
          for (String exact : r.equals()) {
            assertEquals(exact, reply.bodyText(), file + ": body equals");
            assertEquals("text/x.tlog.size", reply.contentType(), "409 carries the tlog size content type");
          }
          if (reply.status() == 200) {
            checkCosignature(witness, body, reply.bodyText());
          } else {
            rejected++;
          }
          passed++;
        }
      } else if (command.equals("killall")) {
        server.close();
        witness.close();
      } else if (command.startsWith("stdout ")) {
        String pattern = w.get(1);
        assertTrue(Pattern.compile(pattern).matcher(listing).find(), "list-logs output matches " + pattern + ":\n" + listing);
      } else if (!ignorable(command)) {
        throw new AssertionError("script command the replay does not know: " + line);
      }
    }
    Vectors.report(relative, passed, rejected, total);
    assertTrue(total > 0);
    return translated;
  }

  /** Lines about the ssh-agent and process control have no counterpart: the key is held directly. */
  private static boolean ignorable(String command) {
    return command.startsWith("env SSH_AUTH_SOCK=")
        || command.startsWith("! exec ssh-agent")
        || command.startsWith("waitfor ")
        || command.startsWith("chmod ")
        || command.startsWith("wait litewitness")
        || command.equals("stderr shutting down");
  }

  private static Witness startWitness(Path dir, List<String> words, List<OpenSshKeys.Ed25519Key> agent, List<String> setup)
      throws Exception {
    String name = flag(words, "-name=");
    byte[] keyHash = Hex.decode(flag(words, "-key="));
    OpenSshKeys.Ed25519Key key =
        agent.stream().filter(k -> java.util.Arrays.equals(k.publicKeySha256(), keyHash)).findFirst()
            .orElseThrow(() -> new AssertionError("no agent key has SHA-256 " + Hex.encode(keyHash)));
    SecureRandom random = new SecureRandom();
    new WitnessKeys(
            new Ed25519Note.Signer(WitnessKeys.defaultOrigin(name), Ed25519.PrivateKey.generate(random)),
            new CosignatureV1.Signer(name, key.key()),
            new Ed25519Note.Signer(name + "/bundle", Ed25519.PrivateKey.generate(random)))
        .save(dir);
    var logs = Witness.knownLogs(dir);
    for (String command : setup) {
      List<String> w = LitewitnessScript.words(command);
      switch (w.get(2)) {
        case "add-sigsum-log" -> logs.addSigsumLog(Hex.decode(flag(w, "-key=")));
        case "add-log" -> logs.addLog(w.get(w.indexOf("-origin") + 1));
        case "add-key" -> logs.addKey(w.get(w.indexOf("-origin") + 1), w.get(w.indexOf("-key") + 1));
        default -> throw new AssertionError("unknown witnessctl command: " + command);
      }
    }
    return Witness.open(dir, () -> CLOCK_SECONDS, CrashPoints.NONE);
  }

  /** "witnessctl list-logs": reopen the stopped witness from disk and list origin and size. */
  private static String listLogs(Path dir) throws Exception {
    StringBuilder out = new StringBuilder();
    try (Witness reopened = Witness.open(dir)) {
      for (String origin : reopened.checkpoints().knownLogs().origins()) {
        long size = reopened.checkpoints().latest(origin).map(Checkpoint::size).orElse(0L);
        out.append("{\"origin\":\"").append(origin).append("\",\"size\":").append(size).append("}\n");
      }
    }
    return out.toString();
  }

  private static void checkCosignature(Witness witness, byte[] requestBody, String reply) throws Exception {
    SignedNote checkpoint = AddCheckpointRequest.parse(requestBody).checkpoint();
    CosignatureV1.Verifier verifier = witness.keys().cosigner().verifier();
    String[] lines = reply.split("\n");
    assertEquals(1, lines.length, "one cosignature line");
    NoteSignature line = SignedNote.parseSignatureLine(lines[0]);
    var verified = verifier.verify(checkpoint.textBytes(), line.signature());
    assertTrue(verified.isPresent(), "the cosignature verifies under the witness key");
    assertEquals(CLOCK_SECONDS, verified.get().timestamp().getAsLong());
  }

  private static String flag(List<String> words, String prefix) {
    return words.stream().filter(x -> x.startsWith(prefix)).findFirst().orElseThrow().substring(prefix.length());
  }

  private static String firstLines(String body) {
    String[] lines = body.split("\n");
    return lines[0] + " ... " + (lines.length > 3 ? lines[lines.length - 3] : "");
  }
}
