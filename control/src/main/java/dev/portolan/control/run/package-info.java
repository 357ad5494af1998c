/**
 * What a run is: its deterministic name, the main report that freezes scope, seed, audit record
 * and shard plan, the shard plan itself, and the pages its findings are cut into. Pure.
 */
package dev.portolan.control.run;
