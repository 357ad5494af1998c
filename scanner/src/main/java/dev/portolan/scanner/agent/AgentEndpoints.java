package dev.portolan.scanner.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/** The agent's HTTP endpoints: {@code /healthz}, {@code /readyz} and Prometheus {@code /metrics}. */
final class AgentEndpoints implements AutoCloseable {
  private final HttpServer server;
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  AgentEndpoints(InetSocketAddress address, BooleanSupplier ready) throws IOException {
    server = HttpServer.create(address, 16);
    server.createContext("/healthz", x -> reply(x, 200, "ok\n", "text/plain"));
    server.createContext("/readyz", x -> {
      boolean ok = ready.getAsBoolean();
      reply(x, ok ? 200 : 503, ok ? "ready\n" : "not ready: watching ScanReports has not synced\n", "text/plain");
    });
    server.createContext("/metrics", x -> reply(x, 200, registry.scrape(), "text/plain; version=0.0.4"));
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void reply(HttpExchange x, int code, String body, String type) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.sendResponseHeaders(code, b.length);
    try (OutputStream o = x.getResponseBody()) {
      o.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
