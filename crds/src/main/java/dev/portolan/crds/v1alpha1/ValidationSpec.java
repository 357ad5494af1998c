package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Validation probes on the open ports discovery finds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ValidationSpec(
    @JsonPropertyDescription("Identify service, product, version and TLS on every open port (default true).") Boolean enabled,
    @Min(1) @Max(120) @JsonPropertyDescription("Seconds a port may take in all (default " + Defaults.VALIDATION_TIMEOUT_SECONDS_TEXT + ").") Integer timeoutSeconds,
    @Min(0) @Max(9) @JsonPropertyDescription("How many probes to try, 0 (likely only) to 9 (all); default " + Defaults.VALIDATION_INTENSITY_TEXT + ".") Integer intensity) {}
