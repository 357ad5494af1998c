package dev.portolan.control.run;

import static dev.portolan.control.fixtures.Reports.address;
import static dev.portolan.control.fixtures.Reports.finding;
import static dev.portolan.control.fixtures.Reports.heavy;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("FindingPages")
class FindingPagesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static int jsonBytes(Object value) {
    try {
      return JSON.writeValueAsBytes(value).length;
    } catch (JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  private static List<Finding> small(int n) {
    List<Finding> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(finding(address(i / 3), 80 + i % 3, "http"));
    }
    return out;
  }

  private static List<Finding> flatten(List<List<Finding>> pages) {
    List<Finding> out = new ArrayList<>();
    pages.forEach(out::addAll);
    return out;
  }

  /** Every page within both limits, none empty, and together the input in its order. */
  private static void assertPaged(List<Finding> input, List<List<Finding>> pages) {
    assertThat(pages).allSatisfy(p -> assertThat(p).isNotEmpty().hasSizeLessThanOrEqualTo(FindingPages.MAX_PAGE_COUNT));
    assertThat(pages)
        .allSatisfy(p -> assertThat(jsonBytes(p)).as("JSON of a page of %d", p.size()).isLessThanOrEqualTo(FindingPages.MAX_PAGE_BYTES));
    assertThat(flatten(pages)).containsExactlyElementsOf(input);
  }

  /** A finding whose JSON is exactly {@code bytes} long. */
  private static Finding ofJsonSize(String ip, int bytes) {
    int base = jsonBytes(heavy(ip, 443, 0));
    Finding f = heavy(ip, 443, bytes - base);
    assertThat(jsonBytes(f)).isEqualTo(bytes);
    return f;
  }

  @Test
  @DisplayName("makes no page of no findings")
  void none() {
    assertThat(FindingPages.split(List.of())).isEmpty();
  }

  @Test
  @DisplayName("puts a few findings on one page")
  void few() {
    List<Finding> in = small(5);
    assertThat(FindingPages.split(in)).containsExactly(in);
  }

  @Nested
  @DisplayName("the count limit")
  class CountLimit {
    @Test
    @DisplayName("fills pages with 1000 findings each and the rest on the last")
    void thousands() {
      List<Finding> in = small(2_500);
      List<List<Finding>> pages = FindingPages.split(in);
      assertThat(pages).extracting(List::size).containsExactly(1000, 1000, 500);
      assertPaged(in, pages);
    }

    @Test
    @DisplayName("makes exactly one page of exactly 1000 findings, and two of 1001")
    void boundary() {
      assertThat(FindingPages.split(small(1000))).hasSize(1);
      assertThat(FindingPages.split(small(1001))).extracting(List::size).containsExactly(1000, 1);
    }
  }

  @Nested
  @DisplayName("the size limit")
  class SizeLimit {
    @Test
    @DisplayName("keeps pages of findings with large evidence under 512 KiB, with fewer than 1000 on each")
    void largeEvidence() {
      List<Finding> in = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        in.add(heavy(address(i), 443, 4_096));
      }
      List<List<Finding>> pages = FindingPages.split(in);
      assertPaged(in, pages);
      assertThat(pages).hasSizeGreaterThan(4);
      assertThat(pages).allSatisfy(p -> assertThat(p.size()).isLessThan(FindingPages.MAX_PAGE_COUNT));
    }

    @Test
    @DisplayName("fills each page as far as the limits allow (the next finding would not have fitted)")
    void greedy() {
      Random random = new Random(2024);
      List<Finding> in = new ArrayList<>();
      for (int i = 0; i < 3_000; i++) {
        int evidence = random.nextInt(10) == 0 ? random.nextInt(60_000) : random.nextInt(600);
        in.add(random.nextBoolean() ? heavy(address(i), 443, evidence) : finding(address(i), 22, "ssh"));
      }
      List<List<Finding>> pages = FindingPages.split(in);
      assertPaged(in, pages);
      for (int i = 0; i + 1 < pages.size(); i++) {
        List<Finding> page = pages.get(i);
        long bytes = page.stream().mapToLong(FindingPages::size).sum();
        Finding next = pages.get(i + 1).get(0);
        assertThat(page.size() == FindingPages.MAX_PAGE_COUNT || bytes + FindingPages.size(next) > FindingPages.MAX_PAGE_BYTES)
            .as("page %d could have taken the next finding", i)
            .isTrue();
      }
    }

    @Test
    @DisplayName("measures a finding as its JSON plus a separator")
    void size() {
      Finding f = heavy("10.0.0.1", 443, 100);
      assertThat(FindingPages.size(f)).isEqualTo(jsonBytes(f) + 1);
    }

    @Test
    @DisplayName("puts a finding heavier than a page on a page of its own, and goes on")
    void oversized() {
      Finding huge = heavy("10.0.0.2", 443, FindingPages.MAX_PAGE_BYTES);
      List<Finding> in = List.of(finding("10.0.0.1", 22, "ssh"), huge, finding("10.0.0.3", 22, "ssh"));
      assertThat(FindingPages.split(in)).containsExactly(List.of(in.get(0)), List.of(huge), List.of(in.get(2)));
    }

    @Test
    @DisplayName("counts the brackets of the page: a page exactly at the limit stays within it")
    void brackets() {
      int half = FindingPages.MAX_PAGE_BYTES / 2 - 1; // JSON bytes; each counts as half + 1
      List<Finding> in = List.of(ofJsonSize("10.0.0.1", half), ofJsonSize("10.0.0.2", half));
      assertPaged(in, FindingPages.split(in));
    }
  }

  @Test
  @DisplayName("keeps the order and every finding, duplicates included (the aggregator removes those)")
  void orderAndCompleteness() {
    List<Finding> in = new ArrayList<>(small(1_500));
    in.add(in.get(0));
    in.add(1_200, in.get(5));
    assertPaged(in, FindingPages.split(in));
  }
}
