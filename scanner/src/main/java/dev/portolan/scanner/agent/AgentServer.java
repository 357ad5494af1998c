package dev.portolan.scanner.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.util.function.Consumer;

/** An {@link Agent} with its health and metrics endpoints: what {@code portolan agent} runs. */
public final class AgentServer implements AutoCloseable {
  private final Agent agent;
  private final AgentEndpoints endpoints;

  private AgentServer(Agent agent, AgentEndpoints endpoints) {
    this.agent = agent;
    this.endpoints = endpoints;
  }

  /** Starts the agent with its endpoints on every address of this host, at {@code port}. */
  public static AgentServer start(KubernetesClient client, Agent.Config config, int port, Consumer<String> log)
      throws IOException {
    return start(client, config, new InetSocketAddress(port), log);
  }

  /** Starts the agent with its endpoints at {@code address} (a node's own address, on a host network). */
  public static AgentServer start(KubernetesClient client, Agent.Config config, InetSocketAddress address, Consumer<String> log)
      throws IOException {
    Agent[] holder = new Agent[1];
    AgentEndpoints endpoints = new AgentEndpoints(address, () -> holder[0] != null && holder[0].ready());
    Agent agent = new Agent(client, config, endpoints.registry, log);
    holder[0] = agent;
    agent.start();
    return new AgentServer(agent, endpoints);
  }

  public int port() {
    return endpoints.port();
  }

  public Agent agent() {
    return agent;
  }

  @Override
  public synchronized void close() {
    agent.close();
    endpoints.close();
  }
}
