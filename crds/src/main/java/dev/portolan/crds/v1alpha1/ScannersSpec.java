package dev.portolan.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Map;

/** Which scanner agents take part in a run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScannersSpec(
    @JsonPropertyDescription("Only agents on nodes with these labels take part.") Map<String, String> nodeSelector,
    @Min(1) @Max(1024) @JsonPropertyDescription("At most this many shards (agents) per run.") Integer maxShards) {}
