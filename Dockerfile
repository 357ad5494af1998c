# syntax=docker/dockerfile:1
# The Portolan image: one image, two entry points.
#   portolan            the CLI and the scanner agent (default entry point; the DaemonSet runs `agent`)
#   portolan-operator   the operator (the chart's Deployment sets `command: [portolan-operator]`)
# Build the jars first, then the image (docs/images.md):
#   ./mvnw -q package -DskipTests && docker build -t portolan:0.1.0 .
# The scanner needs libpcap (pcap4j, for --dry-run capture files); the raw-socket path is the JDK's FFM.
FROM eclipse-temurin:25-jre AS jre

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/portolan/bin:/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
COPY docker/bin/ /opt/portolan/bin/
COPY scanner/target/portolan.jar operator/target/portolan-operator.jar /opt/portolan/lib/
LABEL org.opencontainers.image.title="portolan" \
      org.opencontainers.image.description="Kubernetes-native network exposure scanning"
# Non-root by default; the scanner DaemonSet runs as root with NET_RAW only (charts/portolan).
USER 65532:65532
ENTRYPOINT ["portolan"]
CMD ["--help"]
