package dev.bkv.crypto.opaque;

import dev.bkv.base.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * opaque-ke 4 (Meta's OPAQUE, compiled to wasm as {@code @serenity-kit/opaque-p256@1.1.0})
 * running under Node.js as a peer: installs the package with {@code npm ci} from the
 * committed lockfile in {@code src/test/node} into {@code target/opaque-ke-interop}, then
 * exchanges newline-delimited JSON with {@code opaque-peer.js} over stdin/stdout.
 */
public final class OpaqueKePeer implements AutoCloseable {
  private static final long NPM_CI_TIMEOUT_SECONDS = 300;
  /** Argon2id at 64 MiB under wasm takes about a second; this leaves room on a loaded CI host. */
  private static final long CALL_TIMEOUT_SECONDS = 120;
  private static final List<String> FILES = List.of("package.json", "package-lock.json", "opaque-peer.js");

  private final Process process;
  private final Writer stdin;
  private final BufferedReader stdout;
  private int nextId = 1;

  private OpaqueKePeer(Process process) {
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Why the peer cannot run here (no node or npm on PATH), or empty when it can. */
  public static Optional<String> unavailableReason() {
    for (String tool : List.of("node", "npm")) {
      try {
        Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          return Optional.of("'" + tool + " --version' failed");
        }
      } catch (IOException e) {
        return Optional.of("'" + tool + "' not found on PATH");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted while probing " + tool);
      }
    }
    return Optional.empty();
  }

  public static OpaqueKePeer start() throws IOException, InterruptedException {
    Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    Path source = module.resolve("src/test/node");
    Path work = module.resolve("target/opaque-ke-interop");
    Files.createDirectories(work);
    for (String file : FILES) {
      Files.copy(source.resolve(file), work.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    Path npmLog = work.resolve("npm-ci.log");
    Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
        .directory(work.toFile()).redirectErrorStream(true).redirectOutput(npmLog.toFile()).start();
    if (!npm.waitFor(NPM_CI_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      npm.destroyForcibly();
      throw new IOException("npm ci did not finish in " + NPM_CI_TIMEOUT_SECONDS + " s; see " + npmLog);
    }
    if (npm.exitValue() != 0) {
      throw new IOException("npm ci failed (exit " + npm.exitValue() + "):\n" + Files.readString(npmLog));
    }
    Process node = new ProcessBuilder("node", "opaque-peer.js")
        .directory(work.toFile()).redirectError(work.resolve("peer-stderr.log").toFile()).start();
    OpaqueKePeer peer = new OpaqueKePeer(node);
    Map<?, ?> ready = peer.readResponse(0);
    if (!Boolean.TRUE.equals(((Map<?, ?>) ready.get("result")).get("ready"))) {
      throw new IOException("peer did not report ready: " + ready);
    }
    return peer;
  }

  /** Calls {@code op} (e.g. "client.startLogin"); returns its result, or null for a null result. */
  public Map<?, ?> call(String op, Map<String, ?> params) {
    int id = nextId++;
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("id", id);
    request.put("op", op);
    request.put("params", params);
    try {
      stdin.write(Json.write(request) + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("peer closed its input", e);
    }
    Map<?, ?> response = readResponse(id);
    if (!Boolean.TRUE.equals(response.get("ok"))) {
      throw new PeerError(op, String.valueOf(response.get("error")));
    }
    Object result = response.get("result");
    return result == Json.NULL ? null : (Map<?, ?>) result;
  }

  /** opaque-ke refused a call (its errors are exceptions in JavaScript). */
  public static final class PeerError extends RuntimeException {
    PeerError(String op, String message) {
      super(op + ": " + message);
    }
  }

  private Map<?, ?> readResponse(int id) {
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        return stdout.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    String text;
    try {
      text = line.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      process.destroyForcibly();
      throw new IllegalStateException("peer gave no answer to request " + id + " in " + CALL_TIMEOUT_SECONDS + " s");
    } catch (ExecutionException e) {
      throw new IllegalStateException("reading the peer's answer failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (text == null) {
      throw new IllegalStateException("peer exited (see target/opaque-ke-interop/peer-stderr.log)");
    }
    Map<?, ?> response = Json.parseObject(text);
    if (!String.valueOf(id).equals(String.valueOf(response.get("id")))) {
      throw new IllegalStateException("answer for request " + response.get("id") + " while waiting for " + id);
    }
    return response;
  }

  @Override
  public void close() throws InterruptedException {
    try {
      stdin.close();
    } catch (IOException ignored) {
      // the process is ended below either way
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
