package dev.bkv.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A page is written whole or not at all, and a place it cannot go is named before any work. */
class HtmlPageTest {
  @TempDir Path tmp;

  private static HtmlPage page() {
    return new HtmlPage("t").table(List.of(new HtmlPage.Column("a", false)),
        List.of(new HtmlPage.Row(List.of("x"), HtmlPage.Mark.NONE)));
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.toList();
    }
  }

  @Test
  void whenWritten_thenTheFileHoldsThePageAndNoTemporaryIsLeft() throws Exception {
    Path target = tmp.resolve("check.html");
    Files.writeString(target, "old");
    page().write(target);
    assertEquals(page().render(), Files.readString(target));
    assertEquals(List.of(target), files());
  }

  @Test
  void whenTheFolderIsMissingOrTheTargetIsAFolder_thenItIsNamedBeforeAndTheWriteLeavesNothing() throws Exception {
    Path missing = tmp.resolve("nope").resolve("check.html");
    assertEquals(Optional.of(missing + ": the folder " + missing.getParent() + " does not exist"),
        HtmlPage.unwritable(missing));
    assertThrows(IOException.class, () -> page().write(missing));
    assertEquals(Optional.of(tmp + " is a directory"), HtmlPage.unwritable(tmp));
    assertThrows(IOException.class, () -> page().write(tmp));
    assertEquals(List.of(), files(), "no temporary left behind by the failed write");
    assertEquals(Optional.empty(), HtmlPage.unwritable(tmp.resolve("fine.html")));
  }

  @Test
  void whenARowHasTheWrongNumberOfCells_thenTheTableRefuses() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HtmlPage("t").table(
        List.of(new HtmlPage.Column("a", false)), List.of(new HtmlPage.Row(List.of("x", "y"), HtmlPage.Mark.NONE))));
    assertTrue(e.getMessage().startsWith("a row of 2 cells in a table of 1 columns"), e.getMessage());
  }
}
