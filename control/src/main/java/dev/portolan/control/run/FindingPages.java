package dev.portolan.control.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portolan.crds.v1alpha1.ScanReportStatus.Finding;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts findings into pages that stay far below the API server's object size limit (etcd refuses
 * about 1.5 MiB; a page is kept under {@link #MAX_PAGE_BYTES} of JSON and {@link #MAX_PAGE_COUNT}
 * findings, whatever the evidence and TLS details make each one weigh).
 */
public final class FindingPages {
  public static final int MAX_PAGE_BYTES = 512 * 1024;
  public static final int MAX_PAGE_COUNT = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private FindingPages() {}

  public static List<List<Finding>> split(List<Finding> findings) {
    return splitAny(findings);
  }

  /** Cuts any items (findings, index entries) by the same bounds: JSON size and count. */
  public static <T> List<List<T>> splitAny(List<T> items) {
    List<List<T>> pages = new ArrayList<>();
    List<T> page = new ArrayList<>();
    long bytes = 1; // the list's brackets: "[" + items with their commas + "]"
    for (T f : items) {
      int size = size(f);
      if (!page.isEmpty() && (bytes + size > MAX_PAGE_BYTES || page.size() >= MAX_PAGE_COUNT)) {
        pages.add(page);
        page = new ArrayList<>();
        bytes = 1;
      }
      page.add(f);
      bytes += size;
    }
    if (!page.isEmpty()) {
      pages.add(page);
    }
    return pages;
  }

  /** The JSON size of one item, as it will be stored. */
  public static int size(Object f) {
    try {
      return JSON.writeValueAsBytes(f).length + 1;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
