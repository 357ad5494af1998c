package dev.portolan.scanner.agent;

import dev.portolan.control.run.FindingPages;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import java.util.ArrayList;
import java.util.List;

/**
 * A shard's findings pages: findings wait here until a save writes them, as pages numbered on from
 * the last one written. A page counts as written only once its write returned; a write that fails,
 * or whose answer is lost after the server stored it, leaves its findings pending under the same
 * page number, so the next save replaces that page rather than adding their copies to another.
 */
final class PageSeries {
  /** Writes one page: its number (from 1) and its findings. Writing the same number again replaces it. */
  interface PageWrite {
    void write(int number, List<Finding> findings);
  }

  private final List<Finding> pending = new ArrayList<>();
  private int pages;
  private long findings;

  /** A series that continues after {@code pages} pages holding {@code findings} findings (a resumed shard). */
  PageSeries(int pages, long findings) {
    this.pages = pages;
    this.findings = findings;
  }

  void add(Finding f) {
    pending.add(f);
  }

  int pages() {
    return pages;
  }

  long findings() {
    return findings;
  }

  /**
   * Writes every pending finding, page by page.
   *
   * @return how many findings this call wrote
   * @throws RuntimeException the first failed write's; what it would have written stays pending
   */
  long flush(PageWrite write) {
    long written = 0;
    for (List<Finding> chunk : FindingPages.split(List.copyOf(pending))) {
      write.write(pages + 1, chunk);
      pages++;
      findings += chunk.size();
      written += chunk.size();
      pending.subList(0, chunk.size()).clear();
    }
    return written;
  }
}
