package dev.portolan.scanner.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portolan.control.run.FindingPages;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PageSeriesTest {
  /** The API server's pages by number; a write of a number that exists replaces it. */
  private final Map<Integer, List<Finding>> server = new TreeMap<>();

  private static Finding finding(int i) {
    return new Finding("198.18." + (i / 250) + "." + (i % 250 + 1), 8080, "http", null, null, null, null, null, null, null,
        null, "node-a", null);
  }

  private List<String> stored() {
    List<String> keys = new ArrayList<>();
    server.values().forEach(p -> p.forEach(f -> keys.add(f.key())));
    return keys;
  }

  @Test
  @DisplayName("a page whose answer was lost after the server stored it is replaced, not copied into the next page")
  void lostAnswerIsRetriedUnderTheSameNumber() {
    PageSeries series = new PageSeries(0, 0);
    for (int i = 0; i < 10; i++) {
      series.add(finding(i));
    }
    boolean[] lose = {true};
    PageSeries.PageWrite flaky = (number, chunk) -> {
      server.put(number, List.copyOf(chunk));
      if (lose[0]) {
        lose[0] = false;
        throw new IllegalStateException("timeout");
      }
    };
    assertThatThrownBy(() -> series.flush(flaky)).hasMessage("timeout");
    assertThat(series.pages()).isZero();
    for (int i = 10; i < 15; i++) {
      series.add(finding(i));
    }
    assertThat(series.flush(flaky)).isEqualTo(15);

    assertThat(server).containsOnlyKeys(1);
    assertThat(stored()).hasSize(15).doesNotHaveDuplicates();
    assertThat(series.pages()).isEqualTo(1);
    assertThat(series.findings()).isEqualTo(15);
  }

  @Test
  @DisplayName("when the second of several pages fails, the first stays written and only the rest is retried")
  void partlyWrittenSaveResumesAfterTheLastWrittenPage() {
    int total = FindingPages.MAX_PAGE_COUNT * 2 + 7;
    PageSeries series = new PageSeries(3, 2500); // a resumed shard: three pages before
    for (int i = 0; i < total; i++) {
      series.add(finding(i));
    }
    int[] calls = {0};
    PageSeries.PageWrite failSecond = (number, chunk) -> {
      if (++calls[0] == 2) {
        throw new IllegalStateException("refused");
      }
      server.put(number, List.copyOf(chunk));
    };
    assertThatThrownBy(() -> series.flush(failSecond)).hasMessage("refused");
    assertThat(series.pages()).isEqualTo(4);
    assertThat(series.flush(failSecond)).isEqualTo(total - FindingPages.MAX_PAGE_COUNT);

    assertThat(server).containsOnlyKeys(4, 5, 6);
    assertThat(stored()).hasSize(total).doesNotHaveDuplicates();
    assertThat(series.pages()).isEqualTo(6);
    assertThat(series.findings()).isEqualTo(2500 + total);
    assertThat(series.flush(failSecond)).isZero();
  }
}
