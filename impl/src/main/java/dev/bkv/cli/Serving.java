package dev.bkv.cli;

import dev.bkv.storage.IoErrors;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/** What {@code bkv witness serve}, {@code bkv node} and {@code bkv frontend} share: bind, say so, serve until a signal. */
final class Serving {
  private Serving() {}

  /** The address of a config's {@code listen} line; an unknown host is the user's error. */
  static InetSocketAddress address(String host, int port) {
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("host " + host + ": unknown host");
    }
    return address;
  }

  /** A failure to start a server on {@code host:port}, with the reason in words. */
  static IOException cannotListen(String host, int port, IOException e) {
    return new IOException("cannot listen on " + host + ":" + port + ": " + IoErrors.reason(e), e);
  }

  /** Prints {@code listening} and waits until SIGTERM or SIGINT has run {@code close} (after "shutting down"). */
  static void untilSignal(PrintWriter out, String listening, Runnable close) throws InterruptedException {
    untilSignal(out, listening, close, new CountDownLatch(1));
  }

  /**
   * Prints {@code listening} and waits until SIGTERM or SIGINT has run {@code close} (after
   * "shutting down"), or until {@code stopped} is counted down some other way.
   */
  static void untilSignal(PrintWriter out, String listening, Runnable close, CountDownLatch stopped)
      throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println("shutting down");
      out.flush();
      close.run();
      stopped.countDown();
    }));
    out.println(listening);
    out.flush();
    stopped.await();
  }
}
