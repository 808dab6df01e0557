import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Turns PIT's mutations.xml files into the tables of REPORT.md: one row of figures per package,
 * then every mutant that was not killed, by class, method, line and mutator.
 *
 * <p>Run from impl/ after the PIT runs: {@code java mutation/PitSummary.java target/pit-reports}.
 * Each subfolder of that folder is one package's report (the execution id names it).
 */
public final class PitSummary {
  private static final List<String> STATUSES = List.of("KILLED", "SURVIVED", "NO_COVERAGE", "TIMED_OUT");

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: java mutation/PitSummary.java <folder of per-package PIT reports>");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    List<String> rows = new ArrayList<>();
    List<String> survivors = new ArrayList<>();
    try (var packages = Files.list(root)) {
      for (Path dir : packages.sorted().toList()) {
        Path xml = dir.resolve("mutations.xml");
        if (!Files.isRegularFile(xml)) {
          continue;
        }
        Map<String, Integer> byStatus = new TreeMap<>();
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        NodeList mutations = doc.getElementsByTagName("mutation");
        for (int i = 0; i < mutations.getLength(); i++) {
          Element m = (Element) mutations.item(i);
          String status = m.getAttribute("status");
          byStatus.merge(status, 1, Integer::sum);
          if (!status.equals("KILLED")) {
            survivors.add(String.format("| %s | %s | %s | %s | %s | %s | %s |",
                dir.getFileName(), status, simpleName(text(m, "mutatedClass")), text(m, "mutatedMethod"),
                text(m, "lineNumber"), text(m, "mutator").replace("org.pitest.mutationtest.engine.gregor.mutators.", ""),
                text(m, "description")));
          }
        }
        int all = mutations.getLength();
        int killed = byStatus.getOrDefault("KILLED", 0);
        // Memory errors, run errors and anything else PIT may report.
        int other = all - STATUSES.stream().mapToInt(s -> byStatus.getOrDefault(s, 0)).sum();
        // PIT's own score counts a timed-out or crashed mutant as detected; this table does not,
        // so the score here is killed / all mutants, never flattered by a slow machine.
        rows.add(String.format("| %s | %d | %d | %d | %d | %d | %d | %.1f%% |", dir.getFileName(), all, killed,
            byStatus.getOrDefault("SURVIVED", 0), byStatus.getOrDefault("NO_COVERAGE", 0),
            byStatus.getOrDefault("TIMED_OUT", 0), other, all == 0 ? 0.0 : 100.0 * killed / all));
      }
    }
    System.out.println("| package | mutants | killed | survived | no coverage | timed out | other | killed / all |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    rows.forEach(System.out::println);
    System.out.println();
    System.out.println("| package | status | class | method | line | mutator | description |");
    System.out.println("| --- | --- | --- | --- | ---: | --- | --- |");
    survivors.forEach(System.out::println);
  }

  private static String text(Element m, String tag) {
    return m.getElementsByTagName(tag).item(0).getTextContent().replace("|", "\\|");
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }
}
