package dev.portolan.scanner.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ctrl-C stops sending, leaves valid output and says how to resume; resuming loses nothing. */
@ExtendWith(LabExtension.class)
@DisplayName("interrupt and resume")
class InterruptAndResumeIT {
  static final Set<String> OPEN = new TreeSet<>();

  @BeforeAll
  static void services(Lab lab) {
    for (int i = 0; i < 40; i++) {
      OPEN.add("198.18." + (i / 10) + "." + (i * 6 + 1) + ":80");
    }
    lab.listen(OPEN.toArray(String[]::new));
  }

  @Test
  @DisplayName("SIGINT leaves complete NDJSON with a summary, and the resumed run finds the rest without duplicates")
  void resumeAfterInterrupt(Lab lab) throws IOException, InterruptedException {
    Path out = lab.workDirectory().resolve("first.ndjson");
    Path err = lab.workDirectory().resolve("first.err");
    String[] scan = {"scan", "198.18.0.0/22", "-p", "80,81,82,83", "--rate", "800", "--wait", "1", "--seed", "99", "-oJ"};
    Process first = lab.startPortolan(out, err, concat(scan, out.toString()));
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(err).contains("scanning"));
    await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
    new ProcessBuilder("kill", "-INT", Long.toString(first.pid())).start().waitFor();
    assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();

    List<Map<String, String>> firstRecords = Ndjson.parse(Files.readString(out));
    Map<String, String> summary = Ndjson.summary(firstRecords);
    assertThat(summary).containsEntry("completed", "false");
    Matcher hint = Pattern.compile("--seed 99 --resume-index (\\d+)").matcher(Files.readString(err));
    assertThat(hint.find()).as(Files.readString(err)).isTrue();
    assertThat(hint.group(1)).isEqualTo(summary.get("resumeIndex"));
    long index = Long.parseLong(hint.group(1));
    assertThat(index).isPositive().isLessThan(4096L * 2);

    Path rest = lab.workDirectory().resolve("rest.ndjson");
    Lab.Run resumed =
        lab.portolan(concat(scan, rest.toString(), "--resume-index", Long.toString(index)));
    assertThat(resumed.exitCode()).as(resumed.stderr()).isZero();
    List<Map<String, String>> restRecords = Ndjson.parse(Files.readString(rest));

    Set<String> before = Ndjson.endpoints(firstRecords, "open");
    Set<String> after = Ndjson.endpoints(restRecords, "open");
    assertThat(before).isNotEmpty().doesNotContainAnyElementsOf(after);
    Set<String> all = new TreeSet<>(before);
    all.addAll(after);
    assertThat(all).isEqualTo(OPEN);
    assertThat(Ndjson.summary(restRecords)).containsEntry("completed", "true");
  }

  private static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }
}
